import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliver, mailServers, otherClient } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { connectTestMailbox, startSyncApi, storedLocations, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 100 };

/** Subject, flags and source of every message in a server folder. */
async function onServer(servers: MailServersInfo, user: MailUser, folder: string) {
  const client: ImapFlow = await otherClient(servers, user);
  try {
    await client.mailboxOpen(folder, { readOnly: true });
    const found: { uid: number; subject: string; flags: string[]; source: string }[] = [];
    for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true, source: true })) {
      found.push({
        uid: m.uid,
        subject: m.envelope?.subject ?? '',
        flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
        source: m.source?.toString() ?? '',
      });
    }
    return found;
  } finally {
    await client.logout();
  }
}

const INLINE_DRAFT = [
  'From: me@example.test',
  'To: client@example.test',
  'Subject: written in the mail app',
  'Message-ID: <mailapp-draft@example.test>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/related; boundary="rel"',
  '',
  '--rel',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Our logo: <img src="cid:logo@example.test"></p>',
  '--rel',
  'Content-Type: image/png',
  'Content-ID: <logo@example.test>',
  'Content-Disposition: inline; filename="logo.png"',
  'Content-Transfer-Encoding: base64',
  '',
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  '--rel--',
  '',
].join('\r\n');

describe('drafts', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  beforeAll(async () => {
    api = await startSyncApi();
  });
  afterAll(() => api.close());

  it('are saved to the server’s Drafts, replaced on edit, removed on delete; merge tags stay as written', async () => {
    const user = await createMailUser(servers);
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/drafts',
      headers: owner.auth,
      payload: {
        mailboxId: mailbox.id,
        to: ['client@example.test'],
        subject: 'Proposal',
        html: '<p>Hi {{contact.firstName}}, see <a href="https://example.test/offer">the offer</a></p>',
      },
    });
    expect(created.statusCode).toBe(201);
    const draft = created.json<{ id: string }>();
    await expect
      .poll(async () => (await onServer(servers, user, 'Drafts')).map((m) => [m.subject, m.flags]), poll)
      .toEqual([['Proposal', ['\\Draft', '\\Seen']]]);
    const [saved] = await onServer(servers, user, 'Drafts');
    expect(saved?.source).toContain('{{contact.firstName}}');
    expect(saved?.source).toContain('https://example.test/offer');
    await expect
      .poll(
        async () => (await storedLocations(api, mailbox.id)).filter((l) => l.folder === 'Drafts').map((l) => l.subject),
        poll,
      )
      .toEqual(['Proposal']);

    for (const subject of ['Proposal v2', 'Proposal v3']) {
      const edited = await api.app.inject({
        method: 'PUT',
        url: `/api/v1/drafts/${draft.id}`,
        headers: owner.auth,
        payload: { to: ['client@example.test'], subject, text: 'Hello' },
      });
      expect(edited.statusCode).toBe(200);
    }
    await expect
      .poll(async () => (await onServer(servers, user, 'Drafts')).map((m) => m.subject), poll)
      .toEqual(['Proposal v3']);
    await expect
      .poll(
        async () =>
          (await api.app.inject({ method: 'GET', url: `/api/v1/drafts/${draft.id}`, headers: owner.auth })).json(),
        poll,
      )
      .toMatchObject({ state: 'saved', fields: { subject: 'Proposal v3' } });

    expect(
      (await api.app.inject({ method: 'DELETE', url: `/api/v1/drafts/${draft.id}`, headers: owner.auth })).statusCode,
    ).toBe(204);
    await expect.poll(async () => (await onServer(servers, user, 'Drafts')).length, poll).toBe(0);
  });

  it('written in the mail app, in a sub-folder of Drafts, show inline images inline and can be edited in Tandem', async () => {
    const user = await createMailUser(servers);
    const other = await otherClient(servers, user);
    const sub = await other.mailboxCreate(['Drafts', 'Clients']);
    await other.logout();
    await deliver(servers, user.username, INLINE_DRAFT, { folder: sub.path, flags: ['\\Draft'] });
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, {
      syncPeriod: '1m',
      folders: ['INBOX', 'Drafts', sub.path],
    });
    await waitIdle(api, owner.auth, mailbox.id);
    const location = (await storedLocations(api, mailbox.id)).find((l) => l.folder === sub.path);
    if (!location) throw new Error('the mail-app draft was not synced');
    const message = (
      await api.app.inject({ method: 'GET', url: `/api/v1/messages/${location.messageId}`, headers: owner.auth })
    ).json<{
      html: string;
      attachments: { id: string; inline: boolean; contentId: string }[];
    }>();
    const logo = message.attachments.find((a) => a.contentId === 'logo@example.test');
    expect(logo?.inline).toBe(true);
    expect(message.html).toContain(`/api/v1/attachments/${logo?.id}`);

    const edited = await api.app.inject({
      method: 'PUT',
      url: `/api/v1/drafts/${location.messageId}`,
      headers: owner.auth,
      payload: {
        to: ['client@example.test'],
        subject: 'edited in Tandem',
        html: '<p>Our logo: <img src="cid:logo@example.test"></p>',
        keepAttachments: [logo?.id],
      },
    });
    expect(edited.statusCode).toBe(200);
    await expect
      .poll(async () => (await onServer(servers, user, sub.path)).map((m) => m.subject), poll)
      .toEqual(['edited in Tandem']);
    const [version] = await onServer(servers, user, sub.path);
    expect(version?.source).toMatch(/Content-ID: <logo@example.test>/i);
  });

  it('deleted in the mail app answer draft_deleted until restored', async () => {
    const user = await createMailUser(servers);
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    const draft = (
      await api.app.inject({
        method: 'POST',
        url: '/api/v1/drafts',
        headers: owner.auth,
        payload: { mailboxId: mailbox.id, subject: 'keep me', text: 'draft body' },
      })
    ).json<{ id: string }>();
    await expect
      .poll(async () => (await storedLocations(api, mailbox.id)).filter((l) => l.folder === 'Drafts').length, poll)
      .toBe(1);
    const other = await otherClient(servers, user);
    await other.mailboxOpen('Drafts');
    await other.messageDelete('1:*');
    await other.logout();
    await expect
      .poll(
        async () =>
          (await api.app.inject({ method: 'GET', url: `/api/v1/drafts/${draft.id}`, headers: owner.auth })).statusCode,
        poll,
      )
      .toBe(410);
    const gone = await api.app.inject({
      method: 'PUT',
      url: `/api/v1/drafts/${draft.id}`,
      headers: owner.auth,
      payload: { subject: 'edit' },
    });
    expect(gone.json()).toMatchObject({ error: { code: 'draft_deleted' } });
    expect(
      (await api.app.inject({ method: 'POST', url: `/api/v1/drafts/${draft.id}/restore`, headers: owner.auth }))
        .statusCode,
    ).toBe(200);
    await expect
      .poll(async () => (await onServer(servers, user, 'Drafts')).map((m) => m.subject), poll)
      .toEqual(['keep me']);
  });

  it('get the user’s signature when composed in Tandem', async () => {
    const user = await createMailUser(servers);
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    const me = await api.app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: owner.auth,
      payload: { signature: 'Ann Example\nAcme Sales' },
    });
    expect(me.json()).toMatchObject({ signature: 'Ann Example\nAcme Sales' });
    await api.app.inject({
      method: 'POST',
      url: '/api/v1/drafts',
      headers: owner.auth,
      payload: { mailboxId: mailbox.id, subject: 'signed', text: 'Hello' },
    });
    await api.app.inject({
      method: 'POST',
      url: '/api/v1/drafts',
      headers: owner.auth,
      payload: { mailboxId: mailbox.id, subject: 'unsigned', text: 'Hello', includeSignature: false },
    });
    await expect.poll(async () => (await onServer(servers, user, 'Drafts')).length, poll).toBe(2);
    const drafts = await onServer(servers, user, 'Drafts');
    expect(drafts.find((d) => d.subject === 'signed')?.source).toMatch(/Hello\r\n\r\n-- \r\nAnn Example\r\nAcme Sales/);
    expect(drafts.find((d) => d.subject === 'unsigned')?.source).not.toContain('Ann Example');
  });
});

