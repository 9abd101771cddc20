import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/db/index.ts';
import { parseMessage } from '../../src/mail/mime/index.ts';
import type { MailboxView } from '../../src/mail/mailboxes/index.ts';
import { signedInUser } from '../support/api.ts';
import { createMailUser, deliver, mailServers, otherClient, serverCopies } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import { startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 200 };
type User = Awaited<ReturnType<typeof signedInUser>>;
interface Conversation {
  id: string;
  token: string;
  status: string;
  assignee: { id: string } | null;
  caseId: string | null;
  messages: number;
}
interface Detail extends Conversation {
  thread: { id: string; signal: string; outbound: boolean; subject: string }[];
  cursor: string;
}

describe.each(await storeDialects())('a group mailbox against Dovecot and Postfix on %s', (dialect: Dialect) => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  let admin: User;
  let ann: User;
  let ben: User;
  let support: MailUser;
  let customer: MailUser;
  let mailbox: MailboxView;

  const call = async (who: User, method: string, url: string, payload?: unknown) => {
    const response = await api.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: who.auth,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };
  const conversations = async (who: User, filter = 'all') =>
    (await call(who, 'GET', `/mailboxes/${mailbox.id}/conversations?filter=${filter}`)).body.items as Conversation[];
  const detail = async (who: User, id: string) =>
    (await call(who, 'GET', `/conversations/${id}`)).body as unknown as Detail;
  /** The customer writes to support@ through Postfix. */
  const customerWrites = async (subject: string, headers: Record<string, string> = {}, messageId?: string) => {
    const transport = nodemailer.createTransport({
      host: servers.smtp.host,
      port: servers.smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: `Carla Customer <${customer.address}>`,
      to: support.address,
      subject,
      text: `About: ${subject}`,
      headers,
      ...(messageId ? { messageId: `<${messageId}>` } : {}),
    });
    transport.close();
  };

  beforeAll(async () => {
    servers = mailServers();
    api = await startSyncApi(dialect);
    admin = await signedInUser(api, { admin: true });
    ann = await signedInUser(api);
    ben = await signedInUser(api);
    support = await createMailUser(servers, 'support');
    customer = await createMailUser(servers, 'customer');
    const created = await call(admin, 'POST', '/mailboxes', {
      kind: 'group',
      address: support.address,
      imap: {
        host: servers.imap.host,
        port: servers.imap.port,
        security: 'none',
        username: support.username,
        password: support.password,
      },
      smtp: {
        host: servers.smtp.host,
        port: servers.smtp.port,
        security: 'none',
        username: support.username,
        password: support.password,
      },
      syncPeriod: 'now',
      group: {
        name: 'Support',
        members: [{ userId: ann.user.id, canManage: true }, { userId: ben.user.id }],
        emailToCase: true,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    mailbox = created.body as unknown as MailboxView;
    await waitIdle(api, ann.auth, mailbox.id);
  });
  afterAll(async () => {
    await api.close();
  });

  it('works a case from the customer’s first mail to a reopen, with threading, collisions and loop rules', async () => {
    // An admin set it up; the admin is not a member and does not see it.
    expect((await call(admin, 'GET', `/mailboxes/${mailbox.id}`)).status).toBe(404);
    expect(mailbox).toMatchObject({ kind: 'group', group: { name: 'Support', emailToCase: true } });

    const firstId = `order-${randomBytes(4).toString('hex')}@example.test`;
    await customerWrites('My order is late', {}, firstId);
    await expect.poll(async () => (await conversations(ben)).length, poll).toBe(1);
    const [conversation] = await conversations(ben);
    if (!conversation) throw new Error('no conversation');
    expect(conversation).toMatchObject({ status: 'open', assignee: null, messages: 1 });
    expect(conversation.caseId).not.toBeNull();

    expect((await call(ann, 'PATCH', `/conversations/${conversation.id}`, { assigneeId: ann.user.id })).status).toBe(
      200,
    );
    expect((await conversations(ben, 'mine')).length).toBe(0);
    expect((await conversations(ann, 'mine')).map((c) => c.id)).toEqual([conversation.id]);

    // Ben opens the conversation and starts a reply; Ann's reply goes out first.
    const benOpened = await detail(ben, conversation.id);
    const annOpened = await detail(ann, conversation.id);
    const sent = await call(ann, 'POST', `/conversations/${conversation.id}/reply`, {
      text: 'We are on it.',
      seenUpTo: annOpened.cursor,
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    await expect.poll(async () => (await serverCopies(servers, customer, 'INBOX')).length, poll).toBe(1);
    const [received] = await serverCopies(servers, customer, 'INBOX');
    const parsed = await parseMessage(received?.source ?? Buffer.alloc(0));
    expect(parsed.from).toEqual({ name: `${ann.user.name} at Support`, address: support.address });
    expect(parsed.subject).toBe(`Re: My order is late ${conversation.token}`);
    expect(parsed.inReplyTo).toBe(firstId);
    // Filed in the group's Sent exactly once, and into the conversation as our reply.
    await expect.poll(async () => (await serverCopies(servers, support, 'Sent')).length, poll).toBe(1);
    await expect
      .poll(async () => (await detail(ann, conversation.id)).thread.map((m) => [m.signal, m.outbound]), poll)
      .toEqual([
        ['new', false],
        ['sent', true],
      ]);

    const collision = await call(ben, 'POST', `/conversations/${conversation.id}/reply`, {
      text: 'Me too',
      seenUpTo: benOpened.cursor,
    });
    expect(collision.status).toBe(409);
    const news = collision.body.error as {
      code: string;
      details: { cursor: string; items: { kind: string; by: { id: string } | null }[] };
    };
    expect(news.code).toBe('conversation_changed');
    expect(news.details.items[0]).toMatchObject({ kind: 'reply', by: { id: ann.user.id } });
    expect(await serverCopies(servers, customer, 'INBOX')).toHaveLength(1); // nothing sent

    // The customer answers from a client that drops In-Reply-To/References but keeps the token.
    await customerWrites(`RE: My order is late ${conversation.token}`);
    await expect
      .poll(async () => (await detail(ann, conversation.id)).thread.map((m) => m.signal), poll)
      .toEqual(['new', 'sent', 'token']);
    expect(await conversations(ann)).toHaveLength(1);
    const caseEmails = await call(ann, 'GET', `/cases/${conversation.caseId}/emails`);
    expect((caseEmails.body.items as unknown[]).length).toBe(3);

    // A colleague answers from their own mail app: the copy lands in Sent over IMAP.
    const beforeApp = await detail(ben, conversation.id);
    const app = await otherClient(servers, support);
    try {
      await app.append(
        'Sent',
        [
          `From: Support <${support.address}>`,
          `To: ${customer.address}`,
          `Subject: Re: My order is late ${conversation.token}`,
          `Message-ID: <mail-app-${randomBytes(4).toString('hex')}@example.test>`,
          `In-Reply-To: <${firstId}>`,
          `References: <${firstId}>`,
          `Date: ${new Date().toUTCString()}`,
          '',
          'Sent from my mail app',
          '',
        ].join('\r\n'),
        ['\\Seen'],
      );
    } finally {
      await app.logout();
    }
    await expect.poll(async () => (await detail(ben, conversation.id)).thread.length, poll).toBe(4);
    const fromApp = await call(ben, 'POST', `/conversations/${conversation.id}/reply`, {
      text: 'Late answer',
      seenUpTo: beforeApp.cursor,
    });
    expect(fromApp.status).toBe(409);
    expect((fromApp.body.error as { details: { items: { kind: string; by: unknown }[] } }).details.items).toEqual([
      expect.objectContaining({ kind: 'message', by: null }),
    ]);

    // An auto-reply and a bounce arrive: no case, no conversation, nothing sent.
    const casesBefore = ((await call(ann, 'GET', '/cases')).body.items as unknown[]).length;
    await deliver(
      servers,
      support.username,
      [
        `From: ${customer.address}`,
        `To: ${support.address}`,
        'Subject: Out of office',
        'Auto-Submitted: auto-replied',
        `Message-ID: <ooo-${randomBytes(4).toString('hex')}@example.test>`,
        '',
        'I am away.',
        '',
      ].join('\r\n'),
    );
    await deliver(
      servers,
      support.username,
      [
        'From: MAILER-DAEMON@example.test',
        `To: ${support.address}`,
        'Subject: Undelivered Mail Returned to Sender',
        `Message-ID: <bounce-${randomBytes(4).toString('hex')}@example.test>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'Could not deliver.',
        '--b',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; example.test',
        '',
        'Final-Recipient: rfc822; nobody@example.test',
        'Action: failed',
        'Status: 5.1.1',
        '--b--',
        '',
      ].join('\r\n'),
    );
    await expect
      .poll(
        async () =>
          (
            await api.context.store.db
              .selectFrom('messages')
              .select('subject')
              .where('mailbox_id', '=', mailbox.id)
              .where('subject', 'in', ['Out of office', 'Undelivered Mail Returned to Sender'])
              .execute()
          ).length,
        poll,
      )
      .toBe(2);
    expect(await conversations(ann)).toHaveLength(1);
    expect(((await call(ann, 'GET', '/cases')).body.items as unknown[]).length).toBe(casesBefore);
    expect(await serverCopies(servers, customer, 'INBOX')).toHaveLength(1);

    // Closed; the customer writes again: reopened.
    await call(ann, 'PATCH', `/conversations/${conversation.id}`, { status: 'closed' });
    expect(await conversations(ann)).toHaveLength(0);
    await customerWrites(`Still waiting ${conversation.token}`);
    await expect.poll(async () => (await detail(ann, conversation.id)).status, poll).toBe('open');
    // Status is Tandem's: the server's folders are as they were (nothing moved or flagged away).
    expect((await serverCopies(servers, support, 'INBOX')).length).toBe(5);
  });
});
