import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/db/index.ts';
import { addLocation, removeLocations, upsertMessage } from '../../src/mail/messages/index.ts';
import type { MessageDetail, MessageSummary } from '../../src/mail/messages/index.ts';
import { prepareMessage } from '../../src/mail/sync/prepare.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';

type Page = { items: MessageSummary[]; nextCursor: string | null };

/** A small RFC 5322 message with CRLF line ends; `body` may carry its own MIME headers via `head`. */
function raw(o: { n: number; subject: string; date: string; from?: string; body: string; head?: string }): Buffer {
  const head = o.head ?? 'Content-Type: text/plain; charset=utf-8';
  const lines = [
    `From: ${o.from ?? 'Sender <sender@example.test>'}`,
    'To: Alice <alice@example.test>',
    `Subject: ${o.subject}`,
    `Date: ${o.date}`,
    `Message-ID: <m${o.n}.${randomUUID()}@example.test>`,
    'MIME-Version: 1.0',
    head,
    '',
    o.body,
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const EVIL = '<script>alert(document.cookie)</script>';

/** HTML with an inline image (cid in other case than its Content-ID), an HTML attachment and a non-ASCII name. */
const richBody = [
  '--b1',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>See the logo: <img src="cid:Logo@Tandem" alt="logo"></p>',
  '--b1',
  'Content-Type: image/png',
  'Content-Transfer-Encoding: base64',
  'Content-ID: <logo@tandem>',
  'Content-Disposition: inline; filename="logo.png"',
  '',
  PNG.toString('base64'),
  '--b1',
  'Content-Type: text/html; charset=utf-8',
  'Content-Disposition: attachment; filename="evil.html"',
  '',
  EVIL,
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  "Content-Disposition: attachment; filename*=utf-8''%C3%9Cbersicht.txt",
  '',
  'Zahlen',
  '--b1--',
  '',
].join('\r\n');

describe.each(await storeDialects())('messages API on %s', (dialect: Dialect) => {
  let api: TestApi;
  let alice: Awaited<ReturnType<typeof signedInUser>>;
  let bob: Awaited<ReturnType<typeof signedInUser>>;
  let aliceBox: string;
  let bobBox: string;
  const ids: Record<string, string> = {};
  const raws: Record<string, Buffer> = {};
  let plainCount = 0;

  async function mailbox(ownerUserId: string, address: string, kind: 'personal' | 'group'): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await api.context.store.db
      .insertInto('mailboxes')
      .values({
        id,
        owner_user_id: ownerUserId,
        kind,
        address,
        display_name: null,
        imap_host: 'imap.example.test',
        imap_port: 993,
        imap_security: 'tls',
        imap_username: address,
        smtp_host: 'smtp.example.test',
        smtp_port: 465,
        smtp_security: 'tls',
        smtp_username: address,
        secrets: api.context.secrets.sealJson({}),
        sync_period: '1m',
        sync_since: 0,
        mark_incoming_private: 0,
        fallback_consent: 0,
        archive_and_create_past: 0,
        state: 'idle',
        error: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  async function folder(mailboxId: string, path: string): Promise<number> {
    const row = await api.context.store.db
      .insertInto('folders')
      .values({
        mailbox_id: mailboxId,
        path,
        delimiter: '/',
        special_use: null,
        enabled: 1,
        enabled_at: 0,
        uid_validity: 1,
        uid_next: 1,
        highest_modseq: null,
        first_sync_low_uid: null,
        last_full_check_at: null,
        created_at: Date.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  let uid = 0;
  async function store(
    name: string,
    mailboxId: string,
    folderId: number,
    source: Buffer,
    options: { private?: boolean; flags?: string[] } = {},
  ) {
    const { db } = api.context.store;
    const { parsed, rawBlob } = await prepareMessage(source, api.context.blobs);
    const { id } = await upsertMessage(db, dialect, {
      mailboxId,
      parsed,
      rawBlob,
      size: source.length,
      internalDate: null,
      private: options.private ?? false,
    });
    uid += 1;
    const date = (parsed.date ?? new Date()).getTime();
    await addLocation(db, {
      messageId: id,
      mailboxId,
      folderId,
      uidValidity: 1,
      uid,
      flags: options.flags ?? [],
      modseq: null,
      date,
    });
    ids[name] = String(id);
    raws[name] = source;
    return { id, uid };
  }

  const get = (url: string, who = alice) => api.app.inject({ method: 'GET', url, headers: who.auth });
  const id = (name: string): string => ids[name] ?? 'missing';

  beforeAll(async () => {
    api = await startTestApi(dialect);
    alice = await signedInUser(api);
    bob = await signedInUser(api);
    aliceBox = await mailbox(alice.user.id, 'alice@example.test', 'personal');
    bobBox = await mailbox(bob.user.id, 'bob@example.test', 'personal');
    const inbox = await folder(aliceBox, 'INBOX');
    const archive = await folder(aliceBox, 'Archive');
    const bobInbox = await folder(bobBox, 'INBOX');

    // Eight plain messages on seven days: two share a date, so paging must break ties by id.
    for (let day = 1; day <= 8; day += 1) {
      const date = `Mon, ${String(Math.min(day, 7)).padStart(2, '0')} Jan 2024 10:00:00 +0000`;
      await store(
        `plain${day}`,
        aliceBox,
        inbox,
        raw({ n: day, subject: `Plain ${day}`, date, body: `ordinary body ${day}` }),
        { flags: day % 2 ? ['\\Seen'] : [] },
      );
      plainCount += 1;
    }
    await store(
      'archived',
      aliceBox,
      archive,
      raw({ n: 20, subject: 'Filed away', date: 'Tue, 02 Jan 2024 12:00:00 +0000', body: 'old news' }),
      {
        flags: ['\\Seen', '\\Answered'],
      },
    );
    await store(
      'search',
      aliceBox,
      inbox,
      raw({
        n: 21,
        subject: 'Quarterly forecast',
        date: 'Wed, 10 Jan 2024 09:00:00 +0000',
        from: 'Carol Partner <carol@partner.example>',
        body: 'The zephyrine numbers look fine.',
      }),
    );
    await store(
      'rich',
      aliceBox,
      inbox,
      raw({
        n: 22,
        subject: 'Logo and files',
        date: 'Thu, 11 Jan 2024 09:00:00 +0000',
        body: richBody,
        head: 'Content-Type: multipart/mixed; boundary="b1"',
      }),
    );
    const gone = await store(
      'orphan',
      aliceBox,
      inbox,
      raw({ n: 23, subject: 'Vanished', date: 'Fri, 12 Jan 2024 09:00:00 +0000', body: 'quokka' }),
    );
    await removeLocations(api.context.store.db, inbox, [gone.uid]);
    const offer = [
      '--b1',
      'Content-Type: text/plain',
      '',
      'secretword here',
      '--b1',
      'Content-Type: application/pdf',
      'Content-Disposition: attachment; filename="offer.pdf"',
      '',
      '%PDF-1.4',
      '--b1--',
      '',
    ].join('\r\n');
    await store(
      'bobPrivate',
      bobBox,
      bobInbox,
      raw({
        n: 30,
        subject: 'Salary talk',
        date: 'Thu, 11 Jan 2024 10:00:00 +0000',
        body: offer,
        head: 'Content-Type: multipart/mixed; boundary="b1"',
      }),
      { private: true },
    );
    await store(
      'bobShared',
      bobBox,
      bobInbox,
      raw({ n: 31, subject: 'Project kickoff', date: 'Thu, 11 Jan 2024 11:00:00 +0000', body: 'sharedword agenda' }),
    );
  });
  afterAll(() => api.close());

  it('lists newest first and pages with a cursor without duplicates or gaps', async () => {
    const all = (await get(`/api/v1/messages?mailboxId=${aliceBox}&limit=200`)).json<Page>();
    expect(all.nextCursor).toBeNull();
    expect(all.items).toHaveLength(plainCount + 3);
    const dates = all.items.map((m) => Date.parse(m.date));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(all.items[0]).toMatchObject({
      id: id('rich'),
      mailboxId: aliceBox,
      folder: 'INBOX',
      subject: 'Logo and files',
      hasAttachments: true,
    });

    const seen: MessageSummary[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `/api/v1/messages?mailboxId=${aliceBox}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page: Page = (await get(url)).json<Page>();
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(seen.map((m) => m.id)).toEqual(all.items.map((m) => m.id));
    expect(new Set(seen.map((m) => m.id)).size).toBe(seen.length);
  });

  it('maps flags and addresses', async () => {
    const { items } = (await get(`/api/v1/messages?folder=Archive`)).json<Page>();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: id('archived'),
      folder: 'Archive',
      seen: true,
      answered: true,
      flagged: false,
      draft: false,
      private: false,
      from: { name: 'Sender', address: 'sender@example.test' },
      to: [{ name: 'Alice', address: 'alice@example.test' }],
      date: '2024-01-02T12:00:00.000Z',
      snippet: 'old news',
    });
    expect(items[0]?.flags).toEqual(['\\Answered', '\\Seen']);
  });

  it('filters by folder', async () => {
    const inbox = (await get(`/api/v1/messages?mailboxId=${aliceBox}&folder=INBOX`)).json<Page>();
    expect(inbox.items.every((m) => m.folder === 'INBOX')).toBe(true);
    expect(inbox.items.map((m) => m.id)).not.toContain(id('archived'));
    expect((await get(`/api/v1/messages?folder=Nowhere`)).json<Page>().items).toEqual([]);
  });

  it.each([
    ['a body word', 'zephyrine'],
    ['a subject word prefix', 'quarter'],
    ['a sender address', 'carol@partner.example'],
    ['two words in different fields', 'forecast numbers'],
  ])('searches by %s', async (_label, q) => {
    const page = (await get(`/api/v1/messages?q=${encodeURIComponent(q)}`)).json<Page>();
    expect(page.items.map((m) => m.id)).toEqual([id('search')]);
    const scoped = (
      await get(`/api/v1/messages?mailboxId=${aliceBox}&folder=INBOX&q=${encodeURIComponent(q)}`)
    ).json<Page>();
    expect(scoped.items.map((m) => m.id)).toEqual([id('search')]);
    expect((await get(`/api/v1/messages?folder=Archive&q=${encodeURIComponent(q)}`)).json<Page>().items).toEqual([]);
  });

  it("keeps another user's mailbox out of lists and search", async () => {
    const other = await get(`/api/v1/messages?mailboxId=${bobBox}`);
    expect(other.statusCode).toBe(404);
    expect(other.json()).toMatchObject({ error: { code: 'not_found' } });
    const mine = (await get('/api/v1/messages?limit=200')).json<Page>();
    expect(mine.items.every((m) => m.mailboxId === aliceBox)).toBe(true);
    for (const q of ['secretword', 'sharedword', 'salary']) {
      expect((await get(`/api/v1/messages?q=${q}`)).json<Page>().items).toEqual([]);
    }
    expect((await get('/api/v1/messages?q=secretword', bob)).json<Page>().items.map((m) => m.id)).toEqual([
      id('bobPrivate'),
    ]);
  });

  it("answers not_found for someone else's private message, its source and its attachments", async () => {
    const own = (await get(`/api/v1/messages/${id('bobPrivate')}`, bob)).json<MessageDetail>();
    expect(own.private).toBe(true);
    const attachmentId = own.attachments[0]?.id ?? 'none';
    expect((await get(`/api/v1/attachments/${attachmentId}`, bob)).statusCode).toBe(200);
    for (const url of [
      `/api/v1/messages/${id('bobPrivate')}`,
      `/api/v1/messages/${id('bobPrivate')}/raw`,
      `/api/v1/attachments/${attachmentId}`,
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it("answers another user's message that no record links exactly like a missing one", async () => {
    const missing = await get('/api/v1/messages/2147483000');
    expect(missing.statusCode).toBe(404);
    for (const url of [
      `/api/v1/messages/${id('bobShared')}`,
      `/api/v1/messages/${id('bobShared')}/raw`,
      `/api/v1/messages/${id('bobShared')}/comments`,
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).toBe(missing.body);
    }
    expect((await get(`/api/v1/messages/${id('bobShared')}`, bob)).json()).toMatchObject({
      id: id('bobShared'),
      mailboxId: bobBox,
      subject: 'Project kickoff',
      private: false,
    });
  });

  it('returns one message with body, headers, folders and attachments, cid images rewritten', async () => {
    const message = (await get(`/api/v1/messages/${id('rich')}`)).json<MessageDetail>();
    expect(message).toMatchObject({ id: id('rich'), folders: ['INBOX'], problems: [], links: [], comments: [] });
    expect(message.headers.messageId).toMatch(/^m22\./);
    expect(message.headers.references).toEqual([]);
    const logo = message.attachments.find((a) => a.contentId === 'logo@tandem');
    expect(logo).toMatchObject({ filename: 'logo.png', contentType: 'image/png', inline: true, size: PNG.length });
    expect(message.html).toContain(`src="/api/v1/attachments/${logo?.id}"`);
    expect(message.html).not.toContain('cid:');
    expect(message.attachments.map((a) => a.filename)).toEqual(['logo.png', 'evil.html', 'Übersicht.txt']);
  });

  it('serves attachments as sandboxed downloads with their bytes', async () => {
    const { attachments } = (await get(`/api/v1/messages/${id('rich')}`)).json<MessageDetail>();
    const [logo, evil, umlaut] = attachments;
    const png = await get(`/api/v1/attachments/${logo?.id}`);
    expect(png.statusCode).toBe(200);
    expect(png.rawPayload.equals(PNG)).toBe(true);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-disposition']).toBe('attachment; filename="logo.png"');
    const html = await get(`/api/v1/attachments/${evil?.id}`);
    expect(html.body).toBe(EVIL);
    expect(html.headers['content-type']).toBe('application/octet-stream');
    expect(html.headers['content-security-policy']).toBe('sandbox');
    expect(html.headers['x-content-type-options']).toBe('nosniff');
    expect(html.headers['content-disposition']).toBe('attachment; filename="evil.html"');
    const text = await get(`/api/v1/attachments/${umlaut?.id}`);
    expect(text.body).toBe('Zahlen');
    expect(text.headers['content-type']).toBe('application/octet-stream');
    expect(text.headers['content-disposition']).toBe(
      `attachment; filename="_bersicht.txt"; filename*=UTF-8''%C3%9Cbersicht.txt`,
    );
  });

  it('returns the raw source byte for byte', async () => {
    const response = await get(`/api/v1/messages/${id('rich')}/raw`);
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(raws.rich ?? Buffer.alloc(0))).toBe(true);
    expect(response.headers['content-type']).toBe('message/rfc822');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="message-${id('rich')}.eml"`);
  });

  it('hides orphaned messages', async () => {
    const { items } = (await get('/api/v1/messages?limit=200')).json<Page>();
    expect(items.map((m) => m.id)).not.toContain(id('orphan'));
    expect((await get('/api/v1/messages?q=quokka')).json<Page>().items).toEqual([]);
    expect((await get(`/api/v1/messages/${id('orphan')}`)).statusCode).toBe(404);
    expect((await get(`/api/v1/messages/${id('orphan')}/raw`)).statusCode).toBe(404);
  });

  it.each(['limit=0', 'limit=abc', 'limit=201', 'limit=1.5', 'cursor=bm9wZQ'])(
    'refuses %s with validation_failed',
    async (query) => {
      const response = await get(`/api/v1/messages?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    },
  );

  it.each(['abc', '0', '-1', '1e3', '99999999999999999999', '2147483648'])(
    'answers not_found for id %s',
    async (bad) => {
      for (const url of [`/api/v1/messages/${bad}`, `/api/v1/messages/${bad}/raw`, `/api/v1/attachments/${bad}`]) {
        const response = await get(url);
        expect(response.statusCode, url).toBe(404);
        expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
      }
    },
  );

  it('requires a token and is in the OpenAPI document', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/messages' })).statusCode).toBe(401);
    const doc = (await api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/messages',
        '/api/v1/messages/{id}',
        '/api/v1/messages/{id}/raw',
        '/api/v1/attachments/{id}',
      ]),
    );
  });

  // Last: it changes the flags and folders the tests above read.
  it('changes several messages at once, all or none, and answers a bad body 400', async () => {
    const bulk = (payload: object) =>
      api.app.inject({ method: 'POST', url: '/api/v1/messages/bulk', headers: alice.auth, payload });
    const one = async (name: string, who = alice) =>
      (await get(`/api/v1/messages/${id(name)}`, who)).json<MessageDetail>();

    const starred = await bulk({ ids: [id('plain1'), id('plain2')], flagged: true, seen: false });
    expect(starred.statusCode, starred.body).toBe(200);
    expect(starred.json()).toEqual({ changed: 2 });
    for (const name of ['plain1', 'plain2']) expect(await one(name)).toMatchObject({ flagged: true, seen: false });

    // One message the caller cannot change (Bob's) fails the whole call: nothing is changed.
    const refused = await bulk({ ids: [id('plain3'), id('bobShared')], flagged: true });
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(await one('plain3')).toMatchObject({ flagged: false });
    expect(await one('bobShared', bob)).toMatchObject({ flagged: false });

    const moved = await bulk({ ids: [id('plain3'), id('plain4')], folder: 'Archive' });
    expect(moved.statusCode, moved.body).toBe(200);
    const archive = (await get(`/api/v1/messages?mailboxId=${aliceBox}&folder=Archive`)).json<Page>();
    expect(archive.items.map((m) => m.id)).toEqual(expect.arrayContaining([id('plain3'), id('plain4')]));
    // Until the server has made the move, moving them again is a conflict (the undo waits for it).
    const again = await bulk({ ids: [id('plain3')], folder: 'INBOX' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'conflict' } });

    for (const body of [
      { ids: [], seen: true },
      { ids: [id('plain5')] },
      { ids: [id('plain5')], delete: true, folder: 'Archive' },
      { ids: Array.from({ length: 201 }, () => id('plain5')), seen: true },
      { ids: 'plain5', seen: true },
    ]) {
      const answer = await bulk(body);
      expect(answer.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    const unknown = await bulk({ ids: ['no-such-id'], seen: true });
    expect(unknown.statusCode).toBe(404);
  });
});
