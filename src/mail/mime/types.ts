/** One mailbox from an address header; groups are flattened into their members. */
export interface MailAddress {
  /** Decoded display name, '' when the header gave none. */
  name: string;
  /** The address as written (IDN domains decoded to Unicode); '' when only a name was given. */
  address: string;
}

export interface ParsedAttachment {
  filename: string | null;
  /** Lowercase MIME type, e.g. 'image/png', 'message/rfc822'. */
  contentType: string;
  /** Decoded size in bytes; always equals content.length. */
  size: number;
  /** Content-ID without angle brackets, to match `cid:` URLs. */
  contentId: string | null;
  /** Referenced by `cid:` from the HTML, or Content-Disposition inline with a Content-ID. */
  inline: boolean;
  content: Buffer;
}

export interface ParsedMessage {
  /** Normalized Message-ID: no angle brackets, no whitespace (see normalizeMessageId). */
  messageId: string | null;
  /** First Message-ID of In-Reply-To, same form as messageId. */
  inReplyTo: string | null;
  /** Message-IDs of References in header order, deduplicated, same form as messageId. */
  references: string[];
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  replyTo: MailAddress[];
  /** null when the Date header is missing or cannot be read even after light repair. */
  date: Date | null;
  /** Plain text: the text part(s), or text derived from HTML when there is no text part. LF line ends, no trailing whitespace. */
  text: string;
  /** Sanitized HTML (see sanitizeEmailHtml), null when the message has no HTML part. */
  html: string | null;
  /** About 200 characters of whitespace-collapsed text, quoted replies skipped when possible. */
  snippet: string;
  attachments: ParsedAttachment[];
  /** A small set of headers for display/debug (lowercase names, decoded, see SELECTED_HEADERS). */
  headers: Record<string, string>;
  /** What could not be read, in plain words; empty for a clean message. */
  problems: string[];
}
