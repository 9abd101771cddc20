import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';
// Charset names are checked against the WHATWG Encoding labels Node's
// TextDecoder knows (full ICU), plus the DOS/IBM code pages, ISO-8859-16 and
// UTF-32 that mailparser's decoder (iconv-lite via libmime) also handles, and
// UTF-7 (RFC 2152), which mailparser refuses and we decode ourselves. A name
// outside these is reported: mailparser then decodes the part as UTF-8.

/** Known to iconv-lite but not to TextDecoder. */
const ICONV_ONLY = /^(?:(?:cp|ibm|csibm)[-_]?(?:437|737|775|8[56]\d)|iso[-_]?8859[-_]16|utf[-_]?32(?:le|be)?)$/;

const known = new Map<string, boolean>();

/** Repairs of common misspellings, as mail decoders do (`win-1251`, `utf8`, `latin-2`). */
function repairName(name: string): string {
  return name
    .replace(/^utf[-_]?(\d+)$/, 'utf-$1')
    .replace(/^win(?:dows)?[-_]?(\d+)$/, 'windows-$1')
    .replace(/^(?:latin|iso[-_]?8859)[-_]?(\d+)$/, 'iso-8859-$1')
    .replace(/^(?:x-)?cp[-_]?(125\d)$/, 'windows-$1')
    .replace(/^ks_c_5601.*$/, 'euc-kr');
}

/** UTF-7 (RFC 2152) under its usual labels; UTF-7-IMAP (RFC 3501 folder names) is not a message charset. */
export function isUtf7(charset: string): boolean {
  return /^(?:(?:cs)?unicode-1-1-)?utf-?7$/i.test(charset.trim());
}

/** Decodes UTF-7 (RFC 2152) text; it is 7-bit, so a string read as ASCII/UTF-8 may be given too. */
export function decodeUtf7(input: Buffer | string): string {
  return iconv.decode(Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1'), 'utf-7');
}

/** Returns a TextDecoder for the charset, or null when the name is unknown. */
export function decoderFor(charset: string, fatal = false): TextDecoder | null {
  const name = repairName(charset.trim().toLowerCase());
  try {
    return new TextDecoder(name, { fatal });
  } catch {
    return null;
  }
}

/** Decodes bytes by the charset (UTF-7 included); an unknown charset decodes as UTF-8. */
export function decodeBytes(bytes: Buffer, charset: string): string {
  if (isUtf7(charset)) return decodeUtf7(bytes);
  return (decoderFor(charset) ?? new TextDecoder('utf-8')).decode(bytes);
}

export function isKnownCharset(charset: string): boolean {
  const key = charset.trim().toLowerCase();
  let result = known.get(key);
  if (result === undefined) {
    result = isUtf7(key) || ICONV_ONLY.test(key) || decoderFor(key) !== null;
    known.set(key, result);
  }
  return result;
}

/** Every `Content-Type: …` header line (folded continuation lines included) in the raw message. */
const CONTENT_TYPE_LINE = /^content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/gim;
const CHARSET_PARAM = /charset\s*=\s*"?([^";\s]+)/i;

/** The Content-Type header lines of the message and of all its parts, in order. */
export function contentTypeLines(raw: string): string[] {
  return Array.from(raw.matchAll(CONTENT_TYPE_LINE), (match) => match[0]);
}

/** The charset a Content-Type line declares, or null. */
export function declaredCharset(contentTypeLine: string): string | null {
  return CHARSET_PARAM.exec(contentTypeLine)?.[1] ?? null;
}

/**
 * Reports the charsets declared in Content-Type headers (of any part) that the
 * decoder does not know; their text is decoded as UTF-8 by mailparser.
 */
export function charsetProblems(raw: string): string[] {
  const problems = new Set<string>();
  for (const line of contentTypeLines(raw)) {
    const charset = declaredCharset(line);
    if (charset === null || isKnownCharset(charset)) continue;
    problems.add(`unknown charset ${charset.toLowerCase()} (decoded as UTF-8)`);
  }
  return [...problems];
}

/** The charset of each text part, in order (RFC 2045 §5.2: US-ASCII when none is named). */
function textPartCharsets(raw: string): string[] {
  return contentTypeLines(raw)
    .filter((line) => /^content-type:\s*text\//i.test(line))
    .map((line) => declaredCharset(line) ?? 'us-ascii');
}

/**
 * Whether the message's text is UTF-7 (RFC 2152): mailparser refuses that
 * charset and passes the 7-bit text through as it is, so it is decoded
 * afterwards. Only when every text part is UTF-7: the text of several parts
 * comes joined, and other text cannot go through a UTF-7 decoder unharmed.
 */
export function utf7Text(raw: string): 'all' | 'some' | 'none' {
  const charsets = textPartCharsets(raw);
  const utf7 = charsets.filter(isUtf7).length;
  if (utf7 === 0) return 'none';
  return utf7 === charsets.length ? 'all' : 'some';
}
