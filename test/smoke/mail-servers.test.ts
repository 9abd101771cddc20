// Proves the test harness's real servers work, so a failing sync test points at
// Tandem rather than at the harness.
import { readFile } from 'node:fs/promises';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMailUser,
  deliver,
  doveadm,
  mailServers,
  otherClient,
  sendViaPostfix,
  startMailServers,
  waitFor,
  type MailServers,
} from '../support/index.ts';

const message = (to: string, subject: string, body = 'Hello from the smoke test.') =>
  `From: Sender <sender@example.test>\r\nTo: ${to}\r\nSubject: ${subject}\r\n` +
  `Message-ID: <${subject.replace(/\W/g, '')}@smoke.test>\r\nDate: Thu, 27 Nov 2025 10:00:00 +0000\r\n\r\n${body}\r\n`;

describe('shared servers from the global setup', () => {
  it('Postfix delivers to Dovecot, and the message is read over IMAP', async () => {
    const servers = mailServers();
    const user = await createMailUser(servers, 'smtp');
    const sent = await sendViaPostfix(servers, {
      from: 'sender@example.test',
      to: user.address,
      raw: message(user.address, 'Through Postfix'),
    });
    expect(sent.accepted).toEqual([user.address]);

    const client = await otherClient(servers, user);
    try {
      const exists = await waitFor(
        async () => {
          const status = await client.status('INBOX', { messages: true });
          return (status && status.messages) || false;
        },
        { what: 'the message to reach INBOX' },
      );
      expect(exists).toBe(1);
      await client.mailboxOpen('INBOX');
      const fetched = await client.fetchOne('*', { envelope: true, source: true });
      expect(fetched && fetched.envelope?.subject).toBe('Through Postfix');
      expect(fetched && fetched.source?.toString()).toContain('Hello from the smoke test.');
    } finally {
      await client.logout();
    }
  });

  it('deliver() saves through doveadm and returns the UID, with flags', async () => {
    const servers = mailServers();
    const user = await createMailUser(servers);
    const first = await deliver(servers, user.username, message(user.address, 'First'));
    const second = await deliver(servers, user.username, Buffer.from(message(user.address, 'Second')), {
      flags: ['\\Seen', '\\Flagged'],
    });
    const archived = await deliver(servers, user.username, message(user.address, 'Archived'), { folder: 'Archive' });
    expect([first, second, archived]).toEqual([1, 2, 1]);

    const client = await otherClient(servers, user);
    try {
      await client.mailboxOpen('INBOX');
      const msg = await client.fetchOne(String(second), { flags: true, envelope: true }, { uid: true });
      expect(msg && msg.envelope?.subject).toBe('Second');
      // \Recent is Dovecot's session flag for new mail, not one deliver() set.
      expect(msg && [...(msg.flags ?? [])].filter((f) => f !== '\\Recent').sort()).toEqual(['\\Flagged', '\\Seen']);
    } finally {
      await client.logout();
    }
    expect(
      await doveadm(servers, [
        'fetch',
        '-u',
        user.username,
        'hdr.subject',
        'mailbox',
        'Archive',
        'uid',
        String(archived),
      ]),
    ).toContain('Archived');
  });

  it('lists the special-use folders with their roles, subscribed', async () => {
    const servers = mailServers();
    const client = await otherClient(servers, await createMailUser(servers));
    try {
      const folders = await client.list();
      const roles = Object.fromEntries(folders.map((f) => [f.path, f.specialUse ?? null]));
      expect(roles).toMatchObject({
        INBOX: '\\Inbox',
        Sent: '\\Sent',
        Drafts: '\\Drafts',
        Trash: '\\Trash',
        Junk: '\\Junk',
        Archive: '\\Archive',
      });
      expect(folders.filter((f) => f.path !== 'INBOX').every((f) => f.subscribed)).toBe(true);
    } finally {
      await client.logout();
    }
  });

  it('users created concurrently can all log in at once', async () => {
    const servers = mailServers();
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => createMailUser(servers, `many${i}`)));
    expect(new Set(users.map((u) => u.address)).size).toBe(20);
    await Promise.all(users.map(async (user) => (await otherClient(servers, user)).logout()));
  });

  it('refuses a wrong password over IMAP and SMTP, accepts the right one over SMTP', async () => {
    const servers = mailServers();
    const user = await createMailUser(servers);
    const client = new ImapFlow({
      host: servers.imap.host,
      port: servers.imap.port,
      secure: false,
      logger: false,
      auth: { user: user.username, pass: 'wrong' },
    });
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
    client.close();

    const raw = message(user.address, 'Authenticated');
    await expect(
      sendViaPostfix(servers, {
        from: user.address,
        to: user.address,
        raw,
        auth: { user: user.username, pass: 'wrong' },
      }),
    ).rejects.toMatchObject({ code: 'EAUTH' });
    const sent = await sendViaPostfix(servers, {
      from: user.address,
      to: user.address,
      raw,
      auth: { user: user.username, pass: user.password },
    });
    expect(sent.accepted).toEqual([user.address]);
  });

  it('has a real SIZE limit: Postfix refuses a message over 10 MB', async () => {
    const servers = mailServers();
    const user = await createMailUser(servers);
    const raw = message(user.address, 'Too big', 'x'.repeat(76).concat('\r\n').repeat(140_000)); // ~11 MB
    await expect(sendViaPostfix(servers, { from: 'sender@example.test', to: user.address, raw })).rejects.toMatchObject(
      { responseCode: 552 },
    );
  });

  it('advertises QRESYNC and CONDSTORE by default', async () => {
    const servers = mailServers();
    const client = await otherClient(servers, await createMailUser(servers));
    try {
      expect(client.capabilities.has('QRESYNC')).toBe(true);
      expect(client.capabilities.has('CONDSTORE')).toBe(true);
    } finally {
      await client.logout();
    }
  });
});

