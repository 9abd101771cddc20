import { describe, expect, it } from 'vitest';
import { charsetProblems } from './charset.ts';
import { parseDateHeader } from './date.ts';
import { decodeEncodedWords, reencodeUndecodableWords } from './encoded-words.ts';
import { stripMboxEnvelope } from './mbox.ts';
import { normalizeMessageId, parseMessageIdList } from './message-id.ts';
import { makeSnippet } from './snippet.ts';
import { subjectForThreading } from './subject.ts';

describe('normalizeMessageId', () => {
  it.each([
    ['<abc@example.com>', 'abc@example.com'],
    ['  <abc@example.com> (added by relay)', 'abc@example.com'],
    ['abc@example.com', 'abc@example.com'],
    ['<abc@exa\r\n mple.com>', 'abc@example.com'],
    ['Your message of Monday <p@x>', 'p@x'],
    ['<CaseKept@X>', 'CaseKept@X'],
    ['', null],
    ['<>', null],
    ['   ', null],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeMessageId(input)).toBe(expected);
  });
});

describe('parseMessageIdList', () => {
  it('reads bracketed ids in order without duplicates', () => {
    expect(parseMessageIdList('<a@x> <b@x>\r\n\t<a@x>,<c@x>')).toEqual(['a@x', 'b@x', 'c@x']);
  });
  it('accepts bare ids separated by whitespace or commas', () => {
    expect(parseMessageIdList('a@x, b@x c@x')).toEqual(['a@x', 'b@x', 'c@x']);
  });
  it('returns [] for an empty value', () => {
    expect(parseMessageIdList('')).toEqual([]);
  });
});

describe('subjectForThreading', () => {
  it.each([
    ['Re: Hello', 'hello'],
    ['RE: re: Fwd: Hello', 'hello'],
    ['AW: WG: Angebot', 'angebot'],
    ['SV: VS: Møte', 'møte'],
    ['[dev-list] Re: [dev-list] Build broken', 'build broken'],
    ['Re[2]: Re(3): Offer', 'offer'],
    ['回复：会议', '会议'],
    ['Fw: Report (fwd)', 'report'],
    ['  Quarterly   numbers ', 'quarterly numbers'],
    ['Regarding: Rebate', 'regarding: rebate'],
    ['Re:', ''],
  ])('%j -> %j', (input, expected) => {
    expect(subjectForThreading(input)).toBe(expected);
  });
});

describe('stripMboxEnvelope', () => {
  it('drops a leading From_ line', () => {
    const raw = Buffer.from('From MAILER-DAEMON Fri Jul  8 12:08:34 2011\r\nSubject: x\r\n\r\nbody');
    expect(stripMboxEnvelope(raw).toString()).toBe('Subject: x\r\n\r\nbody');
  });
  it('leaves a From: header and other input alone', () => {
    const raw = Buffer.from('From: a@b.c\r\n\r\nbody');
    expect(stripMboxEnvelope(raw)).toBe(raw);
    expect(stripMboxEnvelope(Buffer.alloc(0)).length).toBe(0);
  });
});

describe('parseDateHeader', () => {
  it.each([
    ['Tue, 1 Jul 2003 10:52:37 +0200', '2003-07-01T08:52:37.000Z'],
    ['Tue, 1 Jul 2003 10:52:37 +0200 (CEST)', '2003-07-01T08:52:37.000Z'],
    ['1 Jul 03 10:52 GMT', '2003-07-01T10:52:00.000Z'],
    ['Fri, 30 Aug 02 05:32:48', '2002-08-30T05:32:48.000Z'],
    ['Fri, 30 Aug 02 21:48:08 Eastern Daylight Time', '2002-08-30T21:48:08.000Z'],
    ['Thu, 29 Aug 2002 15:36:58 +-0500', '2002-08-29T20:36:58.000Z'],
    ['2002/09/14 Sat 13:06:03 GMT', '2002-09-14T13:06:03.000Z'],
  ])('%j', (input, iso) => {
    expect(parseDateHeader(input)?.toISOString()).toBe(iso);
  });
  it.each([['<HR>'], ['2'], [''], ['Pn, 29 paX 2007 21:13:00 +0100']])('rejects %j', (input) => {
    expect(parseDateHeader(input)).toBeNull();
  });
});

