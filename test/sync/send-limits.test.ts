import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, infoOf, mailServers, serverSubjects, startMailServers } from '../support/index.ts';
import type { MailServers, MailServersInfo } from '../support/index.ts';
import { signedInUser } from '../support/api.ts';
import { closedPort } from '../support/misbehaving-smtp.ts';
import { connectTestMailbox, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 200 };

describe('the admin’s fallback outgoing server', () => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  beforeAll(async () => {
    servers = mailServers();
    api = await startSyncApi();
  });
  afterAll(async () => {
    await api.close();
  });

  const outgoing = (
    auth: { authorization: string },
    method: 'GET' | 'PUT' | 'DELETE',
    payload?: Record<string, unknown>,
  ) => api.app.inject({ method, url: '/api/v1/admin/outgoing-server', headers: auth, ...(payload ? { payload } : {}) });

  /**
   * A mailbox whose own SMTP server no longer answers (its address verified: how it gets
   * verified is test/security/fallback-relay.test.ts), and an admin fallback through the test Postfix.
   */
  async function setUp() {
    const admin = await signedInUser(api, { admin: true });
    const relay = await createMailUser(servers, 'relay');
    const configured = await outgoing(admin.auth, 'PUT', {
      host: servers.smtp.host,
      port: servers.smtp.port,
      security: 'none',
      username: relay.username,
      password: relay.password,
    });
    expect(configured.statusCode).toBe(200);
    const sender = await createMailUser(servers, 'sender');
    const recipient = await createMailUser(servers, 'recipient');
    const { owner, mailbox } = await connectTestMailbox(api, servers, sender, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    await api.context.store.db
      .updateTable('mailboxes')
      .set({ smtp_port: await closedPort(), address_verified_by: 'smtp', address_verified_at: Date.now() })
      .where('id', '=', mailbox.id)
      .execute();
    const consent = (value: boolean) =>
      api.app.inject({
        method: 'PATCH',
        url: `/api/v1/mailboxes/${mailbox.id}`,
        headers: owner.auth,
        payload: { fallbackConsent: value },
      });
    return { admin, relay, sender, recipient, owner, mailbox, consent };
  }

  it('sends through it when the mailbox’s server cannot be reached and its owner consented, and files the copy in Sent', async () => {
    const { sender, recipient, owner, mailbox, consent } = await setUp();
    expect((await consent(true)).json()).toMatchObject({ fallbackConsent: true });
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/v1/messages/send',
      headers: owner.auth,
      payload: {
        mailboxId: mailbox.id,
        to: [recipient.address],
        subject: 'Through the fallback',
        text: 'Still delivered',
      },
    });
    expect(response.statusCode).toBe(202);
    const { id } = response.json<{ id: string; via: string }>();
    expect(response.json()).toMatchObject({ via: 'fallback' });
    await expect.poll(() => serverSubjects(servers, recipient, 'INBOX'), poll).toEqual(['Through the fallback']);
    await expect.poll(() => serverSubjects(servers, sender, 'Sent'), poll).toEqual(['Through the fallback']);
    const row = await api.context.store.db
      .selectFrom('sends')
      .select(['state', 'via'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'sent', via: 'fallback' });
  });

  it('without consent answers a clear error and keeps the draft', async () => {
    const { recipient, owner, mailbox, consent } = await setUp();
    expect((await consent(false)).json()).toMatchObject({ fallbackConsent: false });
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/drafts',
      headers: owner.auth,
      payload: { mailboxId: mailbox.id, to: [recipient.address], subject: 'Kept', text: 'not sent' },
    });
    expect(created.statusCode).toBe(201);
    const draftId = created.json<{ id: string }>().id;
    const sent = await api.app.inject({ method: 'POST', url: `/api/v1/drafts/${draftId}/send`, headers: owner.auth });
    expect(sent.statusCode).toBe(502);
    const { error } = sent.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('send_failed');
    expect(error.message).toMatch(/cannot be reached.*does not allow sending through the admin’s outgoing server/);
    const draft = await api.app.inject({ method: 'GET', url: `/api/v1/drafts/${draftId}`, headers: owner.auth });
    expect(draft.statusCode).toBe(200);
    expect(draft.json()).toMatchObject({ fields: { subject: 'Kept' } });
    expect(await serverSubjects(servers, recipient, 'INBOX')).toEqual([]);
  });

  it('never routes around a refused login', async () => {
    const { recipient, owner, mailbox, consent } = await setUp();
    await consent(true);
    await api.context.store.db
      .updateTable('mailboxes')
      .set({ smtp_port: servers.smtp.port, smtp_username: 'nobody-here' })
      .where('id', '=', mailbox.id)
      .execute();
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/v1/messages/send',
      headers: owner.auth,
      payload: { mailboxId: mailbox.id, to: [recipient.address], subject: 'x', text: 'x' },
    });
    expect(response.statusCode).toBe(502);
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(/535|auth/i);
    expect(await serverSubjects(servers, recipient, 'INBOX')).toEqual([]);
  });

  it('is an admin setting: checked before it is saved, its password sealed and never shown', async () => {
    const admin = await signedInUser(api, { admin: true });
    const plain = await signedInUser(api);
    const relay = await createMailUser(servers, 'relay');
    const settings = {
      host: servers.smtp.host,
      port: servers.smtp.port,
      security: 'none',
      username: relay.username,
      password: relay.password,
    };
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const refused = await outgoing(plain.auth, method, method === 'PUT' ? settings : undefined);
      expect([method, refused.statusCode]).toEqual([method, 403]);
    }
    const wrong = await outgoing(admin.auth, 'PUT', { ...settings, password: 'wrong' });
    expect([wrong.statusCode, wrong.json<{ error: { code: string } }>().error.code]).toEqual([422, 'auth_failed']);
    const unreachable = await outgoing(admin.auth, 'PUT', { ...settings, port: await closedPort() });
    expect([unreachable.statusCode, unreachable.json<{ error: { code: string } }>().error.code]).toEqual([
      422,
      'connection_failed',
    ]);

    expect((await outgoing(admin.auth, 'PUT', settings)).statusCode).toBe(200);
    const shown = await outgoing(admin.auth, 'GET');
    expect(shown.json()).toEqual({
      server: { host: settings.host, port: settings.port, security: 'none', username: relay.username, domains: null },
    });
    const stored = await api.context.store.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'outgoing_server')
      .executeTakeFirstOrThrow();
    expect(stored.value).not.toContain(relay.password);
    expect(stored.value).not.toContain(relay.username);

    expect((await outgoing(admin.auth, 'DELETE')).statusCode).toBe(204);
    expect((await outgoing(admin.auth, 'GET')).json()).toEqual({ server: null });
  });
});

