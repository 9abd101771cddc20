// Deleting a user, through the API and the CLI, with a mailbox synced from real Dovecot:
// sessions and tokens end, mailboxes and what is theirs alone go, the records they own
// pass to an administrator with their sharing unchanged.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { openContext } from '../../src/context/index.ts';
import type { Dialect } from '../../src/db/index.ts';
import { createRecord } from '../../src/crm/index.ts';
import { createSession, findUserByEmail, userForToken } from '../../src/users/index.ts';
import { signedInUser } from '../support/api.ts';
import { runTandem } from '../support/cli.ts';
import { createMailUser, deliver, mailServers } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import { connectTestMailbox, rawMessage, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

type Auth = { authorization: string };

describe.each(await storeDialects())('deleting a user on %s', (dialect: Dialect) => {
  let api: SyncTestApi;
  beforeAll(async () => {
    api = await startSyncApi(dialect);
  });
  afterAll(() => api?.close());

  const call = (auth: Auth, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    api.app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });
  const count = async (table: 'mailboxes' | 'messages' | 'comments' | 'mailroom_rules' | 'users', where: string) => {
    const { db } = api.context.store;
    const column = table === 'messages' || table === 'users' ? (table === 'users' ? 'id' : 'mailbox_id') : 'id';
    const rows = await db.selectFrom(table).select(column).execute();
    return rows.filter((r) => Object.values(r).includes(where)).length;
  };

  it('ends their sessions and tokens, removes their mailboxes and what is theirs alone, and hands their records over', async () => {
    const admin = await signedInUser(api, { admin: true });
    const mail = await createMailUser(mailServers(), 'leaver');
    await deliver(mailServers(), mail.username, rawMessage('Handover notes', { to: mail.address }));
    const { owner: leaver, mailbox } = await connectTestMailbox(api, mailServers(), mail);
    await waitIdle(api, leaver.auth, mailbox.id);
    const stayer = await createMailUser(mailServers(), 'stayer');
    await deliver(mailServers(), stayer.username, rawMessage('Shared case email', { to: stayer.address }));
    const colleague = await connectTestMailbox(api, mailServers(), stayer);

    const token = (await call(leaver.auth, 'POST', '/auth/tokens', { name: 'script' })).json<{ token: string }>().token;
    const created = async (kind: string, body: object) =>
      (await call(leaver.auth, 'POST', `/${kind}`, body)).json<{ id: string }>().id;
    const privateContact = await created('contacts', { firstName: 'Quiet', shared: false });
    const sharedCase = await created('cases', { name: 'Team case' });
    await created('mailroom/rules', {
      name: 'Mine',
      conditions: [{ field: 'subject', op: 'contains', value: 'x' }],
      actions: [{ type: 'archive' }],
    });
    // A comment of theirs on a colleague's email, linked to the shared case.
    await waitIdle(api, colleague.owner.auth, colleague.mailbox.id);
    const colleagueMessage = (
      await call(colleague.owner.auth, 'GET', `/messages?mailboxId=${colleague.mailbox.id}`)
    ).json<{ items: { id: string }[] }>().items[0]?.id;
    expect(
      (
        await call(colleague.owner.auth, 'POST', `/messages/${colleagueMessage}/links`, {
          recordType: 'case',
          recordId: sharedCase,
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await call(leaver.auth, 'POST', `/messages/${colleagueMessage}/comments`, { body: 'Left a note' })).statusCode,
    ).toBe(201);
    const colleagueComment = await call(colleague.owner.auth, 'POST', `/messages/${colleagueMessage}/comments`, {
      body: 'Thanks',
    });
    expect(colleagueComment.statusCode).toBe(201);

    expect((await call(colleague.owner.auth, 'DELETE', `/users/${leaver.user.id}`)).statusCode).toBe(403);
    expect((await call(admin.auth, 'DELETE', `/users/${admin.user.id}`)).statusCode).toBe(409);
    const deleted = await call(admin.auth, 'DELETE', `/users/${leaver.user.id}`);
    expect([deleted.statusCode, deleted.json()]).toEqual([200, { mailboxes: 1, records: 2, recordsTo: admin.user.id }]);

    for (const auth of [leaver.auth, { authorization: `Bearer ${token}` }])
      expect((await call(auth, 'GET', '/auth/me')).statusCode).toBe(401);
    expect(await count('users', leaver.user.id)).toBe(0);
    expect(await count('mailboxes', mailbox.id)).toBe(0);
    expect(await count('messages', mailbox.id)).toBe(0);
    const { db } = api.context.store;
    expect(
      await db.selectFrom('mailroom_rules').select('id').where('owner_user_id', '=', leaver.user.id).execute(),
    ).toEqual([]);
    // Their records are the admin's now, sharing unchanged: the private one stays out of the colleague's sight.
    expect((await call(admin.auth, 'GET', `/contacts/${privateContact}`)).json()).toMatchObject({
      ownerId: admin.user.id,
      shared: false,
    });
    expect((await call(colleague.owner.auth, 'GET', `/contacts/${privateContact}`)).statusCode).toBe(404);
    expect((await call(colleague.owner.auth, 'GET', `/cases/${sharedCase}`)).json()).toMatchObject({
      ownerId: admin.user.id,
    });
    // Their comment went; the colleague's email, its link and the colleague's comment stay.
    const detail = (await call(colleague.owner.auth, 'GET', `/messages/${colleagueMessage}`)).json<{
      comments: { body: string }[];
      links: { recordId: string }[];
    }>();
    expect(detail.comments.map((c) => c.body)).toEqual(['Thanks']);
    expect(detail.links.map((l) => l.recordId)).toEqual([sharedCase]);
    expect((await call(admin.auth, 'DELETE', `/users/${leaver.user.id}`)).statusCode).toBe(404);
  });
});

describe('tandem user delete', () => {
  it('deletes a user and passes their records to the user named', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-cli-delete-'));
    const add = (email: string, admin = false) =>
      runTandem(
        ['user', 'add', '--email', email, ...(admin ? ['--admin'] : []), '--password-stdin', '--data', dataDir],
        {
          stdin: 'a long enough password\n',
        },
      );
    expect((await add('boss@example.test', true)).code).toBe(0);
    expect((await add('heir@example.test')).code).toBe(0);
    expect((await add('gone@example.test')).code).toBe(0);
    const context = await openContext(loadConfig({ env: {}, overrides: { dataDir } }), {
      logger: pino({ level: 'silent' }),
    });
    let token: string;
    let recordId: string;
    try {
      const gone = await findUserByEmail(context.store.db, 'gone@example.test');
      token = (await createSession(context.store.db, gone?.id ?? '')).token;
      if (!gone) throw new Error('no user gone@example.test');
      recordId = (await createRecord(context.store.db, gone, 'ticket', { name: 'Open ticket' })).id;
    } finally {
      await context.close();
    }
    const done = await runTandem([
      'user',
      'delete',
      '--email',
      'gone@example.test',
      '--records-to',
      'heir@example.test',
      '--data',
      dataDir,
    ]);
    expect(done.code, done.stderr).toBe(0);
    // The last administrator stays: nobody would be left to manage the users.
    const last = await runTandem(['user', 'delete', '--email', 'boss@example.test', '--data', dataDir]);
    expect([last.code, last.stderr]).toEqual([1, expect.stringMatching(/last administrator/)]);
    expect(done.stdout).toMatch(/Deleted gone@example.test: 0 mailbox\(es\) removed, 1 record\(s\) passed to/);
    const after = await openContext(loadConfig({ env: {}, overrides: { dataDir } }), {
      logger: pino({ level: 'silent' }),
    });
    try {
      const heir = await findUserByEmail(after.store.db, 'heir@example.test');
      expect(await findUserByEmail(after.store.db, 'gone@example.test')).toBeNull();
      const record = await after.store.db
        .selectFrom('records')
        .select('owner_user_id')
        .where('id', '=', recordId)
        .executeTakeFirst();
      expect(record?.owner_user_id).toBe(heir?.id);
      expect(await userForToken(after.store.db, token)).toBeNull();
    } finally {
      await after.close();
    }
  }, 240_000);
});
