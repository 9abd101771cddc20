import { TextDecoder } from 'node:util';
import { decoderFor } from './charset.ts';

export interface HeaderField {
  /** Lowercase header name. */
  name: string;
  /** Unfolded value; 8-bit bytes decoded as described at decodeHead. Encoded words are NOT decoded. */
  value: string;
}

/** Header sections bigger than this are cut when scanned: no real one comes close. */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const latin = decoderFor('windows-1252') ?? new TextDecoder('utf-8');

/** Where the header section ends and the body starts (after the empty line); both raw.length if no body. */
function sections(raw: Buffer): { end: number; body: number } {
  if (raw[0] === 0x0a) return { end: 0, body: 1 };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { end: 0, body: 2 };
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\n\r\n');
  if (lf === -1 && crlf === -1) return { end: raw.length, body: raw.length };
  if (crlf === -1 || (lf !== -1 && lf < crlf)) return { end: lf, body: lf + 2 };
  return { end: crlf, body: crlf + 3 };
}

/** Byte offset where the header section ends (0 when the message starts with an empty line). */
export function headerEnd(raw: Buffer): number {
  return sections(raw).end;
}

/** Byte offset where the body starts, just after the empty line. */
export function bodyStart(raw: Buffer): number {
  return sections(raw).body;
}

/**
 * Raw 8-bit header bytes (RFC 6532 allows UTF-8; older mail just used its own
 * charset): UTF-8 when valid, else the charset the top-level Content-Type
 * names (the sender's charset), else windows-1252.
 */
function decodeHead(bytes: Buffer): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    const declared = /^content-type:[^\n]*?charset\s*=\s*"?([^";\s]+)/im.exec(bytes.toString('latin1'))?.[1];
    return ((declared === undefined ? null : decoderFor(declared)) ?? latin).decode(bytes);
  }
}

/**
 * A plain header scan independent of mailparser: used for the headers we read
 * ourselves (Date, Message-IDs, the selected display set) and as the fallback
 * when mailparser fails. Lines that are not `Name: value` are skipped.
 */
export function scanHeaders(raw: Buffer): HeaderField[] {
  const text = decodeHead(raw.subarray(0, Math.min(headerEnd(raw), MAX_HEADER_BYTES)));
  const fields: HeaderField[] = [];
  for (const line of text.split(/\r?\n(?![ \t])/)) {
    const match = /^([!-9;-~]+)[ \t]*:(.*)$/s.exec(line);
    if (!match) continue;
    const value = (match[2] ?? '').replace(/\r?\n[ \t]/g, ' ').trim();
    fields.push({ name: (match[1] ?? '').toLowerCase(), value });
  }
  return fields;
}

/** Value of the first header with that (lowercase) name, or null. */
export function firstHeader(fields: readonly HeaderField[], name: string): string | null {
  return fields.find((field) => field.name === name)?.value ?? null;
}
