// From spoofing through the admin's fallback outgoing server, against real Dovecot and
// Postfix: a mailbox's address is typed by its owner, so the fallback relays only for an
// address shown to be theirs (a send their own SMTP server accepted, a code mailed to the
// address, or the provider's identity: test/providers/oauth.test.ts), and only for the
// domains the admin lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, otherClient, serverSubjects } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { signedInUser } from '../support/api.ts';
import { closedPort } from '../support/misbehaving-smtp.ts';
import { startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';
import type { MailboxView } from '../../src/mail/mailboxes/index.ts';

const poll = { timeout: 30_000, interval: 200 };
type Auth = { authorization: string };

describe('the admin’s fallback outgoing server and From addresses', () => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  let admin: Auth;
  let relaySettings: Record<string, unknown>;

  beforeAll(async () => {
    servers = mailServers();
    api = await startSyncApi();
    admin = (await signedInUser(api, { admin: true })).auth;
    const relay = await createMailUser(servers, 'relay');
    relaySettings = {
      host: servers.smtp.host,
      port: servers.smtp.port,
      security: 'none',
      username: relay.username,
      password: relay.password,
    };
    await setFallback();
  });
  afterAll(() => api?.close());

  async function setFallback(domains?: string[]) {
    const response = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/outgoing-server',
      headers: admin,
      payload: { ...relaySettings, ...(domains ? { domains } : {}) },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ server: { domains: string[] | null } }>();
  }

  const call = (auth: Auth, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    api.app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });

  /** Connects `login`'s account under `address` (its own, or someone else's), consenting to the fallback. */
  async function connect(login: MailUser, address = login.address) {
    const owner = await signedInUser(api);
    const account = {
      host: servers.smtp.host,
      security: 'none',
      username: login.username,
      password: login.password,
    };
    const created = await call(owner.auth, 'POST', '/mailboxes', {
      address,
      imap: { ...account, port: servers.imap.port },
      smtp: { ...account, port: servers.smtp.port },
      syncPeriod: 'now',
      fallbackConsent: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const mailbox = created.json<MailboxView>();
    await waitIdle(api, owner.auth, mailbox.id);
    expect(mailbox.addressVerified).toBeNull();
    return { owner, mailbox };
  }

  async function ownServerGoesDown(mailboxId: string) {
    await api.context.store.db
      .updateTable('mailboxes')
      .set({ smtp_port: await closedPort() })
      .where('id', '=', mailboxId)
      .execute();
  }

  const send = (auth: Auth, mailboxId: string, to: string, subject: string) =>
    call(auth, 'POST', '/messages/send', { mailboxId, to: [to], subject, text: 'Hello' });

  const verifiedBy = async (auth: Auth, id: string) =>
    (await call(auth, 'GET', `/mailboxes/${id}`)).json<MailboxView>().addressVerified;

  /** The code in the confirmation email that reached `user`'s INBOX. */
  async function mailedCode(user: MailUser): Promise<string> {
    await expect
      .poll(async () => (await serverSubjects(servers, user, 'INBOX')).some((s) => s.includes('confirmation')), poll)
      .toBe(true);
    const client = await otherClient(servers, user);
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const message = await client.fetchOne('*', { envelope: true });
        return /code is (\d{8})/.exec(message ? (message.envelope?.subject ?? '') : '')?.[1] ?? '';
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  }

  it('refuses to send as an address the account was not shown to own, and mails its code to that address only', async () => {
    const [mallory, ceo, recipient] = await Promise.all([
      createMailUser(servers, 'mallory'),
      createMailUser(servers, 'ceo'),
      createMailUser(servers, 'recipient'),
    ]);
    const { owner, mailbox } = await connect(mallory, ceo.address);
    await ownServerGoesDown(mailbox.id);

    const spoofed = await send(owner.auth, mailbox.id, recipient.address, 'Wire the money');
    expect(spoofed.statusCode).toBe(502);
    expect(spoofed.json<{ error: { message: string } }>().error.message).toMatch(
      /sends only for verified addresses, and .* is not verified/,
    );

    // The code goes to the address itself: the CEO's inbox, not Mallory's.
    expect((await call(owner.auth, 'POST', `/mailboxes/${mailbox.id}/address-verification`)).statusCode).toBe(202);
    const code = await mailedCode(ceo);
    expect(code).toMatch(/^\d{8}$/);
    expect(await serverSubjects(servers, mallory, 'INBOX')).toEqual([]);
    for (let i = 0; i < 5; i++) {
      const guess = await call(owner.auth, 'POST', `/mailboxes/${mailbox.id}/address-verification/confirm`, {
        code: String((Number(code) + 1 + i) % 100_000_000).padStart(8, '0'),
      });
      expect(guess.json()).toMatchObject({ error: { code: 'invalid_address_code' } });
    }
    // Five wrong guesses spend the code: even the right one no longer works.
    const late = await call(owner.auth, 'POST', `/mailboxes/${mailbox.id}/address-verification/confirm`, { code });
    expect(late.json()).toMatchObject({ error: { code: 'invalid_address_code' } });
    expect(await verifiedBy(owner.auth, mailbox.id)).toBeNull();
    expect((await send(owner.auth, mailbox.id, recipient.address, 'Wire the money')).statusCode).toBe(502);
    expect(await serverSubjects(servers, recipient, 'INBOX')).toEqual([]);
  });

  it('relays for an address confirmed with the code mailed to it', async () => {
    const [user, recipient] = await Promise.all([createMailUser(servers, 'coded'), createMailUser(servers, 'rcpt')]);
    const { owner, mailbox } = await connect(user);
    await ownServerGoesDown(mailbox.id);
    expect((await call(owner.auth, 'POST', `/mailboxes/${mailbox.id}/address-verification`)).statusCode).toBe(202);
    const code = await mailedCode(user);
    const confirmed = await call(owner.auth, 'POST', `/mailboxes/${mailbox.id}/address-verification/confirm`, {
      code,
    });
    expect(confirmed.json()).toMatchObject({ addressVerified: 'code' });
    const sent = await send(owner.auth, mailbox.id, recipient.address, 'Confirmed first');
    expect([sent.statusCode, sent.json()]).toMatchObject([202, { via: 'fallback' }]);
    await expect.poll(() => serverSubjects(servers, recipient, 'INBOX'), poll).toEqual(['Confirmed first']);
  });

  it('takes a send the mailbox’s own server accepted as proof, and keeps to the admin’s domains', async () => {
    const [user, recipient] = await Promise.all([createMailUser(servers, 'own'), createMailUser(servers, 'rcpt')]);
    const { owner, mailbox } = await connect(user);
    expect((await send(owner.auth, mailbox.id, recipient.address, 'Through my own server')).json()).toMatchObject({
      via: 'mailbox',
    });
    expect(await verifiedBy(owner.auth, mailbox.id)).toBe('smtp');
    await ownServerGoesDown(mailbox.id);

    expect((await setFallback(['elsewhere.test'])).server.domains).toEqual(['elsewhere.test']);
    try {
      const outside = await send(owner.auth, mailbox.id, recipient.address, 'Outside the domains');
      expect(outside.statusCode).toBe(502);
      expect(outside.json<{ error: { message: string } }>().error.message).toMatch(/sends only for elsewhere\.test/);
      // Not even a confirmation code leaves through it for an address outside its domains.
      expect((await call(owner.auth, 'POST', `/mailboxes/${mailbox.id}/address-verification`)).statusCode).toBe(502);

      await setFallback(['Example.TEST']);
      const inside = await send(owner.auth, mailbox.id, recipient.address, 'Inside the domains');
      expect([inside.statusCode, inside.json()]).toMatchObject([202, { via: 'fallback' }]);
      await expect
        .poll(async () => (await serverSubjects(servers, recipient, 'INBOX')).sort(), poll)
        .toEqual(['Inside the domains', 'Through my own server']);
    } finally {
      await setFallback();
    }
  });
});
