import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxView } from '../../src/mail/mailboxes/index.ts';
import { syncConnectOptions } from '../../src/mail/account/index.ts';
import { signedInUser } from '../support/api.ts';
import { createMailUser, deliver, doveadm, mailServers } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { rawMessage, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';
import { waitFor } from '../support/wait-for.ts';

describe('provider-specific behaviour', () => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  beforeAll(async () => {
    servers = mailServers();
    api = await startSyncApi();
  });
  afterAll(() => api?.close());

  /** A mailbox on the local server whose address says which provider it is at. */
  const connect = async (mailUser: MailUser, address: string, password = mailUser.password) => {
    const owner = await signedInUser(api);
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: owner.auth,
      payload: {
        address,
        imap: { ...servers.imap, security: 'none', username: mailUser.username, password },
        smtp: { ...servers.smtp, security: 'none', username: mailUser.username, password },
        syncPeriod: '1m',
      },
    });
    return { owner, response };
  };

  it('a refused password at a provider that wants an app password points to its help page', async () => {
    const mailUser = await createMailUser(servers, 'yahoo');
    const { response } = await connect(mailUser, 'someone@yahoo.com', 'my-account-password');
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      error: {
        code: 'auth_failed',
        message: expect.stringMatching(/app password.*https:\/\/help\.yahoo\.com\//),
        details: { providerId: 'yahoo', helpUrl: expect.stringMatching(/^https:\/\/help\.yahoo\.com\//) },
      },
    });
    const gmail = await connect(mailUser, 'someone@gmail.com', 'my-account-password');
    expect(gmail.response.json()).toMatchObject({
      error: {
        code: 'auth_failed',
        message: expect.stringMatching(/sign in with Gmail/),
        details: { providerId: 'google' },
      },
    });
    const other = await connect(mailUser, 'someone@example.test', 'my-account-password');
    expect(other.response.json()).toMatchObject({ error: { code: 'auth_failed' } });
    expect(other.response.json<{ error: { details?: { helpUrl?: string } } }>().error.details?.helpUrl).toBeUndefined();
  });

  it('Gmail files the sent copy itself: Tandem does not APPEND one to Sent', async () => {
    const mailUser = await createMailUser(servers, 'gmail');
    const recipient = await createMailUser(servers, 'recipient');
    const { owner, response } = await connect(mailUser, 'someone@gmail.com');
    expect(response.statusCode, response.body).toBe(201);
    const mailbox = response.json<MailboxView>();
    expect(mailbox.providerId).toBe('google');
    await waitIdle(api, owner.auth, mailbox.id);
    const sent = await api.app.inject({
      method: 'POST',
      url: '/api/v1/messages/send',
      headers: owner.auth,
      payload: { mailboxId: mailbox.id, to: [recipient.address], subject: 'Filed by the provider', text: 'x' },
    });
    expect(sent.statusCode, sent.body).toBe(202);
    await waitFor(
      async () =>
        (await doveadm(servers, ['search', '-u', recipient.username, 'mailbox', 'INBOX', 'all'])).trim() !== '',
      { what: 'delivery' },
    );
    expect((await doveadm(servers, ['search', '-u', mailUser.username, 'mailbox', 'Sent', 'all'])).trim()).toBe('');
  });

  it('Gmail: a permanent delete outside Trash moves to Trash (an expunge there would only remove the label)', async () => {
    const mailUser = await createMailUser(servers, 'gmail-delete');
    await deliver(servers, mailUser.username, rawMessage('Delete me'));
    const { owner, response } = await connect(mailUser, 'deleter@gmail.com');
    const mailbox = response.json<MailboxView>();
    await waitIdle(api, owner.auth, mailbox.id);
    const list = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages?mailboxId=${mailbox.id}&folder=INBOX`,
      headers: owner.auth,
    });
    const [message] = list.json<{ items: { id: string }[] }>().items;
    const deleted = await api.app.inject({
      method: 'DELETE',
      url: `/api/v1/messages/${message?.id}?permanent=true`,
      headers: owner.auth,
    });
    expect(deleted.statusCode, deleted.body).toBeLessThan(300);
    const search = (folder: string) =>
      doveadm(servers, ['search', '-u', mailUser.username, 'mailbox', folder, 'all']).then((out) => out.trim());
    await waitFor(async () => (await search('Trash')) !== '', { what: 'the message in Trash' });
    expect(await search('INBOX')).toBe('');
  });

  it('a mailbox at an ordinary provider still gets its Sent copy (control)', async () => {
    const mailUser = await createMailUser(servers, 'plain');
    await deliver(servers, mailUser.username, rawMessage('hello'));
    const { owner, response } = await connect(mailUser, mailUser.address);
    const mailbox = response.json<MailboxView>();
    expect(mailbox.providerId).toBeNull();
    await waitIdle(api, owner.auth, mailbox.id);
    await api.app.inject({
      method: 'POST',
      url: '/api/v1/messages/send',
      headers: owner.auth,
      payload: { mailboxId: mailbox.id, to: [mailUser.address], subject: 'Copy kept', text: 'x' },
    });
    await waitFor(
      async () => (await doveadm(servers, ['search', '-u', mailUser.username, 'mailbox', 'Sent', 'all'])).trim() !== '',
      { what: 'the Sent copy' },
    );
  });

  it('iCloud never gets QRESYNC enabled; others do', () => {
    expect(syncConnectOptions({ provider_id: 'icloud' }).qresync).toBe(false);
    expect(syncConnectOptions({ provider_id: 'google' }).qresync).toBe(true);
    expect(syncConnectOptions({ provider_id: null }).qresync).toBe(true);
  });
});
