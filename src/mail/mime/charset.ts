import { TextDecoder } from 'node:util';
// Charset names are resolved through the WHATWG Encoding labels that Node's
// TextDecoder knows (full ICU). That is close to what mailparser's decoder
// (iconv-lite via libmime) accepts; the few it knows beyond that (cp437, cp850…)
// are accepted here through the libmime-style name repairs below or else reported.

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
    result = !isRefusedCharset(key) && decoderFor(key) !== null;
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
