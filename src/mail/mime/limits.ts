import type { MailAddress, ParsedMessage } from './types.ts';
import { megabytes } from './size.ts';

// How much of one message is parsed and stored. A sender chooses every byte,
// so nothing it writes may grow the store, a list page or the work of parsing
// without bound. The raw source is always kept whole in the blob store and
// can be downloaded; each cap that applied is said in the message's problems.

/** Above this size only the header section is parsed; the body is left to the raw download. */
export const MAX_PARSED_BYTES = 50 * 1024 * 1024;
/** Characters of Subject kept (sent in every list page). */
export const MAX_SUBJECT_CHARS = 2_000;
/** Characters of each other single header value kept (the SELECTED_HEADERS). */
export const MAX_HEADER_VALUE_CHARS = 1_000;
/** Characters kept of an address's display name and of the address itself (RFC 5322 §2.1.1: 998 per line). */
export const MAX_ADDRESS_PART_CHARS = 998;
/** Addresses kept per From-less address field (To, Cc, Bcc, Reply-To); CRM participants follow To and Cc. */
export const MAX_RECIPIENTS_PER_FIELD = 1_000;
/** Message-IDs of References kept: the first (the thread's root) and the most recent (RFC 5322 §3.6.4). */
export const MAX_REFERENCES = 100;
/** Characters of plain text kept for display and search. */
export const MAX_TEXT_CHARS = 2_000_000;
/** Characters of sanitized HTML kept; larger HTML is dropped and the text shown instead. */
export const MAX_HTML_CHARS = 5_000_000;

const count = (n: number): string => n.toLocaleString('en-US');

type Capped = Pick<
  ParsedMessage,
  'subject' | 'from' | 'to' | 'cc' | 'bcc' | 'replyTo' | 'text' | 'html' | 'references'
>;
type AddressField = 'to' | 'cc' | 'bcc' | 'replyTo';

const FIELD_NAMES: Record<AddressField, string> = { to: 'To', cc: 'Cc', bcc: 'Bcc', replyTo: 'Reply-To' };

/** The problem said when a message is too large to parse beyond its headers. */
export function tooLargeProblem(bytes: number): string {
  return `message is ${megabytes(bytes)}, over the ${megabytes(MAX_PARSED_BYTES)} parsed: only its headers were read, the body is too large to show; download the original`;
}

function capAddress(address: MailAddress): { address: MailAddress; cut: boolean } {
  const cut = address.name.length > MAX_ADDRESS_PART_CHARS || address.address.length > MAX_ADDRESS_PART_CHARS;
  if (!cut) return { address, cut };
  return {
    address: {
      name: address.name.slice(0, MAX_ADDRESS_PART_CHARS),
      address: address.address.slice(0, MAX_ADDRESS_PART_CHARS),
    },
    cut,
  };
}

function capAddresses(list: MailAddress[], field: string, problems: string[]): MailAddress[] {
  let kept = list;
  if (list.length > MAX_RECIPIENTS_PER_FIELD) {
    kept = list.slice(0, MAX_RECIPIENTS_PER_FIELD);
    problems.push(`${field}: ${count(list.length)} addresses, the first ${count(MAX_RECIPIENTS_PER_FIELD)} kept`);
  }
  const capped = kept.map(capAddress);
  if (capped.some((c) => c.cut)) {
    problems.push(`${field}: names or addresses over ${count(MAX_ADDRESS_PART_CHARS)} characters cut`);
  }
  return capped.map((c) => c.address);
}

/**
 * Returns the fields cut to the limits above, and adds a problem for each
 * cap that applied. The snippet is made afterwards, from the capped text.
 */
export function capParsed<T extends Capped>(message: T, problems: string[]): T {
  const capped = { ...message };
  if (capped.subject.length > MAX_SUBJECT_CHARS) {
    problems.push(`Subject: ${count(capped.subject.length)} characters, the first ${count(MAX_SUBJECT_CHARS)} kept`);
    capped.subject = capped.subject.slice(0, MAX_SUBJECT_CHARS);
  }
  if (capped.from !== null) {
    const from = capAddress(capped.from);
    if (from.cut) problems.push(`From: name or address over ${count(MAX_ADDRESS_PART_CHARS)} characters cut`);
    capped.from = from.address;
  }
  for (const field of Object.keys(FIELD_NAMES) as AddressField[]) {
    capped[field] = capAddresses(capped[field], FIELD_NAMES[field], problems);
  }
  if (capped.references.length > MAX_REFERENCES) {
    problems.push(
      `References: ${count(capped.references.length)} ids, the first and last ${count(MAX_REFERENCES - 1)} kept`,
    );
    capped.references = [...capped.references.slice(0, 1), ...capped.references.slice(1 - MAX_REFERENCES)];
  }
  if (capped.text.length > MAX_TEXT_CHARS) {
    problems.push(`text: ${count(capped.text.length)} characters, the first ${count(MAX_TEXT_CHARS)} kept`);
    capped.text = capped.text.slice(0, MAX_TEXT_CHARS);
  }
  if (capped.html !== null && capped.html.length > MAX_HTML_CHARS) {
    problems.push(
      `HTML: ${count(capped.html.length)} characters, over the ${count(MAX_HTML_CHARS)} shown; text shown instead, download the original for the rest`,
    );
    capped.html = null;
  }
  return capped;
}

/** A header value cut to MAX_HEADER_VALUE_CHARS, with a problem when it was longer. */
export function capHeaderValue(name: string, value: string, problems: string[]): string {
  if (value.length <= MAX_HEADER_VALUE_CHARS) return value;
  problems.push(`${name}: ${count(value.length)} characters, the first ${count(MAX_HEADER_VALUE_CHARS)} kept`);
  return value.slice(0, MAX_HEADER_VALUE_CHARS);
}
