import { describe, expect, it } from 'vitest';
import {
  MAX_ADDRESS_PART_CHARS,
  MAX_HEADER_VALUE_CHARS,
  MAX_HTML_CHARS,
  MAX_PARSED_BYTES,
  MAX_RECIPIENTS_PER_FIELD,
  MAX_REFERENCES,
  MAX_SUBJECT_CHARS,
  MAX_TEXT_CHARS,
} from './limits.ts';
import { parseMessage } from './parse.ts';

// Each cap on what is parsed and stored of one message, and the problem that says it applied.

function eml(headers: string[], body = 'Hello.', contentType = 'text/plain; charset=utf-8'): Buffer {
  return Buffer.from(
    [
      'From: Ann <ann@example.com>',
      'Date: Tue, 1 Jul 2025 10:52:37 +0200',
      'Message-ID: <limits@example.com>',
      'MIME-Version: 1.0',
      `Content-Type: ${contentType}`,
      ...headers,
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

const addressList = (n: number, domain: string): string =>
  Array.from({ length: n }, (_, i) => `r${i}@${domain}`).join(',\r\n ');

describe('parseMessage: limits', () => {
  it('keeps a clean message whole, with no problem', async () => {
    const m = await parseMessage(eml(['To: bob@example.com', 'Subject: Hi']));
    expect(m.subject).toBe('Hi');
    expect(m.problems).toEqual([]);
  });

  it('cuts a long Subject and says so', async () => {
    const m = await parseMessage(eml([`Subject: ${'s'.repeat(100_000)}`, 'To: bob@example.com']));
    expect(m.subject).toBe('s'.repeat(MAX_SUBJECT_CHARS));
    expect(m.problems).toContain('Subject: 100,000 characters, the first 2,000 kept');
  });

  it('keeps the first addresses of each recipient field and says so', async () => {
    const m = await parseMessage(
      eml([
        'Subject: many',
        `To: ${addressList(MAX_RECIPIENTS_PER_FIELD + 500, 'to.example')}`,
        `Cc: ${addressList(MAX_RECIPIENTS_PER_FIELD + 1, 'cc.example')}`,
        `Bcc: ${addressList(3, 'bcc.example')}`,
      ]),
    );
    expect(m.to).toHaveLength(MAX_RECIPIENTS_PER_FIELD);
    expect(m.to[0]).toEqual({ name: '', address: 'r0@to.example' });
    expect(m.cc).toHaveLength(MAX_RECIPIENTS_PER_FIELD);
    expect(m.bcc).toHaveLength(3);
    expect(m.problems).toEqual([
      'To: 1,500 addresses, the first 1,000 kept',
      'Cc: 1,001 addresses, the first 1,000 kept',
    ]);
  });

  it('cuts a long display name and says so', async () => {
    const m = await parseMessage(eml(['Subject: name', `To: "${'n'.repeat(5_000)}" <bob@example.com>`]));
    expect(m.to).toEqual([{ name: 'n'.repeat(MAX_ADDRESS_PART_CHARS), address: 'bob@example.com' }]);
    expect(m.problems).toEqual(['To: names or addresses over 998 characters cut']);
  });

  it('cuts a long selected header and says so', async () => {
    const m = await parseMessage(eml(['Subject: header', 'To: bob@example.com', `X-Mailer: ${'x'.repeat(3_000)}`]));
    expect(m.headers['x-mailer']).toBe('x'.repeat(MAX_HEADER_VALUE_CHARS));
    expect(m.problems).toEqual(['x-mailer: 3,000 characters, the first 1,000 kept']);
  });

  it('keeps the first and the latest References and says so', async () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => `<id${i}@example.com>`);
    const m = await parseMessage(eml(['Subject: refs', 'To: bob@example.com', `References: ${ids.join('\r\n ')}`]));
    expect(m.references).toHaveLength(MAX_REFERENCES);
    expect(m.references[0]).toBe('id0@example.com');
    expect(m.references.at(-1)).toBe('id4999@example.com');
    expect(m.problems).toEqual(['References: 5,000 ids, the first and last 99 kept']);
  });

  it('cuts a long text body and says so', async () => {
    const m = await parseMessage(eml(['Subject: text', 'To: bob@example.com'], 't'.repeat(MAX_TEXT_CHARS + 10)));
    expect(m.text).toHaveLength(MAX_TEXT_CHARS);
    expect(m.problems).toEqual(['text: 2,000,010 characters, the first 2,000,000 kept']);
  });

  it('drops HTML over its cap for the text and says so', async () => {
    const html = `<p>${'h'.repeat(MAX_HTML_CHARS)}</p>`;
    const m = await parseMessage(eml(['Subject: html', 'To: bob@example.com'], html, 'text/html; charset=utf-8'));
    expect(m.html).toBeNull();
    expect(m.text.startsWith('hhh')).toBe(true);
    expect(m.problems).toContain(
      'HTML: 5,000,008 characters, over the 5,000,000 shown; text shown instead, download the original for the rest',
    );
  });

  it('reads only the headers of a message over the parsed size', async () => {
    const raw = eml(['Subject: huge', 'To: bob@example.com'], 'b'.repeat(MAX_PARSED_BYTES));
    const m = await parseMessage(raw);
    expect(m.subject).toBe('huge');
    expect(m.to).toEqual([{ name: '', address: 'bob@example.com' }]);
    expect(m.messageId).toBe('limits@example.com');
    expect(m.text).toBe('');
    expect(m.problems).toEqual([
      'message is 50.0 MB, over the 50.0 MB parsed: only its headers were read, the body is too large to show; download the original',
    ]);
  });
});
