import type { Kysely } from 'kysely';
import type { BlobStore } from '../../blobs/index.ts';
import type { Database } from '../../db/index.ts';
import { mailboxOf, recordVisibleTo } from '../../access/index.ts';
import type { Viewer } from '../../access/index.ts';
import { readDeliveryReport } from '../../mail/mime/index.ts';
import type { IncomingEmail } from './responses.ts';
import { automaticOf, isDeliveryReport } from './responses.ts';

/** Worth reading the raw source for: what a delivery report says of itself (list mail never is one). */
function mayBeReport(email: IncomingEmail): boolean {
  const reason = automaticOf(email);
  return isDeliveryReport(reason) || (reason?.startsWith('Auto-Submitted') ?? false);
}

/** An address that bounced and has sent nothing since. */
export interface BouncingAddress {
  address: string;
  status: string | null;
  reason: string;
  bouncedAt: string;
}

/**
 * Reads the delivery reports among these emails from their raw source (on
 * its own: parsed bodies may not be stored yet) and marks each failed
 * recipient bouncing, with the send it names when the report carries the
 * original Message-ID. Only mail that says it is automatic (Auto-Submitted,
 * X-Failed-Recipients, a report part, a mailer-daemon sender) is read: list
 * mail and people's mail never are.
 */
export async function noteBounces(
  trx: Kysely<Database>,
  blobs: BlobStore,
  emails: IncomingEmail[],
): Promise<{ reports: number[]; sends: string[] }> {
  const bounced: string[] = [];
  const reports: number[] = [];
  for (const email of emails) {
    if (!mayBeReport(email)) continue;
    let raw: Buffer;
    try {
      raw = await blobs.get(email.rawBlob);
    } catch {
      continue; // a missing blob loses this bounce, never the batch
    }
    const report = await readDeliveryReport(raw);
    if (!report) continue;
    reports.push(email.id);
    const send = report.originalMessageId
      ? await trx
          .selectFrom('sends')
          .select('id')
          .where('message_id', '=', report.originalMessageId)
          .where('mailbox_id', '=', email.mailboxId)
          .executeTakeFirst()
      : undefined;
    for (const failed of report.failed) {
      await trx
        .insertInto('bounces')
        .values({
          message_id: email.id,
          address: failed.address,
          send_id: send?.id ?? null,
          status: failed.status,
          reason: failed.reason.slice(0, 1000),
          at: email.date,
          cleared_at: null,
        })
        .onConflict((oc) => oc.columns(['message_id', 'address']).doNothing())
        .execute();
    }
    if (send) bounced.push(send.id);
  }
  return { reports, sends: bounced };
}

/** Mail a person sent from a bouncing address shows it works again: its bounces before that mail are cleared. */
export async function clearBounces(trx: Kysely<Database>, emails: IncomingEmail[]): Promise<void> {
  for (const email of emails) {
    if (!email.from || automaticOf(email) !== null) continue;
    await trx
      .updateTable('bounces')
      .set({ cleared_at: email.date })
      .where('address', '=', email.from)
      .where('cleared_at', 'is', null)
      .where('at', '<=', email.date)
      .execute();
  }
}

/** Which of these addresses bounce now, with the latest reason. */
export async function bouncingAddresses(db: Kysely<Database>, addresses: string[]): Promise<BouncingAddress[]> {
  const wanted = [...new Set(addresses.map((a) => a.trim().toLowerCase()).filter(Boolean))];
  if (wanted.length === 0) return [];
  const rows = await db
    .selectFrom('bounces')
    .select(['address', 'status', 'reason', 'at'])
    .where('address', 'in', wanted)
    .where('cleared_at', 'is', null)
    .orderBy('at', 'desc')
    .execute();
  const latest = new Map<string, BouncingAddress>();
  for (const r of rows)
    if (!latest.has(r.address))
      latest.set(r.address, {
        address: r.address,
        status: r.status,
        reason: r.reason,
        bouncedAt: new Date(r.at).toISOString(),
      });
  return [...latest.values()];
}

/**
 * The bouncing addresses among these that the viewer may know of: those on a
 * record they see, and those whose report reached one of their mailboxes.
 */
export async function bouncingFor(
  db: Kysely<Database>,
  viewer: Viewer,
  addresses: string[],
): Promise<BouncingAddress[]> {
  const bouncing = await bouncingAddresses(db, addresses);
  if (bouncing.length === 0) return [];
  const wanted = bouncing.map((b) => b.address);
  const onRecords = await db
    .selectFrom('record_emails')
    .innerJoin('records', 'records.id', 'record_emails.record_id')
    .select('record_emails.address')
    .where('record_emails.address', 'in', wanted)
    .where(recordVisibleTo(viewer))
    .execute();
  const reported = await db
    .selectFrom('bounces')
    .innerJoin('messages', 'messages.id', 'bounces.message_id')
    .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
    .select('bounces.address')
    .where('bounces.address', 'in', wanted)
    .where('bounces.cleared_at', 'is', null)
    .where(mailboxOf(viewer.id))
    .execute();
  const known = new Set([...onRecords, ...reported].map((r) => r.address.toLowerCase()));
  return bouncing.filter((b) => known.has(b.address));
}
