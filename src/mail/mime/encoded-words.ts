import { decodeBytes, isUtf7 } from './charset.ts';

// RFC 2047 encoded words: =?charset[*lang]?B|Q?text?=
const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
/** Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2). */
const BETWEEN_WORDS = /(\?=)\s+(?==\?[^?\s]+\?[BbQq]\?)/g;
/**
 * An encoded word that mailparser (libmime) cannot decode byte for byte: raw
 * 8-bit bytes inside it (old clients wrote them unescaped; libmime reads them
 * as UTF-8 first, so `Fr<F6>sche` became `Frï¿½sche`), or the UTF-7 charset,
 * which libmime refuses. Matched on a latin1 (binary) string: one char per byte;
 * the charset name is bounded so a long run of body bytes is scanned in linear time.
 */
const UNDECODABLE_WORD =
  /=\?(?:[^?\s]{0,40}utf-?7[^?\s]{0,40}\?[BbQq]\?[^?\s]*|[^?\s]{1,80}\?[BbQq]\?[^?\s]*[\x80-\xff][^?\s]*)\?=/gi;
const UNDECODABLE_TEST = new RegExp(UNDECODABLE_WORD.source, 'i');

/** Whether the binary (latin1) text holds an encoded word mailparser would decode wrongly. */
export function hasUndecodableWords(binary: string): boolean {
  return UNDECODABLE_TEST.test(binary);
}

/** The bytes an encoded word's text stands for; `text` is binary (latin1), so raw 8-bit bytes stay as they were. */
function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  const qp = text
    .replace(/_/g, ' ')
    .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(qp, 'latin1');
}

function decodeWord(charset: string, encoding: string, text: string): string {
  return decodeBytes(wordBytes(encoding, text), charset.split('*')[0] ?? 'utf-8');
}

/**
 * Decodes RFC 2047 encoded words in a header value. Used for headers mailparser
 * does not decode for us and for the fallback path; unknown charsets decode as
 * UTF-8. Never throws.
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value
    .replace(BETWEEN_WORDS, '$1')
    .replace(ENCODED_WORD, (_m, charset: string, enc: string, text: string) => decodeWord(charset, enc, text));
}

/**
 * Rewrites, in binary (latin1) header text, each encoded word mailparser would
 * get wrong (see UNDECODABLE_WORD) into a plain `=?utf-8?B?…?=` word holding
 * the same text, decoded by the word's own charset from its original bytes.
 * Other text is left byte for byte.
 */
export function reencodeUndecodableWords(binary: string): string {
  if (!hasUndecodableWords(binary)) return binary;
  return binary.replace(UNDECODABLE_WORD, (word) => {
    const [, charset = '', encoding = 'Q', text = ''] = /^=\?([^?]+)\?([BbQq])\?(.*)\?=$/s.exec(word) ?? [];
    const decoded =
      isUtf7(charset.split('*')[0] ?? '') || /[\x80-\xff]/.test(text) ? decodeWord(charset, encoding, text) : null;
    return decoded === null ? word : `=?utf-8?B?${Buffer.from(decoded, 'utf8').toString('base64')}?=`;
  });
}