describe('a server that advertises APPENDLIMIT', () => {
  let own: MailServers;
  let servers: MailServersInfo;
  let api: SyncTestApi;
  const limit = 2_000_000;
  beforeAll(async () => {
    own = await startMailServers({ addCapabilities: [`APPENDLIMIT=${limit}`] });
    servers = infoOf(own);
    api = await startSyncApi();
  });
  afterAll(async () => {
    await api.close();
    await own.stop();
  });

  it('refuses a draft or a send that could not be filed, before anything reaches a server', async () => {
    const sender = await createMailUser(servers, 'sender');
    const recipient = await createMailUser(servers, 'recipient');
    const { owner, mailbox } = await connectTestMailbox(api, servers, sender, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    expect(
      (
        await api.context.store.db
          .selectFrom('mailboxes')
          .select('append_limit')
          .where('id', '=', mailbox.id)
          .executeTakeFirstOrThrow()
      ).append_limit,
    ).toBe(limit);

    // 2.2 MB once base64-encoded: under Postfix's 10 MB, over the 2 MB the IMAP server files.
    const attachments = [
      {
        filename: 'big.bin',
        contentType: 'application/octet-stream',
        contentBase64: randomBytes(1_650_000).toString('base64'),
      },
    ];
    const body = {
      mailboxId: mailbox.id,
      to: [recipient.address],
      subject: 'Too big to file',
      text: 'see attached',
      attachments,
    };
    const sent = await api.app.inject({
      method: 'POST',
      url: '/api/v1/messages/send',
      headers: owner.auth,
      payload: body,
    });
    expect(sent.statusCode).toBe(413);
    expect(sent.json()).toMatchObject({ error: { code: 'message_too_large', details: { limit } } });
    expect(sent.json<{ error: { message: string } }>().error.message).toMatch(
      /IMAP server .* files at most 1\.9 MB in Sent/,
    );
    const draft = await api.app.inject({ method: 'POST', url: '/api/v1/drafts', headers: owner.auth, payload: body });
    expect(draft.statusCode).toBe(413);
    expect(draft.json()).toMatchObject({ error: { code: 'message_too_large', details: { limit } } });
    expect(
      await api.context.store.db.selectFrom('sends').select('id').where('mailbox_id', '=', mailbox.id).execute(),
    ).toEqual([]);
    expect(
      await api.context.store.db.selectFrom('drafts').select('id').where('mailbox_id', '=', mailbox.id).execute(),
    ).toEqual([]);

    // A message under the limit goes out and is filed.
    const small = await api.app.inject({
      method: 'POST',
      url: '/api/v1/messages/send',
      headers: owner.auth,
      payload: { ...body, subject: 'Small enough', attachments: [] },
    });
    expect(small.statusCode).toBe(202);
    await expect.poll(() => serverSubjects(servers, recipient, 'INBOX'), poll).toEqual(['Small enough']);
    await expect.poll(() => serverSubjects(servers, sender, 'Sent'), poll).toEqual(['Small enough']);
  });
});
