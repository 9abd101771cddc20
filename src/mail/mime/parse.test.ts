import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse.ts';

/** A message from header and body lines, CRLF line ends as on the wire. */
function eml(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

const HEADERS = [
  'From: Ann <ann@example.com>',
  'To: bob@example.com',
  'Date: Tue, 1 Jul 2025 10:52:37 +0200',
  'Message-ID: <m1@example.com>',
];
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('parseMessage: structure', () => {
  it('reads multipart/alternative into text, sanitized html and snippet', async () => {
    const m = await parseMessage(
      eml(
        ...HEADERS,
        'Subject: Hello',
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="alt"',
        '',
        '--alt',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Hi Bob,',
        '',
        'see you.',
        '',
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p onclick="x()">Hi <b>Bob</b></p><script>alert(1)</script>',
        '',
        '--alt--',
        '',
      ),
    );
    expect(m.subject).toBe('Hello');
    expect(m.from).toEqual({ name: 'Ann', address: 'ann@example.com' });
    expect(m.to).toEqual([{ name: '', address: 'bob@example.com' }]);
    expect(m.date?.toISOString()).toBe('2025-07-01T08:52:37.000Z');
    expect(m.messageId).toBe('m1@example.com');
    expect(m.text).toBe('Hi Bob,\n\nsee you.');
    expect(m.html?.trim()).toBe('<p>Hi <b>Bob</b></p>');
    expect(m.snippet).toBe('Hi Bob, see you.');
    expect(m.attachments).toEqual([]);
    expect(m.problems).toEqual([]);
  });

  it('lists a real attachment with its decoded name and size', async () => {
    const pdf = Buffer.from('%PDF-1.4 fake');
    const m = await parseMessage(
      eml(
        ...HEADERS,
        'Subject: report',
        'Content-Type: multipart/mixed; boundary=mix',
        '',
        '--mix',
        'Content-Type: text/plain',
        '',
        'Attached.',
        '',
        '--mix',
        'Content-Type: application/pdf',
        "Content-Disposition: attachment; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf",
        'Content-Transfer-Encoding: base64',
        '',
        pdf.toString('base64'),
        '',
        '--mix--',
        '',
      ),
    );
    expect(m.text).toBe('Attached.');
    expect(m.attachments).toHaveLength(1);
    const [a] = m.attachments;
    expect(a).toMatchObject({
      filename: 'Résumé.pdf',
      contentType: 'application/pdf',
      size: pdf.length,
      contentId: null,
      inline: false,
    });
    expect(a?.content.equals(pdf)).toBe(true);
  });

  it('marks a cid-referenced image inline and keeps the cid: link', async () => {
    const m = await parseMessage(
      eml(
        ...HEADERS,
        'Subject: logo',
        'Content-Type: multipart/related; boundary=rel',
        '',
        '--rel',
        'Content-Type: text/html',
        '',
        '<p>Logo: <img src="cid:logo@x" alt="logo"></p>',
        '',
        '--rel',
        'Content-Type: image/png; name=logo.png',
        'Content-ID: <logo@x>',
        'Content-Transfer-Encoding: base64',
        '',
        PNG.toString('base64'),
        '',
        '--rel',
        'Content-Type: image/png',
        'Content-Disposition: inline; filename=sig.png',
        'Content-ID: <sig@x>',
        'Content-Transfer-Encoding: base64',
        '',
        PNG.toString('base64'),
        '',
        '--rel--',
        '',
      ),
    );
    expect(m.html?.trim()).toBe('<p>Logo: <img alt="logo" src="cid:logo@x" /></p>');
    // HTML-only in multipart/related: text is derived the way mailparser derives it elsewhere.
    expect(m.text).toBe('Logo: logo [cid:logo@x]');
    expect(m.snippet).toBe('Logo: logo');
    expect(m.attachments.map((a) => [a.contentId, a.inline, a.size])).toEqual([
      ['logo@x', true, PNG.length],
      ['sig@x', true, PNG.length], // not referenced, but inline disposition with a Content-ID
    ]);
  });

  it('keeps a forwarded message/rfc822 part as an attachment', async () => {
    const m = await parseMessage(
      eml(
        ...HEADERS,
        'Subject: fwd',
        'Content-Type: multipart/mixed; boundary=mix',
        '',
        '--mix',
        'Content-Type: text/plain',
        '',
        'See below.',
        '',
        '--mix',
        'Content-Type: message/rfc822',
        'Content-Disposition: inline',
        '',
        'Subject: inner',
        'From: c@example.com',
        '',
        'inner body',
        '',
        '--mix--',
        '',
      ),
    );
    expect(m.text).toBe('See below.');
    expect(m.attachments.map((a) => a.contentType)).toEqual(['message/rfc822']);
    expect(m.attachments[0]?.content.toString()).toContain('inner body');
  });

  it('decodes RFC 2047 subjects and names, flattens groups, normalizes ids', async () => {
    const m = await parseMessage(
      eml(
        'From: =?ISO-8859-1?Q?Andr=E9?= Pirard <pirard@example.be>',
        'To: team: =?UTF-8?B?0JjQstCw0L0=?= <ivan@example.ru>, li@example.cn;, solo@example.com',
        'Cc: undisclosed-recipients:;',
        'Reply-To: "Help Desk" <help@example.com>',
        'Subject: =?UTF-8?Q?Caf=C3=A9?= =?UTF-8?B?IOKYlQ==?= ok',
        'Date: Tue, 1 Jul 2025 10:52:37 +0200',
        'Message-ID: <abc.123@mail.example.com> (comment)',
        'In-Reply-To: Your message of Monday <parent@x>',
        'References: <root@x>\r\n <parent@x>,<root@x>',
        'List-Id: =?UTF-8?Q?Dev_T=C3=A9am?= <dev.example.com>',
        '',
        'body',
      ),
    );
    expect(m.subject).toBe('Café ☕ ok');
    expect(m.from).toEqual({ name: 'André Pirard', address: 'pirard@example.be' });
    expect(m.to).toEqual([
      { name: 'Иван', address: 'ivan@example.ru' },
      { name: '', address: 'li@example.cn' },
      { name: '', address: 'solo@example.com' },
    ]);
    expect(m.cc).toEqual([]);
    expect(m.replyTo).toEqual([{ name: 'Help Desk', address: 'help@example.com' }]);
    expect(m.messageId).toBe('abc.123@mail.example.com');
    expect(m.inReplyTo).toBe('parent@x');
    expect(m.references).toEqual(['root@x', 'parent@x']);
    expect(m.headers).toEqual({ 'list-id': 'Dev Téam <dev.example.com>' });
  });

  it('returns empty text for a message without body', async () => {
    const m = await parseMessage(eml(...HEADERS, 'Subject: empty', ''));
    expect(m).toMatchObject({ subject: 'empty', text: '', html: null, snippet: '', attachments: [], problems: [] });
  });

  it('derives text from html when there is no text part', async () => {
    const m = await parseMessage(
      eml(...HEADERS, 'Content-Type: text/html', '', '<h1>Title</h1><p>Para <a href="https://x.example">link</a></p>'),
    );
    expect(m.text).toContain('Para');
    expect(m.snippet).not.toContain('https://x.example');
    expect(m.html).toContain('<h1>Title</h1>');
  });

  it('strips an mbox envelope line and accepts a Uint8Array', async () => {
    const raw = Buffer.concat([
      Buffer.from('From ann@example.com Tue Jul  1 10:52:37 2025\n'),
      eml(...HEADERS, 'Subject: mbox', '', 'x'),
    ]);
    const m = await parseMessage(new Uint8Array(raw));
    expect(m.subject).toBe('mbox');
    expect(m.from?.address).toBe('ann@example.com');
  });

  it('keeps the selected headers only', async () => {
    const m = await parseMessage(
      eml(
        ...HEADERS,
        'Auto-Submitted: auto-replied',
        'X-Mailer: Foo 1.0',
        'X-Spam: yes',
        'List-Unsubscribe: <https://x.example/u>,\r\n <mailto:u@x.example>',
        '',
        'x',
      ),
    );
    expect(m.headers).toEqual({
      'auto-submitted': 'auto-replied',
      'x-mailer': 'Foo 1.0',
      'list-unsubscribe': '<https://x.example/u>, <mailto:u@x.example>',
    });
  });
});