describe('sending a draft', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  beforeAll(async () => {
    api = await startSyncApi();
  });
  afterAll(() => api.close());

  it('delivers it, files it in Sent and removes it from Drafts', async () => {
    const user = await createMailUser(servers);
    const recipient = await createMailUser(servers, 'recipient');
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    const draft = (
      await api.app.inject({
        method: 'POST',
        url: '/api/v1/drafts',
        headers: owner.auth,
        payload: { mailboxId: mailbox.id, to: [recipient.address], subject: 'from a draft', text: 'draft body' },
      })
    ).json<{ id: string }>();
    await expect.poll(async () => (await onServer(servers, user, 'Drafts')).length, poll).toBe(1);
    const sent = await api.app.inject({ method: 'POST', url: `/api/v1/drafts/${draft.id}/send`, headers: owner.auth });
    expect(sent.statusCode).toBe(202);
    await expect
      .poll(async () => (await onServer(servers, recipient, 'INBOX')).map((m) => m.subject), poll)
      .toEqual(['from a draft']);
    await expect
      .poll(async () => (await onServer(servers, user, 'Sent')).map((m) => m.subject), poll)
      .toEqual(['from a draft']);
    await expect.poll(async () => (await onServer(servers, user, 'Drafts')).length, poll).toBe(0);
    expect(
      (await api.app.inject({ method: 'GET', url: `/api/v1/drafts/${draft.id}`, headers: owner.auth })).statusCode,
    ).toBe(404);
  });

  it('refuses a draft without recipients and keeps it', async () => {
    const user = await createMailUser(servers);
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now' });
    const draft = (
      await api.app.inject({
        method: 'POST',
        url: '/api/v1/drafts',
        headers: owner.auth,
        payload: { mailboxId: mailbox.id, subject: 'nobody yet' },
      })
    ).json<{ id: string }>();
    const refused = await api.app.inject({
      method: 'POST',
      url: `/api/v1/drafts/${draft.id}/send`,
      headers: owner.auth,
    });
    expect(refused.statusCode).toBe(400);
    expect(
      (await api.app.inject({ method: 'GET', url: `/api/v1/drafts/${draft.id}`, headers: owner.auth })).statusCode,
    ).toBe(200);
  });
});
