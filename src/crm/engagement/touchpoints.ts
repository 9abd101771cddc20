import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';

/** What a record's summary is made of: its linked emails, each out (from its mailbox's address) or in. */
export interface LinkedEmail {
  id: number;
  messageId: string | null;
  date: number;
  out: boolean;
}

/** A record's touchpoints as the API shows them. */
export interface Touchpoints {
  lastContactedAt: string | null;
  lastRepliedAt: string | null;
  lastEngagedAt: string | null;
  emailsOut: number;
  emailsIn: number;
  opens: number;
  clicks: number;
  replies: number;
}

/** The record's linked emails that are not orphaned. */
export async function linkedEmails(db: Kysely<Database>, recordId: string): Promise<LinkedEmail[]> {
  const rows = await db
    .selectFrom('email_links')
    .innerJoin('messages', 'messages.id', 'email_links.message_id')
    .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
    .select(['messages.id', 'messages.message_id', 'messages.date', 'messages.from_address', 'mailboxes.address'])
    .where('email_links.record_id', '=', recordId)
    .where('email_links.state', '=', 'linked')
    .where('messages.orphaned_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    messageId: r.message_id,
    date: r.date,
    out: (r.from_address ?? '').toLowerCase() === r.address.toLowerCase(),
  }));
}

/** The sends behind a record's outgoing emails (their copies in Sent share the Message-ID). */
export async function sendsOf(
  db: Kysely<Database>,
  emails: LinkedEmail[],
): Promise<{ id: string; message_id: string; mailbox_id: string }[]> {
  const ids = [...new Set(emails.filter((e) => e.out && e.messageId).map((e) => e.messageId as string))];
  if (ids.length === 0) return [];
  return db.selectFrom('sends').select(['id', 'message_id', 'mailbox_id']).where('message_id', 'in', ids).execute();
}

/** The record's own addresses; empty for kinds without any (their emails' every recipient counts). */
export async function addressesOf(db: Kysely<Database>, recordId: string): Promise<string[]> {
  const rows = await db.selectFrom('record_emails').select('address').where('record_id', '=', recordId).execute();
  return rows.map((r) => r.address.toLowerCase());
}

/**
 * Recomputes the records' touchpoints from their linked emails, the replies to
 * their sends and the human opens and clicks of them by the records' own
 * addresses, inside the caller's transaction: whatever changed them (a stored
 * email, a link, a tracking event) commits with its new summary. Idempotent.
 */
export async function refreshTouchpoints(trx: Kysely<Database>, recordIds: Iterable<string>): Promise<void> {
  for (const recordId of new Set(recordIds)) {
    const exists = await trx.selectFrom('records').select('id').where('id', '=', recordId).executeTakeFirst();
    if (!exists) continue;
    const emails = await linkedEmails(trx, recordId);
    const incoming = emails.filter((e) => !e.out);
    const replies =
      incoming.length === 0
        ? []
        : await trx
            .selectFrom('send_responses')
            .select('at')
            .where('kind', '=', 'reply')
            .where(
              'message_id',
              'in',
              incoming.map((e) => e.id),
            )
            .execute();
    const events = await humanEvents(trx, recordId, emails);
    const lastReplied = latest(replies.map((r) => r.at));
    const row = {
      last_contacted_at: latest(emails.filter((e) => e.out).map((e) => e.date)),
      last_replied_at: lastReplied,
      last_engaged_at: latest([...(lastReplied === null ? [] : [lastReplied]), ...events.map((e) => e.at)]),
      emails_out: emails.length - incoming.length,
      emails_in: incoming.length,
      opens: events.filter((e) => e.kind === 'open').length,
      clicks: events.filter((e) => e.kind === 'click').length,
      replies: replies.length,
      updated_at: Date.now(),
    };
    await trx
      .insertInto('record_touchpoints')
      .values({ record_id: recordId, ...row })
      .onConflict((oc) => oc.column('record_id').doUpdateSet(row))
      .execute();
  }
}

/** Human opens and clicks of the record's sends, by the record's addresses when it has any. */
async function humanEvents(
  db: Kysely<Database>,
  recordId: string,
  emails: LinkedEmail[],
): Promise<{ kind: string; at: number }[]> {
  const sends = await sendsOf(db, emails);
  if (sends.length === 0) return [];
  const addresses = await addressesOf(db, recordId);
  let select = db
    .selectFrom('tracking_events')
    .select(['kind', 'at'])
    .where(
      'send_id',
      'in',
      sends.map((s) => s.id),
    )
    .where('classification', '=', 'human');
  if (addresses.length > 0) select = select.where('recipient', 'in', addresses);
  return select.execute();
}

function latest(times: number[]): number | null {
  return times.length === 0 ? null : Math.max(...times);
}

/** Records linked to any of these emails. */
export async function recordsOfMessages(db: Kysely<Database>, messageIds: number[]): Promise<string[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .selectFrom('email_links')
    .select('record_id')
    .where('message_id', 'in', messageIds)
    .where('state', '=', 'linked')
    .distinct()
    .execute();
  return rows.map((r) => r.record_id);
}

/** Records linked to the Sent copies of these sends. */
export async function recordsOfSends(db: Kysely<Database>, sendIds: string[]): Promise<string[]> {
  if (sendIds.length === 0) return [];
  const rows = await db
    .selectFrom('sends')
    .innerJoin('messages', (join) =>
      join.onRef('messages.message_id', '=', 'sends.message_id').onRef('messages.mailbox_id', '=', 'sends.mailbox_id'),
    )
    .select('messages.id')
    .where('sends.id', 'in', sendIds)
    .execute();
  return recordsOfMessages(
    db,
    rows.map((r) => r.id),
  );
}

/**
 * Call in the transaction that records opens or clicks of these sends: the
 * touchpoints of the records their emails are linked to follow at once.
 */
export async function onTrackingEvents(trx: Kysely<Database>, sendIds: string[]): Promise<void> {
  await refreshTouchpoints(trx, await recordsOfSends(trx, [...new Set(sendIds)]));
}

/** The stored summary in the API's shape (zeros for a record nothing touched yet). */
export async function touchpointsOf(db: Kysely<Database>, recordIds: string[]): Promise<Map<string, Touchpoints>> {
  const rows =
    recordIds.length === 0
      ? []
      : await db.selectFrom('record_touchpoints').selectAll().where('record_id', 'in', recordIds).execute();
  const iso = (t: number | null) => (t === null ? null : new Date(Number(t)).toISOString());
  const result = new Map<string, Touchpoints>();
  for (const id of recordIds) {
    const r = rows.find((row) => row.record_id === id);
    result.set(id, {
      lastContactedAt: iso(r?.last_contacted_at ?? null),
      lastRepliedAt: iso(r?.last_replied_at ?? null),
      lastEngagedAt: iso(r?.last_engaged_at ?? null),
      emailsOut: r?.emails_out ?? 0,
      emailsIn: r?.emails_in ?? 0,
      opens: r?.opens ?? 0,
      clicks: r?.clicks ?? 0,
      replies: r?.replies ?? 0,
    });
  }
  return result;
}
