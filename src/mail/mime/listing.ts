import { parseMessage } from './parse.ts';
import { bodyStart } from './raw-headers.ts';
import type { ParsedMessage } from './types.ts';

/** What the header pass stores of a message: its envelope, with no body read. */
export interface Listing {
  /** Envelope fields as parseMessage gives them; text, HTML, snippet, attachments and problems empty. */
  parsed: ParsedMessage;
  /** A cheap guess from the MIME headers of the parts; the indexer replaces it with what the full parse finds. */
  hasAttachments: boolean;
}

/** A part a mail app would list as an attachment: declared so, or of a kind that is never shown inline. */
const ATTACHMENT_PART =
  /^content-disposition:[ \t]*attachment|^content-type:[ \t]*(?:application|audio|video|model)\/|^content-type:[ \t]*message\/rfc822/im;

/**
 * Reads a message's header section alone — the same envelope (addresses,
 * subject, date, threading ids, selected headers) the full parse gives, since
 * both read the same header lines — without decoding any body part. Never throws.
 */
export async function parseListing(raw: Buffer): Promise<Listing> {
  const head = raw.subarray(0, bodyStart(raw));
  const parsed = await parseMessage(head);
  return {
    parsed: { ...parsed, text: '', html: null, snippet: '', attachments: [], problems: [] },
    hasAttachments: ATTACHMENT_PART.test(raw.toString('latin1')),
  };
}
