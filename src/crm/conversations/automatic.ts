/**
 * Mail no person wrote: auto-replies, bounces, list mail. It never opens a
 * conversation, never reopens one, never files a case, and Tandem never
 * answers it (docs/group-mailboxes.md, "No loops").
 */
export interface MailFacts {
  fromAddress: string | null;
  /** The selected headers kept with the message (lowercase names). */
  headers: Record<string, string>;
  /** Content types of its parts kept as attachments. */
  partTypes: string[];
}

const BULK_PRECEDENCE = new Set(['bulk', 'junk', 'list', 'auto_reply']);
const DSN_PARTS = ['message/delivery-status', 'message/global-delivery-status', 'message/disposition-notification'];
const SYSTEM_SENDERS = /^(mailer-daemon|postmaster)@/i;

/** Why the mail is automatic, or null when a person wrote it. */
export function automaticReason(mail: MailFacts): string | null {
  const h = mail.headers;
  const submitted = (h['auto-submitted'] ?? '').trim().toLowerCase();
  if (submitted && submitted !== 'no') return `Auto-Submitted: ${submitted}`; // RFC 3834
  const precedence = (h['precedence'] ?? '').trim().toLowerCase();
  if (BULK_PRECEDENCE.has(precedence)) return `Precedence: ${precedence}`;
  if (h['x-autoreply'] !== undefined || h['x-autorespond'] !== undefined) return 'X-Autoreply';
  if (h['x-auto-response-suppress'] !== undefined) return 'X-Auto-Response-Suppress';
  if (h['list-id'] !== undefined || h['list-unsubscribe'] !== undefined) return 'mailing list';
  if (h['x-failed-recipients'] !== undefined) return 'X-Failed-Recipients';
  if (mail.partTypes.some((t) => DSN_PARTS.includes(t.toLowerCase()))) return 'delivery report (multipart/report)';
  if (mail.fromAddress && SYSTEM_SENDERS.test(mail.fromAddress)) return 'mail system sender';
  return null;
}
