import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail, MessageSummary } from '../../src/mail/messages/index.ts';
import { MAX_RECIPIENTS_PER_FIELD, MAX_SUBJECT_CHARS } from '../../src/mail/mime/limits.ts';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';
import { connectTestMailbox, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

// A message a stranger made huge in its headers, delivered to the real Dovecot:
// it is stored with its Subject and recipients capped and the caps named in
// its problems, while the raw source stays whole for download.

const RECIPIENTS = 5_000;
const WORDS = 20_000; // "word00001 " × 20,000: a Subject of 200,000 characters

function hugeHeaders(): Buffer {
  const words = Array.from({ length: WORDS }, (_, i) => `word${String(i).padStart(5, '0')}`);
  const to = Array.from({ length: RECIPIENTS }, (_, i) => `r${i}@crowd.example`);
  return Buffer.from(
    [
      'From: Stranger <stranger@example.test>',
      `To: ${to.join(',\r\n ')}`,
      `Subject: ${words.join('\r\n ')}`, // folded (RFC 5322 §2.2.3): each line well under 998
      'Date: Mon, 1 Jan 2024 10:00:00 +0000',
      'Message-ID: <huge-headers@example.test>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello, all of you.',
      '',
    ].join('\r\n'),
  );
}

describe('a message with huge headers, synced from the real server', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  beforeAll(async () => {
    api = await startSyncApi();
  });
  afterAll(() => api.close());

  it('stores the Subject and recipients capped, says so, and keeps the raw source whole', async () => {
    const raw = hugeHeaders();
    const user = await createMailUser(servers, 'limits');
    const other = await otherClient(servers, user);
    await other.append('INBOX', raw);
    await other.logout();
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: '1m', folders: ['INBOX'] });
    await waitIdle(api, owner.auth, mailbox.id);

    const list = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages?mailboxId=${mailbox.id}&folder=INBOX`,
      headers: owner.auth,
    });
    const [item] = list.json<{ items: MessageSummary[] }>().items;
    if (!item) throw new Error('message not synced');
    expect(item.subject).toHaveLength(MAX_SUBJECT_CHARS);
    expect(item.subject.startsWith('word00000 word00001')).toBe(true);

    const detail = (
      await api.app.inject({ method: 'GET', url: `/api/v1/messages/${item.id}`, headers: owner.auth })
    ).json<MessageDetail>();
    expect(detail.subject).toHaveLength(MAX_SUBJECT_CHARS);
    expect(detail.to).toHaveLength(MAX_RECIPIENTS_PER_FIELD);
    expect(detail.to[0]?.address).toBe('r0@crowd.example');
    expect(detail.text).toBe('Hello, all of you.');
    // mailparser refuses a header section this large; the plain header scan reads it instead
    expect(detail.problems).toEqual(
      expect.arrayContaining([
        'Subject: 199,999 characters, the first 2,000 kept',
        'To: 5,000 addresses, the first 1,000 kept',
      ]),
    );

    const participants = await api.context.store.db
      .selectFrom('message_participants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(participants.n)).toBe(MAX_RECIPIENTS_PER_FIELD + 1); // the From and the To kept

    const source = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages/${item.id}/raw`,
      headers: owner.auth,
    });
    expect(source.statusCode).toBe(200);
    expect(source.rawPayload.equals(raw)).toBe(true);
  }, 180_000);
});
