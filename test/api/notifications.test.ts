// In-app notifications on SQLite and PostgreSQL: a mention tells the mentioned user
// only when they can see the email; a reply to an email the mailbox sent tells its
// owner; read marks, and the OpenAPI description.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyReplies } from '../../src/crm/notifications.ts';
import type { Dialect } from '../../src/db/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { fixtureFolder, fixtureMailbox, fixtureMessage, fixtureRaw } from '../support/message-fixtures.ts';
import { storeDialects } from '../support/stores.ts';

type Page = {
  items: { kind: string; summary: string; messageId: string | null; read: boolean; id: string }[];
  unread: number;
};

describe.each(await storeDialects())('notifications on %s', (dialect: Dialect) => {
  let api: TestApi;
  let alice: Awaited<ReturnType<typeof signedInUser>>;
  let bob: Awaited<ReturnType<typeof signedInUser>>;
  let box: string;
  let inbox: { mailboxId: string; folderId: number };
  let shared: string;
  let secret: string;

  beforeAll(async () => {
    api = await startTestApi(dialect);
    alice = await signedInUser(api);
    bob = await signedInUser(api);
    box = await fixtureMailbox(api, alice.user.id, 'alice@example.test');
    inbox = { mailboxId: box, folderId: await fixtureFolder(api, box, 'INBOX') };
    const put = async (subject: string) =>
      String(
        (
          await fixtureMessage(
            api,
            dialect,
            inbox,
            fixtureRaw({ subject, date: 'Wed, 10 Jan 2024 09:00:00 +0000', body: 'x' }),
          )
        ).id,
      );
    shared = await put('Big deal');
    secret = await put('Only mine');
    // The first email is linked to a record every user sees, so Bob can read it.
    const record = await api.app.inject({
      method: 'POST',
      url: '/api/v1/deals',
      headers: alice.auth,
      payload: { name: 'Acme renewal', shared: true },
    });
    expect(record.statusCode).toBe(201);
    const link = await api.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${shared}/links`,
      headers: alice.auth,
      payload: { recordType: 'deal', recordId: record.json<{ id: string }>().id },
    });
    expect(link.statusCode).toBe(201);
  });
  afterAll(() => api.close());

  const list = async (who: typeof alice) =>
    (await api.app.inject({ method: 'GET', url: '/api/v1/notifications', headers: who.auth })).json<Page>();
  const comment = (id: string, body: string) =>
    api.app.inject({ method: 'POST', url: `/api/v1/messages/${id}/comments`, headers: alice.auth, payload: { body } });

  it('tells a mentioned user who can see the email, and no one else', async () => {
    expect((await comment(shared, `@${bob.user.email} can you take this?`)).statusCode).toBe(201);
    expect((await comment(secret, `@${bob.user.email} look`)).statusCode).toBe(201);
    expect((await comment(shared, `@${alice.user.email} note to self`)).statusCode).toBe(201);
    const page = await list(bob);
    expect(page.unread).toBe(1);
    expect(page.items).toEqual([
      expect.objectContaining({
        kind: 'mention',
        messageId: shared,
        read: false,
        summary: expect.stringContaining('“Big deal”'),
      }),
    ]);
    expect((await list(alice)).items).toEqual([]);
  });

  it('tells the owner of a reply to an email the mailbox sent', async () => {
    const sent = await fixtureMessage(
      api,
      dialect,
      inbox,
      fixtureRaw({
        subject: 'Proposal',
        date: 'Thu, 11 Jan 2024 09:00:00 +0000',
        from: 'Alice <alice@example.test>',
        to: 'carol@partner.example',
        messageId: 'proposal@example.test',
        body: 'Here it is.',
      }),
    );
    const reply = await fixtureMessage(
      api,
      dialect,
      inbox,
      fixtureRaw({
        subject: 'Re: Proposal',
        date: 'Fri, 12 Jan 2024 09:00:00 +0000',
        from: 'Carol <carol@partner.example>',
        inReplyTo: 'proposal@example.test',
        body: 'Looks good.',
      }),
    );
    const mailbox = { id: box, address: 'alice@example.test', owner_user_id: alice.user.id };
    await notifyReplies(api.context.store.db, mailbox, [sent.id, reply.id]);
    const page = await list(alice);
    expect(page.items).toEqual([
      expect.objectContaining({ kind: 'reply', messageId: String(reply.id), summary: 'Carol replied to “Proposal”' }),
    ]);
  });

  it('marks notifications read, one or all, and checks the payload', async () => {
    const [first] = (await list(bob)).items;
    const one = await api.app.inject({
      method: 'POST',
      url: '/api/v1/notifications/read',
      headers: bob.auth,
      payload: { ids: [first?.id ?? ''] },
    });
    expect(one.statusCode).toBe(204);
    expect(await list(bob)).toMatchObject({ unread: 0, items: [{ read: true }] });
    const all = await api.app.inject({
      method: 'POST',
      url: '/api/v1/notifications/read',
      headers: alice.auth,
      payload: {},
    });
    expect(all.statusCode).toBe(204);
    expect((await list(alice)).unread).toBe(0);
    const bad = await api.app.inject({
      method: 'POST',
      url: '/api/v1/notifications/read',
      headers: alice.auth,
      payload: { ids: 'all' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
    const openapi = (await api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ paths: object }>();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/api/v1/notifications', '/api/v1/notifications/read']),
    );
  });
});
