// Proves the PostgreSQL helpers: the URL works, and fresh schemas are isolated.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresSchema, postgresUrl } from '../support/index.ts';

const url = postgresUrl();
if (url === null) console.warn('PostgreSQL is not reachable: skipping the PostgreSQL smoke tests');

async function withClient<T>(connectionString: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(url === null)('PostgreSQL', () => {
  it('is reachable at postgresUrl()', async () => {
    const { rows } = await withClient(url!, (c) => c.query<{ one: number }>('SELECT 1 AS one'));
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('gives each fresh schema its own tables', async () => {
    const [a, b] = await Promise.all([freshPostgresSchema(), freshPostgresSchema()]);
    try {
      expect(a.schema).not.toBe(b.schema);
      await withClient(a.url, async (c) => {
        expect((await c.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s).toBe(a.schema);
        await c.query('CREATE TABLE notes (body text)');
        await c.query("INSERT INTO notes VALUES ('only in a')");
      });
      await withClient(b.url, async (c) => {
        await c.query('CREATE TABLE notes (body text)'); // same name, no clash
        expect((await c.query('SELECT * FROM notes')).rows).toEqual([]);
      });
      const inA = await withClient(a.url, (c) => c.query<{ body: string }>('SELECT body FROM notes'));
      expect(inA.rows).toEqual([{ body: 'only in a' }]);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
    const left = await withClient(url!, (c) =>
      c.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = ANY($1)', [[a.schema, b.schema]]),
    );
    expect(left.rowCount).toBe(0);
  });
});
