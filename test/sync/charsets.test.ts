import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail, MessageSummary } from '../../src/mail/messages/index.ts';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';
import { connectTestMailbox, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

// Charsets old mail clients really wrote, delivered to the real Dovecot and
// read back through the API after the sync. Python's `email` package decodes
// each of them to "Frösche"; nothing may come out still encoded or as the
// double-decoded replacement character "ï¿½".

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/** RFC 2047 word with a raw 8-bit byte (0xF6) instead of =F6. */
const EIGHT_BIT_WORD = latin1(
  [
    'From: =?iso-8859-1?Q?J=FCrgen_M\xfcller?= <juergen@example.test>',
    'To: frog@example.test',
    'Subject: =?iso-8859-1?Q?Die_Hasen_und_die_Fr\xf6sche?=',
    'Date: Mon, 1 Jan 2024 10:00:00 +0000',
    'Message-ID: <eight-bit-word@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Die Fr\xf6sche quaken.',
    '--b1',
    'Content-Type: text/plain; name="=?iso-8859-1?Q?Fr\xf6sche.txt?="',
    'Content-Disposition: attachment; filename="=?iso-8859-1?Q?Fr\xf6sche.txt?="',
    '',
    'ribbit',
    '--b1--',
    '',
  ].join('\r\n'),
);

/** UTF-7 (RFC 2152) in encoded words, a file name and the body. */
const UTF7 = latin1(
  [
    'From: =?unicode-1-1-utf-7?Q?Fr+APY-sche?= <utf7@example.test>',
    'To: frog@example.test',
    'Subject: =?utf-7?Q?Fr+APY-sche?=',
    'Date: Mon, 1 Jan 2024 11:00:00 +0000',
    'Message-ID: <utf7@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b2"',
    '',
    '--b2',
    'Content-Type: text/plain; charset="utf-7"',
    '',
    'Die Fr+APY-sche, 1 +- 1 = 2',
    '--b2',
    'Content-Type: application/octet-stream',
    'Content-Disposition: attachment; filename="=?utf-7?B?RnIrQVBZLXNjaGUucGRm?="',
    'Content-Transfer-Encoding: base64',
    '',
    'cmliYml0',
    '--b2--',
    '',
  ].join('\r\n'),
);

/** UTF-7 HTML that spells a script tag: decoded, then sanitized like any HTML. */
const UTF7_HTML = latin1(
  [
    'From: html7@example.test',
    'To: frog@example.test',
    'Subject: html in utf-7',
    'Date: Mon, 1 Jan 2024 12:00:00 +0000',
    'Message-ID: <utf7-html@example.test>',
    'Content-Type: text/html; charset=utf-7',
    '',
    '+ADw-p+AD4-Fr+APY-sche+ADw-/p+AD4-+ADw-script+AD4-alert(1)+ADw-/script+AD4-',
    '',
  ].join('\r\n'),
);

describe('charsets old clients wrote, synced from the real server', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  beforeAll(async () => {
    api = await startSyncApi();
  });
  afterAll(() => api.close());

  it('decodes 8-bit bytes in encoded words and UTF-7 by their own charset, in headers, bodies and file names', async () => {
    const user = await createMailUser(servers, 'charsets');
    const other = await otherClient(servers, user);
    for (const raw of [EIGHT_BIT_WORD, UTF7, UTF7_HTML]) await other.append('INBOX', raw);
    await other.logout();
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: '1m', folders: ['INBOX'] });
    await waitIdle(api, owner.auth, mailbox.id);

    const list = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages?mailboxId=${mailbox.id}&folder=INBOX`,
      headers: owner.auth,
    });
    const items = list.json<{ items: MessageSummary[] }>().items;
    const detail = async (messageId: string): Promise<MessageDetail> => {
      const summary = items.find((item) => item.messageId === messageId);
      if (!summary) throw new Error(`${messageId} not synced`);
      return (
        await api.app.inject({ method: 'GET', url: `/api/v1/messages/${summary.id}`, headers: owner.auth })
      ).json<MessageDetail>();
    };

    const eightBit = await detail('eight-bit-word@example.test');
    expect(eightBit.subject).toBe('Die Hasen und die Frösche');
    expect(eightBit.from?.name).toBe('Jürgen Müller');
    expect(eightBit.text).toBe('Die Frösche quaken.');
    expect(eightBit.attachments.map((a) => a.filename)).toEqual(['Frösche.txt']);

    const utf7 = await detail('utf7@example.test');
    expect(utf7.subject).toBe('Frösche');
    expect(utf7.from?.name).toBe('Frösche');
    expect(utf7.text).toBe('Die Frösche, 1 + 1 = 2');
    expect(utf7.attachments.map((a) => a.filename)).toEqual(['Frösche.pdf']);
    expect(utf7.problems).toEqual([]);

    const html = await detail('utf7-html@example.test');
    expect(html.html).toContain('<p>Frösche</p>');
    expect(html.html).not.toMatch(/script|alert/);
    expect(html.text).toBe('Frösche');

    const everything = JSON.stringify([eightBit, utf7, html]);
    expect(everything).not.toContain('ï¿½');
    expect(everything).not.toContain('\uFFFD');
    expect(everything).not.toContain('+APY-');
  }, 120_000);
});