describe('a Dovecot without QRESYNC and CONDSTORE', () => {
  let servers: MailServers;
  beforeAll(async () => {
    servers = await startMailServers({ disableCapabilities: ['QRESYNC', 'CONDSTORE'] });
  });
  afterAll(() => servers?.stop());

  it('does not advertise them, and keeps the rest', async () => {
    const client = await otherClient(servers, await createMailUser(servers));
    try {
      expect(client.capabilities.has('QRESYNC')).toBe(false);
      expect(client.capabilities.has('CONDSTORE')).toBe(false);
      for (const kept of ['IDLE', 'MOVE', 'UIDPLUS', 'SPECIAL-USE', 'NOTIFY'])
        expect(client.capabilities.has(kept)).toBe(true);
    } finally {
      await client.logout();
    }
  });
});

describe('servers with TLS', () => {
  let servers: MailServers;
  beforeAll(async () => {
    servers = await startMailServers({ tls: true });
  });
  afterAll(() => servers?.stop());

  it('accept implicit TLS with a self-signed certificate', async () => {
    const user = await createMailUser(servers);
    const client = new ImapFlow({
      host: servers.imapTls!.host,
      port: servers.imapTls!.port,
      secure: true,
      logger: false,
      tls: { rejectUnauthorized: false },
      auth: { user: user.username, pass: user.password },
    });
    await client.connect();
    expect(client.secureConnection).toBe(true);
    await client.logout();
  });

  it('offer STARTTLS on the plain port, verifiable against the certificate', async () => {
    const user = await createMailUser(servers);
    const client = new ImapFlow({
      host: servers.imap.host,
      port: servers.imap.port,
      secure: false,
      doSTARTTLS: true,
      logger: false,
      tls: { ca: await readFile(servers.tlsCert!) },
      auth: { user: user.username, pass: user.password },
    });
    await client.connect();
    expect(client.secureConnection).toBe(true);
    await client.logout();
  });
});