describe('decodeEncodedWords', () => {
  it('decodes Q and B words and joins adjacent ones', () => {
    expect(decodeEncodedWords('=?utf-8?q?a_b?= =?utf-8?b?w6k=?= c')).toBe('a bé c');
  });
  it('falls back to UTF-8 for unknown charsets and leaves plain text alone', () => {
    expect(decodeEncodedWords('=?x-nope?q?ok?=')).toBe('ok');
    expect(decodeEncodedWords('no words here =?')).toBe('no words here =?');
  });
});

describe('reencodeUndecodableWords', () => {
  const utf8Word = (text: string) => `=?utf-8?B?${Buffer.from(text).toString('base64')}?=`;
  it('re-encodes words with raw 8-bit bytes from those bytes, by their own charset', () => {
    expect(reencodeUndecodableWords('Subject: =?iso-8859-1?Q?Fr\xf6sche?= x')).toBe(
      `Subject: ${utf8Word('Frösche')} x`,
    );
    expect(reencodeUndecodableWords('=?koi8-r?Q?\xf0\xd2\xc9\xd7\xc5\xd4?=')).toBe(utf8Word('Привет'));
  });
  it('decodes UTF-7 words (RFC 2152) and leaves every other word and text as it was', () => {
    expect(reencodeUndecodableWords('=?UTF-7?Q?Fr+APY-sche?= =?utf-8?q?ok?=')).toBe(
      `${utf8Word('Frösche')} =?utf-8?q?ok?=`,
    );
    expect(reencodeUndecodableWords('plain \xf6 text =?utf-8?q?ok?=')).toBe('plain \xf6 text =?utf-8?q?ok?=');
  });
});

describe('charsetProblems', () => {
  it('reports unknown charsets from Content-Type headers only (UTF-7 is decoded)', () => {
    const raw =
      'Content-Type: text/plain;\r\n charset="x-foo"\r\n\r\n<meta content="text/html; charset=x-bar">\r\n' +
      'content-type: text/plain; charset=utf-7\r\nContent-Type: text/plain; charset=win-1251\r\nContent-Type: text/plain; charset=IBM850\r\n';
    expect(charsetProblems(raw)).toEqual(['unknown charset x-foo (decoded as UTF-8)']);
  });
});

describe('makeSnippet', () => {
  it('collapses whitespace and skips quoted lines', () => {
    expect(makeSnippet('Sounds good.\n\n> old line\n> more\nThanks')).toBe('Sounds good. Thanks');
  });
  it('stops at a wrapped "On … wrote:" introduction and at a signature', () => {
    expect(makeSnippet('Yes.\nOn Mon, 1 Jan 2024 at 10:00, Ann <\nann@x.com> wrote:\nold')).toBe('Yes.');
    expect(makeSnippet('Yes.\n-- \nAnn, CEO')).toBe('Yes.');
    expect(makeSnippet('New\n-----Original Message-----\nFrom: x')).toBe('New');
  });
  it('falls back to the whole text when everything is quoted', () => {
    expect(makeSnippet('> only quoted')).toBe('> only quoted');
  });
  it('drops invisible preheader padding and link annotations', () => {
    expect(makeSnippet('Sale\u200c\u034f now [https://x.example/track]')).toBe('Sale now');
  });
  it('cuts long text at a word boundary near 200 characters', () => {
    const snippet = makeSnippet('word '.repeat(100));
    expect(snippet.length).toBeLessThanOrEqual(200);
    expect(snippet.length).toBeGreaterThan(170);
    expect(snippet.endsWith('word')).toBe(true);
  });
  it('never splits a surrogate pair', () => {
    const snippet = makeSnippet('😀'.repeat(300));
    expect(Array.from(snippet)).toHaveLength(200);
  });
});
