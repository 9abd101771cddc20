import PostalMime from 'postal-mime';
import { normalizeMessageId } from './message-id.ts';

/** One recipient a delivery report says could not be reached. */
export interface FailedRecipient {
  /** Lower case. */
  address: string;
  /** The enhanced status code (5.1.1), when the report gives one. */
  status: string | null;
  /** The receiving server's words (Diagnostic-Code), else a line of the report. */
  reason: string;
}

export interface DeliveryReport {
  failed: FailedRecipient[];
  /** The Message-ID of the mail that bounced (no angle brackets), when the report includes its headers. */
  originalMessageId: string | null;
}

const REPORT_PARTS = ['message/delivery-status', 'message/global-delivery-status'];
const ORIGINAL_PARTS = ['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers'];
const ADDRESS = /[^\s<>;"]+@[^\s<>;"]+\.[^\s<>;"]+/;

/**
 * Reads a bounce from the raw message on its own: an RFC 3464 report
 * (multipart/report; report-type=delivery-status: the failed recipients with
 * Status and Diagnostic-Code), or the common non-standard bounce that names
 * them in X-Failed-Recipients. Delayed or delivered actions are no bounce.
 * Null when the message is neither, or names no failed recipient.
 */
export async function readDeliveryReport(raw: Buffer): Promise<DeliveryReport | null> {
  let mail: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    mail = await PostalMime.parse(raw, { attachmentEncoding: 'utf8' });
  } catch {
    return null;
  }
  const text = (part: { content: ArrayBuffer | Uint8Array | string }) =>
    typeof part.content === 'string' ? part.content : Buffer.from(part.content as ArrayBuffer).toString('utf8');
  const reports = mail.attachments.filter((a) => REPORT_PARTS.includes(a.mimeType.toLowerCase()));
  const original = mail.attachments.find((a) => ORIGINAL_PARTS.includes(a.mimeType.toLowerCase()));
  const originalMessageId = original ? messageIdIn(text(original)) : null;
  let failed = reports.flatMap((part) => failedIn(text(part)));
  if (failed.length === 0) failed = failedByHeader(mail.headers, mail.text ?? '');
  return failed.length === 0 ? null : { failed: unique(failed), originalMessageId };
}

/** The per-recipient fields of a delivery-status body (blocks of header fields, continuation lines folded). */
function failedIn(body: string): FailedRecipient[] {
  const blocks = body.replace(/\r\n/g, '\n').split(/\n\s*\n/);
  const result: FailedRecipient[] = [];
  for (const block of blocks) {
    const fields = fieldsOf(block);
    const recipient = fields.get('final-recipient') ?? fields.get('original-recipient');
    const action = (fields.get('action') ?? '').toLowerCase();
    const address = recipient ? ADDRESS.exec(recipient)?.[0] : undefined;
    if (!address || action !== 'failed') continue;
    const status = /\d\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0] ?? null;
    const diagnostic = (fields.get('diagnostic-code') ?? '').replace(/^[a-z0-9-]+;\s*/i, '').trim();
    result.push({
      address: address.toLowerCase(),
      status,
      reason: diagnostic || `Delivery failed (${status ?? 'no status'})`,
    });
  }
  return result;
}

function fieldsOf(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | null = null;
  for (const line of block.split('\n')) {
    if (/^\s/.test(line) && last) {
      fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (!match) continue;
    last = (match[1] as string).toLowerCase();
    fields.set(last, (match[2] as string).trim());
  }
  return fields;
}

/** X-Failed-Recipients (Exim, Gmail and others): the reason is the body's first line with a 5xx code. */
function failedByHeader(headers: { key: string; value: string }[], body: string): FailedRecipient[] {
  const header = headers.find((h) => h.key === 'x-failed-recipients');
  if (!header) return [];
  const codeLine = body.split(/\r?\n/).find((l) => /\b5\d\d\b|\b5\.\d{1,3}\.\d{1,3}\b/.test(l));
  return header.value
    .split(',')
    .map((a) => ADDRESS.exec(a)?.[0])
    .filter((a): a is string => !!a)
    .map((address) => ({
      address: address.toLowerCase(),
      status: /\b5\.\d{1,3}\.\d{1,3}\b/.exec(codeLine ?? '')?.[0] ?? null,
      reason: codeLine?.trim() || 'Delivery failed',
    }));
}

function messageIdIn(headers: string): string | null {
  const match = /^message-id:[ \t]*(?:\r?\n[ \t]+)?(\S+)/im.exec(headers);
  return match ? normalizeMessageId(match[1] as string) : null;
}

function unique(failed: FailedRecipient[]): FailedRecipient[] {
  const seen = new Map<string, FailedRecipient>();
  for (const f of failed) if (!seen.has(f.address)) seen.set(f.address, f);
  return [...seen.values()];
}
