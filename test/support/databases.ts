// PostgreSQL for tests: the project's machines and CI run it at 127.0.0.1:5432 with
// trust auth. Reachability is checked once per test run, in the global setup
// (checkPostgres), and handed to the test workers through provide/inject.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresStatus {
  url: string;
  /** Why it is unreachable; absent when reachable. */
  error?: string;
}

/** Connects once (quick timeout) to see whether PostgreSQL is there. */
export async function checkPostgres(
  url = process.env.TANDEM_TEST_DATABASE_URL || DEFAULT_POSTGRES_URL,
): Promise<PostgresStatus> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { url };
  } catch (error) {
    return { url, error: (error as Error).message };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The test database URL, or null where PostgreSQL is unreachable (those tests skip).
 * Under CI it throws instead: CI must never skip the PostgreSQL tests.
 */
export function postgresUrl(): string | null {
  const status = inject('postgres');
  if (!status.error) return status.url;
  if (process.env.CI) {
    throw new Error(
      `PostgreSQL is not reachable at ${status.url} (${status.error}); CI must not skip PostgreSQL tests`,
    );
  }
  return null;
}

/**
 * A new, uniquely named schema and a URL whose connections use it (search_path set
 * through the `options` startup parameter), so parallel test files never share tables.
 */
export async function freshPostgresSchema(): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const base = postgresUrl();
  if (base === null) throw new Error('PostgreSQL is not reachable: skip this test when postgresUrl() is null');
  const schema = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE SCHEMA "${schema}"`);
  const url = new URL(base);
  url.searchParams.delete('options');
  const options = `options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url: `${url.toString()}${url.search ? '&' : '?'}${options}`,
    schema,
    drop: () => admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
  };
}
