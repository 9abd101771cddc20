import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse.ts';

/** Joins header/body pieces with CRLF; Buffers are kept byte for byte (non-UTF-8 bodies). */
function eml(...parts: (string | Buffer)[]): Buffer {
  const pieces = parts.flatMap((part, i) => [i === 0 ? Buffer.alloc(0) : Buffer.from('\r\n'), Buffer.from(part)]);
  return Buffer.concat(pieces);
}

const HEADERS = ['From: a@example.com', 'To: b@example.com', 'Date: Tue, 1 Jul 2025 10:52:37 +0200'];
// こんにちは in ISO-2022-JP: ESC $ B, JIS X 0208 pairs, ESC ( B.
const JIS_HELLO = Buffer.from('1b244224332473244b2441244f1b2842', 'hex');

describe('parseMessage: charsets', () => {
  it('decodes an ISO-2022-JP subject and body', async () => {
    const m = await parseMessage(
      eml(
        ...HEADERS,
        `Subject: =?ISO-2022-JP?B?${JIS_HELLO.toString('base64')}?=`,
        'Content-Type: text/plain; charset=ISO-2022-JP',
        'Content-Transfer-Encoding: 7bit',
        '',
        JIS_HELLO,
      ),
    );
    expect(m.subject).toBe('こんにちは');
    expect(m.text).toBe('こんにちは');
    expect(m.problems).toEqual([]);
  });

  it('decodes a windows-1251 8bit body', async () => {
    const m = await parseMessage(
      eml(
        ...HEADERS,
        'Subject: ru',
        'Content-Type: text/plain; charset=windows-1251',
        'Content-Transfer-Encoding: 8bit',
        '',
        Buffer.from('cff0e8e2e5f2', 'hex'),
      ),
    );
    expect(m.text).toBe('Привет');
  });

  it('reports an unknown charset and still returns the text', async () => {
    const m = await parseMessage(
      eml(...HEADERS, 'Subject: x', 'Content-Type: text/plain; charset="x-foo"', '', 'plain ascii'),
    );
    expect(m.text).toBe('plain ascii');
    expect(m.problems).toEqual(['unknown charset x-foo (decoded as UTF-8)']);
  });

  it('reads raw 8-bit UTF-8 headers', async () => {
    const m = await parseMessage(eml(...HEADERS.slice(1), 'From: Jürgen <j@example.de>', 'Subject: Grüße', '', 'x'));
    expect(m.subject).toBe('Grüße');
    expect(m.from).toEqual({ name: 'Jürgen', address: 'j@example.de' });
  });

  it('reads raw 8-bit legacy headers in the declared charset, else windows-1252', async () => {
    const greek = await parseMessage(
      eml(
        ...HEADERS,
        Buffer.concat([Buffer.from('Subject: '), Buffer.from('c3e5e9dc', 'hex')]),
        'Content-Type: text/plain; charset=iso-8859-7',
        '',
        'x',
      ),
    );
    expect(greek.subject).toBe('Γειά');
    const latin = await parseMessage(
      eml(
        ...HEADERS.slice(1),
        Buffer.concat([Buffer.from('From: Jo'), Buffer.from([0xe3]), Buffer.from('o <j@example.pt>')]),
        Buffer.concat([
          Buffer.from('Subject: Ver'),
          Buffer.from([0xe3]),
          Buffer.from('o '),
          Buffer.from([0xa3]),
          Buffer.from('5'),
        ]),
        '',
        'x',
      ),
    );
    expect(latin.subject).toBe('Verão £5');
    expect(latin.from).toEqual({ name: 'João', address: 'j@example.pt' });
  });
});

