// Builds the RFC 5322 message Tandem sends. A pure function of its input: the
// send service looks up what it needs (reply headers) and passes it in.
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailComposerAttachment } from 'nodemailer/lib/mail-composer';

/** The header that names the send, so a Sent copy APPENDed before a crash can be found again. */
export const TANDEM_ID_HEADER = 'X-Tandem-Id';

export interface ComposeAttachment {
  filename: string;
  contentType: string;
  contentBase64: string;
  /** Makes it an inline part referenced as `cid:<contentId>` from the HTML. */
  contentId?: string | undefined;
}

export interface ComposeInput {
  /** The send id (a UUID): the X-Tandem-Id header and the local part of the Message-ID. */
  id: string;
  from: { address: string; name?: string | null | undefined };
  to: string[];
  cc?: string[] | undefined;
  bcc?: string[] | undefined;
  subject: string;
  text?: string | undefined;
  html?: string | undefined;
  attachments?: ComposeAttachment[] | undefined;
  /** The message replied to: its Message-ID and References (normalized, without brackets). */
  replyTo?: { messageId: string; references: string[] } | undefined;
  /** The message forwarded: its Message-ID (normalized) goes in References, as for a reply, without In-Reply-To. */
  forwarded?: { messageId: string } | undefined;
  date?: Date | undefined;
  /** RFC 3834: `auto-generated` on what an automation sends, so auto-responders do not answer it. */
  autoSubmitted?: 'auto-generated' | undefined;
}

export interface ComposedMessage {
  /** What goes over SMTP: no Bcc header. */
  raw: Buffer;
  /** What is filed in Sent: the same message with its Bcc header, as mail apps keep it. */
  sentCopy: Buffer;
  /** Normalized (no angle brackets), as Tandem stores Message-IDs. */
  messageId: string;
  /** SMTP envelope: the From address, and every To, Cc and Bcc recipient. */
  envelope: { from: string; to: string[] };
}

export async function composeMessage(input: ComposeInput): Promise<ComposedMessage> {
  const domain = input.from.address.split('@').pop() ?? 'localhost';
  const messageId = `${input.id}@${domain}`;
  const reply = input.replyTo;
  const node = new MailComposer({
    from: { name: input.from.name ?? '', address: input.from.address },
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    subject: input.subject,
    text: input.text ?? (input.html === undefined ? '' : undefined),
    html: input.html,
    attachments: input.attachments?.map(toPart),
    messageId: `<${messageId}>`,
    date: input.date ?? new Date(),
    inReplyTo: reply ? `<${reply.messageId}>` : undefined,
    // RFC 5322 §3.6.4: the parent's References (or its In-Reply-To) followed by the parent's id.
    references: reply
      ? [...reply.references.filter((r) => r !== reply.messageId), reply.messageId].map((r) => `<${r}>`)
      : input.forwarded
        ? `<${input.forwarded.messageId}>`
        : undefined,
    headers: {
      [TANDEM_ID_HEADER]: input.id,
      ...(input.autoSubmitted ? { 'Auto-Submitted': input.autoSubmitted } : {}),
    },
    // The content is the user's: never let it make the composer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile();
  // Built twice from one tree: same boundaries, date and parts; only the Bcc header differs.
  const raw = await node.build();
  node.keepBcc = true;
  const sentCopy = input.bcc?.length ? await node.build() : raw;
  const envelope = node.getEnvelope();
  return { raw, sentCopy, messageId, envelope: { from: envelope.from || input.from.address, to: envelope.to } };
}

function toPart(a: ComposeAttachment): MailComposerAttachment {
  const cid = a.contentId?.replace(/^<|>$/g, '');
  return {
    filename: a.filename,
    contentType: a.contentType,
    content: Buffer.from(a.contentBase64, 'base64'),
    ...(cid ? { cid, contentDisposition: 'inline' } : {}),
  };
}
