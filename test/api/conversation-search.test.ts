// A message's conversation, and search with operators across every folder of the
// viewer's mailboxes, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/db/index.ts';
import type { MessageDetail, MessageSummary } from '../../src/mail/messages/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { fixtureFolder, fixtureMailbox, fixtureMessage, fixtureRaw } from '../support/message-fixtures.ts';
import { storeDialects } from '../support/stores.ts';

const ATTACHED = (name: string) =>
  [
    '--b1',
    'Content-Type: text/plain',
    '',
    'See attached.',
    '--b1',
    'Content-Type: application/octet-stream',
    `Content-Disposition: attachment; filename="${name}"`,
    '',
    'bytes',
    '--b1--',
    '',
  ].join('\r\n');
const MULTIPART = 'Content-Type: multipart/mixed; boundary="b1"';
const CAROL = 'Carol Partner <carol@partner.example>';

describe.each(await storeDialects())('conversations and search on %s', (dialect: Dialect) => {
  let api: TestApi;
  let alice: Awaited<ReturnType<typeof signedInUser>>;
  let bob: Awaited<ReturnType<typeof signedInUser>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await startTestApi(dialect);
    alice = await signedInUser(api);
    bob = await signedInUser(api);
    const box = await fixtureMailbox(api, alice.user.id, 'alice@example.test');
    const inbox = { mailboxId: box, folderId: await fixtureFolder(api, box, 'INBOX') };
    const sent = { mailboxId: box, folderId: await fixtureFolder(api, box, 'Sent') };
    const archive = { mailboxId: box, folderId: await fixtureFolder(api, box, 'Archive') };
    const bobBox = await fixtureMailbox(api, bob.user.id, 'bob@example.test');
    const bobInbox = { mailboxId: bobBox, folderId: await fixtureFolder(api, bobBox, 'INBOX') };
    const put = async (
      name: string,
      at: { mailboxId: string; folderId: number },
      raw: Buffer,
      options: { flags?: string[]; private?: boolean } = {},
    ) => {
      ids[name] = String((await fixtureMessage(api, dialect, at, raw, options)).id);
    };

    await put(
      'ask',
      inbox,
      fixtureRaw({
        subject: 'Offsite plans',
        date: 'Wed, 10 Jan 2024 09:00:00 +0000',
        from: CAROL,
        messageId: 'ask@partner.example',
        body: 'Where shall we meet?',
      }),
    );
    await put(
      'answer',
      sent,
      fixtureRaw({
        subject: 'Re: Offsite plans',
        date: 'Thu, 11 Jan 2024 09:00:00 +0000',
        from: 'Alice <alice@example.test>',
        to: CAROL,
        messageId: 'answer@example.test',
        inReplyTo: 'ask@partner.example',
        body: 'By the lake.',
      }),
      { flags: ['\\Seen'] },
    );
    await put(
      'agenda',
      archive,
      fixtureRaw({
        subject: 'Re: Offsite plans',
        date: 'Fri, 12 Jan 2024 09:00:00 +0000',
        from: CAROL,
        messageId: 'agenda@partner.example',
        inReplyTo: 'answer@example.test',
        head: MULTIPART,
        body: ATTACHED('agenda-final.pdf'),
      }),
      { flags: ['\\Seen', '\\Flagged'] },
    );
    await put(
      'invoice',
      inbox,
      fixtureRaw({
        subject: 'Invoice for December',
        date: 'Fri, 05 Jan 2024 09:00:00 +0000',
        from: 'Dave Billing <dave@billing.example>',
        head: MULTIPART,
        body: ATTACHED('invoice-2024.xlsx'),
      }),
      { flags: ['\\Seen'] },
    );
    await put(
      'bobs',
      bobInbox,
      fixtureRaw({
        subject: 'Offsite plans',
        date: 'Wed, 10 Jan 2024 10:00:00 +0000',
        from: CAROL,
        to: 'bob@example.test',
        inReplyTo: 'ask@partner.example',
        body: 'And you, Bob?',
      }),
      { private: true },
    );
  });
  afterAll(() => api.close());

  const get = (url: string, who = alice) => api.app.inject({ method: 'GET', url, headers: who.auth });
  const search = async (q: string) => {
    const answer = await get(`/api/v1/messages?q=${encodeURIComponent(q)}&limit=200`);
    expect(answer.statusCode).toBe(200);
    const names = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    return answer
      .json<{ items: MessageSummary[] }>()
      .items.map((m) => names[m.id] ?? m.id)
      .sort();
  };

  it('opens a message as its whole conversation, oldest first, across folders', async () => {
    const answer = await get(`/api/v1/messages/${ids.answer}/conversation`);
    expect(answer.statusCode).toBe(200);
    const { items } = answer.json<{ items: MessageDetail[] }>();
    expect(items.map((m) => m.id)).toEqual([ids.ask, ids.answer, ids.agenda]);
    expect(items.map((m) => m.folder)).toEqual(['INBOX', 'Sent', 'Archive']);
    expect(items[0]?.text).toContain('Where shall we meet?');
    expect(items[2]?.attachments.map((a) => a.filename)).toEqual(['agenda-final.pdf']);
    expect(new Set(items.map((m) => m.threadId)).size).toBe(1);
    // A message alone is a conversation of one.
    const single = (await get(`/api/v1/messages/${ids.invoice}/conversation`)).json<{ items: MessageDetail[] }>();
    expect(single.items.map((m) => m.id)).toEqual([ids.invoice]);
  });

  it("keeps other users' mail out of a conversation", async () => {
    expect((await get(`/api/v1/messages/${ids.answer}/conversation`, bob)).statusCode).toBe(404);
    const bobs = (await get(`/api/v1/messages/${ids.bobs}/conversation`, bob)).json<{ items: MessageDetail[] }>();
    expect(bobs.items.map((m) => m.id)).toEqual([ids.bobs]);
    expect((await get(`/api/v1/messages/${ids.bobs}/conversation`)).statusCode).toBe(404);
  });

  it('searches every folder of every mailbox of the viewer', async () => {
    expect(await search('offsite')).toEqual(['agenda', 'answer', 'ask']);
    expect(await search('lake')).toEqual(['answer']);
  });

  it.each([
    ['from:carol', ['agenda', 'ask']],
    ['from:"Carol Partner"', ['agenda', 'ask']],
    ['to:carol@partner.example', ['answer']],
    ['subject:invoice', ['invoice']],
    ['subject:"offsite plans" from:alice', ['answer']],
    ['has:attachment', ['agenda', 'invoice']],
    ['filename:agenda', ['agenda']],
    ['filename:.xlsx', ['invoice']],
    ['agenda-final.pdf', ['agenda']],
    ['invoice-2024', ['invoice']],
    ['is:unread', ['ask']],
    ['is:read offsite', ['agenda', 'answer']],
    ['is:starred', ['agenda']],
    ['before:2024-01-10', ['invoice']],
    ['after:2024-01-10', ['agenda', 'answer']],
    ['after:2024-01-09 before:2024-01-12', ['answer', 'ask']],
    ['from:carol has:attachment', ['agenda']],
    ['from:nobody', []],
    ['subject:100%', []],
  ])('finds %s', async (q, expected) => {
    expect(await search(q)).toEqual(expected);
  });

  it('treats an unknown operator as words and refuses a bad date', async () => {
    expect(await search('where:lake')).toEqual([]);
    const bad = await get('/api/v1/messages?q=before:yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});
