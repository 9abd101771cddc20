import type { Kysely } from 'kysely';
import type { BlobStore } from '../../blobs/index.ts';
import type { Database } from '../../db/index.ts';
import type { StoredBatch } from '../../mail/run/index.ts';
import { clearBounces, noteBounces } from './bounces.ts';
import { noteResponses } from './responses.ts';
import type { IncomingEmail } from './responses.ts';
import { recordsOfMessages, recordsOfSends, refreshTouchpoints } from './touchpoints.ts';

/** Folders whose mail is nobody's answer: our own, unfinished or thrown away. */
const NOT_ANSWERS = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk'];

/**
 * Engagement from synced mail, inside the batch's transaction and after the
 * emails were linked to their records: replies and auto-replies mark the sends
 * they answer, delivery reports mark their failed recipients bouncing, mail
 * from a bouncing address clears it, and the touchpoints of every record the
 * new emails (or the sends they answer) are linked to are recomputed.
 */
export async function noteEngagement(trx: Kysely<Database>, batch: StoredBatch, blobs: BlobStore): Promise<void> {
  if (batch.folder.special_use === '\\Drafts') return;
  const ids = batch.messages.filter((m) => m.created).map((m) => m.id);
  if (ids.length === 0) return;
  const touched = new Set(await recordsOfMessages(trx, ids));
  const special = batch.folder.special_use;
  if (special === null || !NOT_ANSWERS.includes(special)) {
    const incoming = await incomingEmails(trx, batch.mailbox.address, ids);
    // A delivery report is a bounce, never an answer, whatever its headers say.
    const bounces = await noteBounces(trx, blobs, incoming);
    const answers = incoming.filter((e) => !bounces.reports.includes(e.id));
    const sends = [...bounces.sends, ...(await noteResponses(trx, answers))];
    await clearBounces(trx, incoming);
    for (const id of await recordsOfSends(trx, sends)) touched.add(id);
  }
  await refreshTouchpoints(trx, touched);
}

/** The new emails not sent from the mailbox's own address, oldest first. */
async function incomingEmails(trx: Kysely<Database>, ownAddress: string, ids: number[]): Promise<IncomingEmail[]> {
  const rows = await trx
    .selectFrom('messages')
    .select([
      'id',
      'mailbox_id',
      'from_address',
      'in_reply_to',
      'references',
      'thread_id',
      'date',
      'headers_json',
      'raw_blob',
    ])
    .where('id', 'in', ids)
    .orderBy('date')
    .execute();
  const parts = await trx
    .selectFrom('attachments')
    .select(['message_id', 'content_type'])
    .where('message_id', 'in', ids)
    .execute();
  return rows
    .filter((r) => (r.from_address ?? '').toLowerCase() !== ownAddress.toLowerCase())
    .map((r) => ({
      id: r.id,
      mailboxId: r.mailbox_id,
      from: (r.from_address ?? '').toLowerCase(),
      inReplyTo: r.in_reply_to,
      references: jsonList(r.references),
      threadId: r.thread_id,
      date: r.date,
      headers: jsonObject(r.headers_json),
      partTypes: parts.filter((p) => p.message_id === r.id).map((p) => p.content_type),
      rawBlob: r.raw_blob,
    }));
}

function jsonList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function jsonObject(text: string): Record<string, string> {
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return {};
  }
}
