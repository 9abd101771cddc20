import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/db/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';
import { insertFolder, insertGroupMailbox, rawEmail, storeEmail } from './support.ts';

type User = Awaited<ReturnType<typeof signedInUser>>;
interface Conversation {
  id: string;
  subject: string;
  token: string;
  status: string;
  customer: string | null;
  assignee: { id: string; name: string } | null;
  caseId: string | null;
  messages: number;
  snoozedUntil: string | null;
}
interface Detail extends Conversation {
  thread: { id: string; signal: string; automatic: boolean; outbound: boolean }[];
  notes: { body: string; mentions: { id: string }[] }[];
  cursor: string;
}

describe.each(await storeDialects())('group mailboxes on %s', (dialect: Dialect) => {
  let api: TestApi;
  let admin: User;
  let ann: User;
  let ben: User;
  let outsider: User;
  let support: string;
  let inbox: { mailboxId: string; folderId: number };
  let sent: { mailboxId: string; folderId: number };

  const call = async (who: User, method: string, url: string, payload?: unknown) => {
    const response = await api.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: who.auth,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    return { status: response.statusCode, body: response.body ? (response.json() as Record<string, unknown>) : {} };
  };
  const list = async (who: User, query = 'filter=all') =>
    (await call(who, 'GET', `/mailboxes/${support}/conversations?${query}`)).body.items as Conversation[];
  const detail = async (who: User, id: string) =>
    (await call(who, 'GET', `/conversations/${id}`)).body as unknown as Detail;
  const customerMail = (o: Parameters<typeof rawEmail>[0]) => storeEmail(api, dialect, inbox, rawEmail(o));
  const conversationOf = async (messageId: string) =>
    (await api.context.store.db
      .selectFrom('conversation_messages')
      .select(['conversation_id', 'signal'])
      .where('message_id', '=', Number(messageId))
      .executeTakeFirst()) ?? null;

  beforeAll(async () => {
    api = await startTestApi(dialect);
    admin = await signedInUser(api, { admin: true });
    ann = await signedInUser(api);
    ben = await signedInUser(api);
    outsider = await signedInUser(api);
    support = await insertGroupMailbox(api, admin.user.id, 'support@example.test', {
      name: 'Support',
      members: [{ userId: ann.user.id, canManage: true }, { userId: ben.user.id }],
      emailToCase: true,
    });
    inbox = { mailboxId: support, folderId: await insertFolder(api, support, 'INBOX') };
    sent = { mailboxId: support, folderId: await insertFolder(api, support, 'Sent', null, '\\Sent') };
  });
  afterAll(async () => {
    await api.close();
  });

  it('opens a conversation and a case for a customer’s new mail, with their contact and organization', async () => {
    const org = await call(admin, 'POST', '/organizations', { name: 'Acme', website: 'https://www.acme.example' });
    expect(org.status).toBe(201);
    const first = await customerMail({
      from: 'Carla Diaz <carla@acme.example>',
      to: 'support@example.test',
      subject: 'Printer on fire',
      messageId: 'printer-1@acme.example',
    });
    const [conversation] = await list(ann);
    expect(conversation).toMatchObject({
      subject: 'Printer on fire',
      status: 'open',
      assignee: null,
      customer: 'carla@acme.example',
      messages: 1,
    });
    expect(conversation?.token).toBe(`[#${conversation?.id}]`);
    const kase = await call(ann, 'GET', `/cases/${conversation?.caseId}`);
    expect(kase.body).toMatchObject({ name: `Printer on fire [#${conversation?.id}]`, shared: true });
    const contact = await call(ann, 'GET', `/contacts/${kase.body.contactId as string}`);
    expect(contact.body).toMatchObject({
      firstName: 'Carla',
      lastName: 'Diaz',
      emails: ['carla@acme.example'],
      organizationId: (org.body as { id: string }).id,
    });
    const links = (await call(ann, 'GET', `/messages/${first}`)).body.links as { recordId: string }[];
    expect(links.map((l) => l.recordId)).toContain(conversation?.caseId);
  });

  it('threads by our replies, then References, then the subject token, never by subject alone', async () => {
    const start = await customerMail({
      from: 'dan@example.org',
      to: 'support@example.test',
      subject: 'Refund please',
      messageId: 'refund-1@example.org',
    });
    const conversation = (await conversationOf(start))?.conversation_id;
    expect(conversation).toBeDefined();
    // A reply from a mail app, filed in Sent, answering the customer: by References.
    const appReply = await storeEmail(
      api,
      dialect,
      sent,
      rawEmail({
        from: 'support@example.test',
        to: 'dan@example.org',
        subject: 'Re: Refund please',
        inReplyTo: 'refund-1@example.org',
        messageId: 'app-reply@example.test',
      }),
    );
    expect(await conversationOf(appReply)).toEqual({ conversation_id: conversation, signal: 'references' });
    // One of our replies from Tandem (its Message-ID recorded when sent): the customer's answer threads by it.
    await api.context.store.db
      .insertInto('conversation_sends')
      .values({
        message_id_header: 'tandem-reply@example.test',
        conversation_id: conversation as number,
        user_id: ann.user.id,
        created_at: Date.now(),
      })
      .execute();
    const answer = await customerMail({
      from: 'dan@example.org',
      subject: 'Re: Refund please',
      inReplyTo: 'tandem-reply@example.test',
    });
    expect(await conversationOf(answer)).toEqual({ conversation_id: conversation, signal: 'sent' });
    // Outlook dropped the headers but kept the token.
    const noHeaders = await customerMail({ from: 'dan@example.org', subject: `RE: Refund please [#${conversation}]` });
    expect(await conversationOf(noHeaders)).toEqual({ conversation_id: conversation, signal: 'token' });
    // The same subject without any signal is a new conversation.
    const sameSubject = await customerMail({ from: 'dan@example.org', subject: 'Re: Refund please' });
    expect((await conversationOf(sameSubject))?.conversation_id).not.toBe(conversation);
    // A token of another mailbox's prefix or an unknown number threads nothing.
    const unknown = await customerMail({ from: 'erin@example.org', subject: 'Hello [#999999]' });
    expect(await conversationOf(unknown)).toMatchObject({ signal: 'new' });
    const view = await detail(ann, String(conversation));
    expect(view.thread.map((m) => m.signal)).toEqual(['new', 'references', 'sent', 'token']);
    expect(view.thread.map((m) => m.outbound)).toEqual([false, true, false, false]);
  });

  it('never opens a conversation or a case for automatic mail or mail from the group’s own address', async () => {
    const casesBefore = ((await call(admin, 'GET', '/cases?limit=200')).body.items as unknown[]).length;
    const automatic: Buffer[] = [
      rawEmail({ from: 'ooo@example.org', subject: 'Out of office', headers: ['Auto-Submitted: auto-replied'] }),
      rawEmail({ from: 'news@example.org', subject: 'Newsletter', headers: ['Precedence: bulk'] }),
      rawEmail({ from: 'list@example.org', subject: 'List', headers: ['List-Id: <l.example.org>'] }),
      rawEmail({ from: 'x@example.org', subject: 'Auto', headers: ['X-Autoreply: yes'] }),
      rawEmail({ from: 'y@example.org', subject: 'Exchange', headers: ['X-Auto-Response-Suppress: All'] }),
      rawEmail({ from: 'z@example.org', subject: 'Failed', headers: ['X-Failed-Recipients: a@b.example'] }),
      rawEmail({ from: 'support@example.test', subject: 'Loop to ourselves' }),
      Buffer.from(
        [
          'From: MAILER-DAEMON@mx.example.org',
          'To: support@example.test',
          'Subject: Undelivered Mail Returned to Sender',
          `Message-ID: <bounce-${Date.now()}@mx.example.org>`,
          'MIME-Version: 1.0',
          'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
          '',
          '--r',
          'Content-Type: text/plain',
          '',
          'It bounced.',
          '--r',
          'Content-Type: message/delivery-status',
          '',
          'Reporting-MTA: dns; mx.example.org',
          '',
          'Final-Recipient: rfc822; gone@example.org',
          'Action: failed',
          'Status: 5.1.1',
          '--r--',
          '',
        ].join('\r\n'),
      ),
    ];
    for (const source of automatic) {
      const id = await storeEmail(api, dialect, inbox, source);
      expect(await conversationOf(id), source.toString().slice(0, 60)).toBeNull();
    }
    expect(((await call(admin, 'GET', '/cases?limit=200')).body.items as unknown[]).length).toBe(casesBefore);
  });

  it('lets an auto-reply join its conversation without reopening it; a customer’s mail reopens it', async () => {
    const start = await customerMail({
      from: 'fay@example.org',
      subject: 'Login broken',
      messageId: 'login@example.org',
    });
    const id = String((await conversationOf(start))?.conversation_id);
    expect((await call(ann, 'PATCH', `/conversations/${id}`, { status: 'closed' })).body).toMatchObject({
      status: 'closed',
    });
    expect((await list(ann)).map((c) => c.id)).not.toContain(id);
    expect((await list(ann, 'filter=closed')).map((c) => c.id)).toContain(id);
    const ooo = await customerMail({
      from: 'fay@example.org',
      subject: 'Auto: Login broken',
      inReplyTo: 'login@example.org',
      headers: ['Auto-Submitted: auto-replied'],
    });
    expect(await conversationOf(ooo)).toMatchObject({ conversation_id: Number(id) });
    expect((await detail(ann, id)).status).toBe('closed');
    await customerMail({ from: 'fay@example.org', subject: 'Re: Login broken', inReplyTo: 'login@example.org' });
    expect((await detail(ann, id)).status).toBe('open');
    // Pending and snoozed conversations wake up the same way.
    const later = new Date(Date.now() + 3_600_000).toISOString();
    await call(ann, 'PATCH', `/conversations/${id}`, { status: 'pending', snoozedUntil: later });
    expect((await list(ann)).map((c) => c.id)).not.toContain(id);
    expect((await list(ann, 'filter=snoozed')).map((c) => c.id)).toContain(id);
    await customerMail({ from: 'fay@example.org', subject: `Still broken [#${id}]` });
    expect(await detail(ann, id)).toMatchObject({ status: 'open', snoozedUntil: null });
  });

  it('assigns by hand to members only, filters mine and unassigned, and round-robins among available members', async () => {
    const start = await customerMail({ from: 'gil@example.org', subject: 'Assign me' });
    const id = String((await conversationOf(start))?.conversation_id);
    expect((await list(ann, 'filter=unassigned')).map((c) => c.id)).toContain(id);
    const bad = await call(ann, 'PATCH', `/conversations/${id}`, { assigneeId: outsider.user.id });
    expect(bad.status).toBe(400);
    expect((await call(ann, 'PATCH', `/conversations/${id}`, { assigneeId: ann.user.id })).body).toMatchObject({
      assignee: { id: ann.user.id },
    });
    expect((await list(ann, 'filter=mine')).map((c) => c.id)).toContain(id);
    expect((await list(ben, 'filter=mine')).map((c) => c.id)).not.toContain(id);
    expect((await list(ann, 'filter=unassigned')).map((c) => c.id)).not.toContain(id);
    expect((await call(ann, 'PATCH', `/conversations/${id}`, { assigneeId: null })).body).toMatchObject({
      assignee: null,
    });
    expect((await call(ann, 'PATCH', `/conversations/${id}`, { status: 'nope' })).status).toBe(400);

    // Round-robin on a mailbox that assigns new conversations by rule; an unavailable member is skipped.
    const cam = await signedInUser(api);
    const sales = await insertGroupMailbox(api, admin.user.id, 'sales@example.test', {
      name: 'Sales',
      members: [{ userId: ann.user.id }, { userId: ben.user.id }, { userId: cam.user.id, available: false }],
      assignRule: 'round_robin',
    });
    const salesInbox = { mailboxId: sales, folderId: await insertFolder(api, sales, 'INBOX') };
    const assignees: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      await storeEmail(api, dialect, salesInbox, rawEmail({ from: `lead${i}@example.org`, subject: `Quote ${i}` }));
    }
    const items = (await call(ann, 'GET', `/mailboxes/${sales}/conversations?limit=10`)).body.items as Conversation[];
    for (const c of items.reverse()) assignees.push(c.assignee?.id ?? 'none');
    expect(new Set(assignees.slice(0, 2))).toEqual(new Set([ann.user.id, ben.user.id]));
    expect(assignees.slice(2)).toEqual(assignees.slice(0, 2));
    expect(assignees).not.toContain(cam.user.id);
    // Ben steps away: round-robin gives the next one to Ann.
    expect((await call(ben, 'PUT', `/mailboxes/${sales}/availability`, { available: false })).status).toBe(200);
    const target = items[0]?.id as string;
    expect((await call(ann, 'POST', `/conversations/${target}/round-robin`)).body).toMatchObject({
      assignee: { id: ann.user.id },
    });
  });

  it('caps the conversations one sender can open in an hour: more join their latest one', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const id = await customerMail({ from: 'runaway@example.org', subject: `Ticket ${i}` });
      ids.push((await conversationOf(id))?.conversation_id as number);
    }
    expect(new Set(ids).size).toBe(10);
    expect(ids[11]).toBe(ids[9]);
    expect(await conversationOf(String(ids[11]))).toBeDefined();
  });

  it('answers 409 with what is new when a reply would cross a customer’s mail or a colleague’s note', async () => {
    const start = await customerMail({ from: 'hal@example.org', subject: 'Collide', messageId: 'collide@example.org' });
    const id = String((await conversationOf(start))?.conversation_id);
    const opened = await detail(ann, id);
    // A colleague's note with a mention, then the customer writes again.
    const note = await call(ben, 'POST', `/conversations/${id}/notes`, { body: `Careful @${ann.user.email}` });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ mentions: [{ id: ann.user.id }] });
    // The mention reaches Ann's notification list, unread.
    const notices = (await call(ann, 'GET', '/notifications')).body as { items: { kind: string }[]; unread: number };
    expect(notices.items.map((n) => n.kind)).toContain('mention');
    expect(notices.unread).toBeGreaterThan(0);
    await customerMail({ from: 'hal@example.org', subject: 'Re: Collide', inReplyTo: 'collide@example.org' });
    const refused = await call(ann, 'POST', `/conversations/${id}/reply`, { text: 'Hi', seenUpTo: opened.cursor });
    expect(refused.status).toBe(409);
    const error = refused.body.error as { code: string; details: { cursor: string; items: { kind: string }[] } };
    expect(error.code).toBe('conversation_changed');
    expect(error.details.items.map((i) => i.kind)).toEqual(['note', 'message']);
    expect(Number(error.details.cursor)).toBeGreaterThan(Number(opened.cursor));
    // Ben's own note is no news to Ben.
    const benRefused = await call(ben, 'POST', `/conversations/${id}/reply`, { text: 'x', seenUpTo: opened.cursor });
    expect(
      (benRefused.body.error as { details: { items: { kind: string }[] } }).details.items.map((i) => i.kind),
    ).toEqual(['message']);
    const notes = (await detail(ann, id)).notes;
    expect(notes.map((n) => n.body)).toEqual([`Careful @${ann.user.email}`]);
  });

  it('lets managing members change the mailbox, and keeps administrators to its membership', async () => {
    expect((await call(ben, 'PATCH', `/mailboxes/${support}`, { markIncomingPrivate: false })).status).toBe(403);
    expect((await call(ann, 'PATCH', `/mailboxes/${support}`, { emailToCase: true })).status).toBe(200);
    const view = await call(ann, 'GET', `/mailboxes/${support}`);
    expect(view.body).toMatchObject({
      kind: 'group',
      group: { name: 'Support', emailToCase: true, caseTokenPrefix: '#', assignRule: 'manual' },
    });
    expect((view.body.group as { members: { id: string }[] }).members.map((m) => m.id).sort()).toEqual(
      [ann.user.id, ben.user.id].sort(),
    );
    expect((await call(ann, 'GET', '/mailboxes')).body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: support })]),
    );
    expect(((await call(outsider, 'GET', '/mailboxes')).body.items as unknown[]).length).toBe(0);
    expect(((await call(admin, 'GET', '/mailboxes')).body.items as unknown[]).length).toBe(0);
    const members = [{ userId: ann.user.id, canManage: true }, { userId: ben.user.id }];
    expect((await call(admin, 'PUT', `/mailboxes/${support}/group`, { members })).status).toBe(200);
    expect((await call(ben, 'PUT', `/mailboxes/${support}/group`, { members })).status).toBe(403);
    const unknownUser = await call(admin, 'PUT', `/mailboxes/${support}/group`, {
      members: [{ userId: 'nobody' }],
    });
    expect(unknownUser.status).toBe(400);
    const personal = await call(outsider, 'POST', '/mailboxes', {
      kind: 'group',
      address: 'team@example.test',
      imap: { host: '127.0.0.1', port: 1, security: 'none', username: 'x', password: 'y' },
      smtp: { host: '127.0.0.1', port: 1, security: 'none' },
      syncPeriod: 'now',
      group: { name: 'Team', members: [] },
    });
    expect(personal.status).toBe(403);
  });

  it('answers 404 on every mailbox, conversation and message route to anyone outside the group, admins included', async () => {
    // Mail not filed to any record: the group's alone (a case shares it, as below).
    expect((await call(ann, 'PATCH', `/mailboxes/${support}`, { emailToCase: false })).status).toBe(200);
    const start = await customerMail({ from: 'ida@example.org', subject: 'Walk secret', attachment: true });
    const conversation = String((await conversationOf(start))?.conversation_id);
    const attachment = ((await call(ann, 'GET', `/messages/${start}`)).body.attachments as { id: string }[])[0]?.id;
    const doc = (await api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const walked: string[] = [];
    const leaks: string[] = [];
    const bodies: Record<string, unknown> = {
      'patch /api/v1/mailboxes/{id}': { markIncomingPrivate: true },
      'put /api/v1/mailboxes/{id}/availability': { available: false },
      'put /api/v1/mailboxes/{id}/group': { members: [] },
      'post /api/v1/mailboxes/{id}/password': { password: 'guess' },
      'post /api/v1/mailboxes/{id}/address-verification/confirm': { code: '12345678' },
      'patch /api/v1/conversations/{id}': { status: 'closed' },
      'post /api/v1/conversations/{id}/notes': { body: 'hi' },
      'post /api/v1/conversations/{id}/reply': { text: 'hi', seenUpTo: '0' },
      'post /api/v1/conversations/{id}/presence': { state: 'viewing' },
      'patch /api/v1/messages/{id}': { seen: true },
      'post /api/v1/messages/{id}/comments': { body: 'hi' },
      'post /api/v1/messages/{id}/links': { recordType: 'contact', recordId: 'x' },
    };
    const idFor: Record<string, string> = {
      '/api/v1/mailboxes/{id}': support,
      '/api/v1/conversations/{id}': conversation,
      '/api/v1/messages/{id}': start,
      '/api/v1/attachments/{id}': attachment ?? '',
    };
    for (const [path, methods] of Object.entries(doc.paths)) {
      const prefix = Object.keys(idFor).find((p) => path === p || path.startsWith(`${p}/`));
      if (!prefix || path.includes('{linkId}')) continue;
      for (const method of Object.keys(methods)) {
        const url = path.replace('{id}', idFor[prefix] as string).replace('/api/v1', '');
        for (const [name, who] of [
          ['outsider', outsider],
          ['admin', admin],
        ] as const) {
          if (name === 'admin' && path === '/api/v1/mailboxes/{id}/group') continue; // admins manage membership
          const r = await call(who, method.toUpperCase(), url, bodies[`${method} ${path}`]);
          walked.push(`${method} ${path}`);
          if (r.status !== 404) leaks.push(`${name} ${method} ${path} ${r.status}`);
          if (JSON.stringify(r.body).includes('Walk secret')) leaks.push(`${name} ${method} ${path} leaked`);
        }
      }
    }
    for (const [name, who] of [
      ['outsider', outsider],
      ['admin', admin],
    ] as const) {
      const bulk = await call(who, 'POST', '/messages/bulk', { ids: [start], flagged: true });
      if (bulk.status !== 404) leaks.push(`${name} post /api/v1/messages/bulk ${bulk.status}`);
    }
    for (const who of [outsider, admin]) {
      for (const url of [`/messages?mailboxId=${support}`, '/messages?q=walk', `/mailboxes/${support}/conversations`]) {
        const r = await call(who, 'GET', url);
        if (JSON.stringify(r.body).includes('Walk secret')) leaks.push(`${url} leaked`);
      }
      // Recipient suggestions never name someone seen only in the group's mail.
      const suggested = await call(who, 'GET', '/addresses/suggest?q=ida');
      if (JSON.stringify(suggested.body).includes('ida@example.org')) leaks.push('/addresses/suggest leaked');
    }
    // The list of group mailboxes to manage: an outsider and a member who may not manage have none;
    // a managing member and an administrator have it.
    expect((await call(outsider, 'GET', '/group-mailboxes')).body).toEqual({ items: [] });
    expect((await call(ben, 'GET', '/group-mailboxes')).body).toEqual({ items: [] });
    expect((await call(ann, 'GET', '/group-mailboxes')).body.items).toMatchObject([
      { mailboxId: support, manages: true },
    ]);
    expect(JSON.stringify((await call(admin, 'GET', '/group-mailboxes')).body)).toContain(support);
    expect(leaks).toEqual([]);
    expect(walked).toEqual(
      expect.arrayContaining([
        'get /api/v1/mailboxes/{id}',
        'delete /api/v1/mailboxes/{id}',
        'get /api/v1/mailboxes/{id}/conversations',
        'post /api/v1/conversations/{id}/reply',
        'get /api/v1/messages/{id}/raw',
        'get /api/v1/messages/{id}/engagement',
        'get /api/v1/attachments/{id}',
      ]),
    );
    // Filed to a shared case, an email is the team's through that record like any other: read-only, no Bcc.
    expect((await call(ann, 'PATCH', `/mailboxes/${support}`, { emailToCase: true })).status).toBe(200);
    const filed = await customerMail({
      from: 'jo@example.org',
      subject: 'Filed to a case',
      bcc: 'hidden@example.test',
    });
    expect((await call(outsider, 'GET', `/messages/${filed}`)).body).toMatchObject({ subject: 'Filed to a case' });
    expect(JSON.stringify((await call(outsider, 'GET', `/messages/${filed}`)).body)).not.toContain('hidden@');
    expect((await call(outsider, 'PATCH', `/messages/${filed}`, { seen: true })).status).toBe(404);
    const filedConversation = String((await conversationOf(filed))?.conversation_id);
    expect((await call(outsider, 'GET', `/conversations/${filedConversation}`)).status).toBe(404);
    // The group mailbox and its mail are all still there for its members.
    expect((await call(ann, 'GET', `/messages/${start}`)).status).toBe(200);
    expect((await call(ann, 'GET', `/conversations/${conversation}`)).body).toMatchObject({ status: 'open' });
  });
});
