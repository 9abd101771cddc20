import { TextDecoder } from 'node:util';
import { decoderFor } from './charset.ts';

// RFC 2047 encoded words: =?charset[*lang]?B|Q?text?=
const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
/** Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2). */
const BETWEEN_WORDS = /(\?=)\s+(?==\?[^?\s]+\?[BbQq]\?)/g;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  const qp = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  return Buffer.from(qp, 'latin1');
}

/**
 * Decodes RFC 2047 encoded words in a header value. Used for headers mailparser
 * does not decode for us and for the fallback path; unknown charsets decode as
 * UTF-8. Never throws.
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value.replace(BETWEEN_WORDS, '$1').replace(ENCODED_WORD, (_m, charset: string, enc: string, text: string) => {
    const decoder = decoderFor(charset.split('*')[0] ?? 'utf-8') ?? new TextDecoder('utf-8');
    return decoder.decode(wordBytes(enc, text));
  });
}
