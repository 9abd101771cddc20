import { TextDecoder } from 'node:util';
// Charset names are checked against the WHATWG Encoding labels Node's
// TextDecoder knows (full ICU), plus the DOS/IBM code pages, ISO-8859-16 and
// UTF-32 that mailparser's decoder (iconv-lite via libmime) also handles. A
// name outside both is reported: mailparser then decodes the part as UTF-8.

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

/** Returns a TextDecoder for the charset, or null when the name is unknown. */
export function decoderFor(charset: string, fatal = false): TextDecoder | null {
  const name = repairName(charset.trim().toLowerCase());
  try {
    return new TextDecoder(name, { fatal });
  } catch {
    return null;
  }
}

/** UTF-7 is refused by mailparser (it can smuggle markup past filters) and decoded as UTF-8. */
export function isRefusedCharset(charset: string): boolean {
  return /^(?:unicode-1-1-)?utf-?7(?:-imap)?$/i.test(charset.trim());
}

export function isKnownCharset(charset: string): boolean {
  const key = charset.trim().toLowerCase();
  let result = known.get(key);
  if (result === undefined) {
    result = !isRefusedCharset(key) && (ICONV_ONLY.test(key) || decoderFor(key) !== null);
    known.set(key, result);
  }
  return result;
}

/** Every `Content-Type: …` header line (folded continuation lines included) in the raw message. */
const CONTENT_TYPE_LINE = /^content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/gim;
const CHARSET_PARAM = /charset\s*=\s*"?([^";\s]+)/i;

/**
 * Reports the charsets declared in Content-Type headers (of any part) that the
 * decoder does not know; their text is decoded as UTF-8 by mailparser.
 */
export function charsetProblems(raw: string): string[] {
  const problems = new Set<string>();
  for (const match of raw.matchAll(CONTENT_TYPE_LINE)) {
    const charset = CHARSET_PARAM.exec(match[0])?.[1];
    if (charset === undefined || isKnownCharset(charset)) continue;
    const reason = isRefusedCharset(charset) ? 'refused charset' : 'unknown charset';
    problems.add(`${reason} ${charset.toLowerCase()} (decoded as UTF-8)`);
  }
  return [...problems];
}