describe('parseMessage: dates', () => {
  it('reports a missing Date header', async () => {
    const m = await parseMessage(eml('From: a@example.com', 'Subject: no date', '', 'x'));
    expect(m.date).toBeNull();
    expect(m.problems).toEqual(['missing Date header']);
  });

  it('reports an unreadable Date header instead of inventing "now"', async () => {
    const m = await parseMessage(eml('From: a@example.com', 'Date: Pn, 29 paX 2007 21:13:00 +0100', '', 'x'));
    expect(m.date).toBeNull();
    expect(m.problems).toEqual(['unparseable Date header "Pn, 29 paX 2007 21:13:00 +0100"']);
  });

  it('repairs common damage silently', async () => {
    const m = await parseMessage(eml('From: a@example.com', 'Date: Thu, 29 Aug 2002 15:36:58 +-0500', '', 'x'));
    expect(m.date?.toISOString()).toBe('2002-08-29T20:36:58.000Z');
    expect(m.problems).toEqual([]);
  });
});

describe('parseMessage: broken input never throws', () => {
  it('survives a boundary that never appears', async () => {
    const m = await parseMessage(
      eml(
        ...HEADERS,
        'Subject: b',
        'Content-Type: multipart/mixed; boundary="nope"',
        '',
        '--other',
        'Content-Type: text/plain',
        '',
        'lost?',
        '--other--',
        '',
      ),
    );
    expect(m.subject).toBe('b');
    // Nothing is framed, so the body is shown raw rather than lost.
    expect(m.text).toContain('lost?');
    expect(m.problems).toEqual([
      'multipart boundary "nope" not found',
      'no readable body part; raw body shown as text',
    ]);
  });

  it('survives a truncated multipart message', async () => {
    const m = await parseMessage(
      eml(
        ...HEADERS,
        'Subject: t',
        'Content-Type: multipart/alternative; boundary=b',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'first part',
        '--b',
        'Content-Type: text/html',
        '',
        '<p>cut',
      ),
    );
    expect(m.text).toBe('first part');
    expect(m.html).toContain('<p>cut');
    expect(m.problems).toEqual(['multipart closing boundary missing (message may be truncated)']);
  });

  it('returns an empty result for an empty buffer', async () => {
    const m = await parseMessage(Buffer.alloc(0));
    expect(m).toMatchObject({ subject: '', text: '', html: null, from: null, messageId: null });
    expect(m.problems).toContain('empty message');
  });

  it('treats text without headers as body', async () => {
    const m = await parseMessage(Buffer.from('Just some words\n\tindented line\n\nsecond paragraph\n'));
    expect(m.text).toBe('Just some words\n\tindented line\n\nsecond paragraph');
    expect(m.problems).toContain('no header section found');
  });

  it('survives binary garbage', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    const m = await parseMessage(garbage);
    expect(typeof m.text).toBe('string');
    expect(m.text).not.toContain('\0');
  });

  it('falls back to a header scan when mailparser gives up', async () => {
    let raw = `Subject: =?UTF-8?Q?many_parts_=E2=9C=93?=\r\nFrom: "Ann" <ann@example.com>\r\n${HEADERS[2]}\r\n`;
    raw += 'Message-ID: <many@x>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n';
    for (let i = 0; i < 1100; i++) raw += `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
    const m = await parseMessage(Buffer.from(`${raw}--b--\r\n`));
    expect(m.problems).toEqual(['parse failed: Max allowed child nodes exceeded']);
    expect(m).toMatchObject({
      subject: 'many parts ✓',
      from: { name: 'Ann', address: 'ann@example.com' },
      messageId: 'many@x',
      html: null,
    });
    expect(m.date?.toISOString()).toBe('2025-07-01T08:52:37.000Z');
    expect(m.text).toContain('part 1099');
  });

  it('never throws, even on input that is not a buffer', async () => {
    const m = await parseMessage(null as unknown as Buffer);
    expect(m.problems).toHaveLength(1);
    expect(m.problems[0]).toMatch(/^unreadable message: /);
  });

  it('removes NUL characters that PostgreSQL text cannot store', async () => {
    const m = await parseMessage(eml(...HEADERS, 'Subject: a\0b', '', 'x\0y'));
    expect(m.subject).toBe('ab');
    expect(m.text).toBe('xy');
  });
});
