import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser, userForToken } from '../../src/users/index.ts';
import { openTestContext, storeDialects } from '../support/stores.ts';
import type { TestContext } from '../support/stores.ts';

describe.each(await storeDialects())('store on %s', (dialect) => {
  let context: TestContext;
  beforeAll(async () => {
    context = await openTestContext(dialect);
  });
  afterAll(() => context.dispose());

  it('creates the foundation tables', async () => {
    const tables = (await context.store.db.introspection.getTables()).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['users', 'sessions', 'api_tokens', 'mailboxes', 'folders']));
  });

  it('stores users with a hashed password and normalized email', async () => {
    const user = await createUser(context.store.db, {
      email: ' Ann@Example.TEST ',
      password: 'correct horse',
      isAdmin: true,
    });
    const row = await context.store.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.email).toBe('ann@example.test');
    expect(row.is_admin).toBe(1);
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain('correct horse');
    expect(typeof row.created_at).toBe('number');
    await expect(
      createUser(context.store.db, { email: 'ann@example.test', password: 'another one' }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('stores API tokens hashed and resolves them to their user', async () => {
    const user = await createUser(context.store.db, { email: 'tok@example.test', password: 'store-test-password' });
    const { token } = await createApiToken(context.store.db, user.id, 'test');
    const row = await context.store.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).not.toContain(token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await userForToken(context.store.db, token))?.email).toBe('tok@example.test');
    expect(await userForToken(context.store.db, `${token}x`)).toBeNull();
  });

  it('keeps mailbox secrets sealed in the raw row', async () => {
    const user = await createUser(context.store.db, { email: 'mb@example.test', password: 'store-test-password' });
    const now = Date.now();
    const mailbox = {
      id: 'mb-1',
      owner_user_id: user.id,
      kind: 'personal',
      address: 'mb@example.test',
      display_name: null,
      imap_host: 'imap.example.test',
      imap_port: 993,
      imap_security: 'tls',
      imap_username: 'mb',
      smtp_host: 'smtp.example.test',
      smtp_port: 465,
      smtp_security: 'tls',
      smtp_username: 'mb',
      secrets: context.secrets.sealJson({ imapPassword: 'hunter2-imap', smtpPassword: 'hunter2-smtp' }),
      sync_period: 'now',
      sync_since: now,
      mark_incoming_private: 0,
      fallback_consent: 0,
      archive_and_create_past: 0,
      state: 'idle',
      error: null,
      created_at: now,
      updated_at: now,
    } as const;
    await context.store.db.insertInto('mailboxes').values(mailbox).execute();
    const raw = await sql<Record<string, unknown>>`select * from mailboxes where id = ${'mb-1'}`.execute(
      context.store.db,
    );
    const text = JSON.stringify(raw.rows);
    expect(text).not.toContain('hunter2');
    expect(context.secrets.openJson(String(raw.rows[0]?.secrets))).toEqual({
      imapPassword: 'hunter2-imap',
      smtpPassword: 'hunter2-smtp',
    });
    // One personal mailbox per user.
    await expect(
      context.store.db
        .insertInto('mailboxes')
        .values({ ...mailbox, id: 'mb-2' })
        .execute(),
    ).rejects.toThrow(/unique/i);
  });

  it('folders get increasing ids and a unique path per mailbox', async () => {
    const values = { mailbox_id: 'mb-1', enabled: 1, created_at: Date.now() } as const;
    const first = await context.store.db
      .insertInto('folders')
      .values({ ...values, path: 'INBOX' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const second = await context.store.db
      .insertInto('folders')
      .values({ ...values, path: 'Sent' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(second.id).toBeGreaterThan(first.id);
    await expect(
      context.store.db
        .insertInto('folders')
        .values({ ...values, path: 'INBOX' })
        .execute(),
    ).rejects.toThrow(/unique/i);
  });
});
