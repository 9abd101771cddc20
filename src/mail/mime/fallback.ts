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

export interface FallbackContent {
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  replyTo: MailAddress[];
  text: string;
}

/** What we can still show when mailparser fails: the scanned headers and the raw body as text. */
export function fallbackContent(raw: Buffer, fields: readonly HeaderField[]): FallbackContent {
  return {
    subject: decodeEncodedWords(firstHeader(fields, 'subject') ?? ''),
    from: firstMailbox(addressesOf(fields, 'from')),
    to: toMailAddresses(addressesOf(fields, 'to')),
    cc: toMailAddresses(addressesOf(fields, 'cc')),
    bcc: toMailAddresses(addressesOf(fields, 'bcc')),
    replyTo: toMailAddresses(addressesOf(fields, 'reply-to')),
    text: raw.subarray(bodyStart(raw)).toString('utf8'),
  };
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
