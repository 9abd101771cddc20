import { parseAddressHeader } from 'mailparser';
import type { AddressObject } from 'mailparser';
import { firstMailbox, toMailAddresses } from './addresses.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import { bodyStart, firstHeader } from './raw-headers.ts';
import type { HeaderField } from './raw-headers.ts';
import type { MailAddress } from './types.ts';

/** parseAddressHeader is pure, but this path runs on input that already broke the parser. */
function addressesOf(fields: readonly HeaderField[], name: string): AddressObject | undefined {
  const values = fields.filter((field) => field.name === name).map((field) => field.value);
  if (values.length === 0) return undefined;
  try {
    return parseAddressHeader(values, { flatten: true });
  } catch {
    return undefined;
  }
}

export interface Addressing {
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  replyTo: MailAddress[];
}

/** Subject and addresses from our own header scan. */
export function scannedAddressing(fields: readonly HeaderField[]): Addressing {
  return {
    subject: decodeEncodedWords(firstHeader(fields, 'subject') ?? ''),
    from: firstMailbox(addressesOf(fields, 'from')),
    to: toMailAddresses(addressesOf(fields, 'to')),
    cc: toMailAddresses(addressesOf(fields, 'cc')),
    bcc: toMailAddresses(addressesOf(fields, 'bcc')),
    replyTo: toMailAddresses(addressesOf(fields, 'reply-to')),
  };
}

const ADDRESSING_KEYS = ['subject', 'from', 'to', 'cc', 'bcc', 'replyTo'] as const;
const hasReplacementChar = (value: unknown): boolean => JSON.stringify(value).includes('\uFFFD');

/**
 * mailparser reads raw 8-bit header bytes as UTF-8, so a Latin-1 or EUC-KR
 * subject comes out as U+FFFD marks. Where that happened and our scan (which
 * falls back to the declared charset) did better, the scanned value wins.
 */
export function repairAddressing(parsed: Addressing, fields: readonly HeaderField[]): Addressing {
  if (!ADDRESSING_KEYS.some((key) => hasReplacementChar(parsed[key]))) return parsed;
  const scanned = scannedAddressing(fields);
  const repaired: Addressing = { ...parsed };
  for (const key of ADDRESSING_KEYS) {
    if (hasReplacementChar(parsed[key]) && !hasReplacementChar(scanned[key]))
      Object.assign(repaired, { [key]: scanned[key] });
  }
  return repaired;
}

/** What we can still show when mailparser fails: the scanned headers and the raw body as text. */
export function fallbackContent(raw: Buffer, fields: readonly HeaderField[]): Addressing & { text: string } {
  return { ...scannedAddressing(fields), text: raw.subarray(bodyStart(raw)).toString('utf8') };
}

/** Crude HTML to text, for when mailparser's conversion fails: tags out, common entities decoded. */
export function stripTags(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(?:br|\/p|\/div|\/tr|\/li|\/h\d)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&amp;/gi, '&');
}
