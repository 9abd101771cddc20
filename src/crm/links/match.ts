import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { ADDRESSED_KINDS } from '../records/kinds.ts';
import { refreshTouchpoints } from '../engagement/touchpoints.ts';

// Matching emails to records by address. A message's participants are its
// From, To and Cc addresses (lowercase). An email is linked to every record
// with one of those addresses, to a matched contact's organization, and to
// that contact's open deals, cases and tickets. Links are only ever inserted
// "if absent": a manual link, or a link a user removed (state 'unlinked'),
// is never overwritten by a match.

const CHUNK = 500;

export interface Participants {
  messageId: number;
  addresses: string[];
}

/** Remembers who took part in each message, for matching now and re-matching later. */
export async function storeParticipants(trx: Kysely<Database>, messages: Participants[]): Promise<void> {
  const rows = messages.flatMap((m) =>
    [...new Set(m.addresses.map((a) => a.trim().toLowerCase()).filter(Boolean))].map((address) => ({
      message_id: m.messageId,
      address,
    })),
  );
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('message_participants')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['message_id', 'address']).doNothing())
      .execute();
  }
}

/** Record ids each message matches by its participants (and the contacts' organizations, open deals and cases). */
export async function matchingRecords(trx: Kysely<Database>, messageIds: number[]): Promise<Map<number, Set<string>>> {
  const result = new Map<number, Set<string>>();
  for (let i = 0; i < messageIds.length; i += CHUNK) {
    const chunk = messageIds.slice(i, i + CHUNK);
    const direct = await trx
      .selectFrom('message_participants')
      .innerJoin('record_emails', 'record_emails.address', 'message_participants.address')
      .innerJoin('records', 'records.id', 'record_emails.record_id')
      .select(['message_participants.message_id', 'records.id', 'records.kind'])
      .where('message_participants.message_id', 'in', chunk)
      .where('records.kind', 'in', ADDRESSED_KINDS)
      .execute();
    const related = await relatedOfContacts(trx, [
      ...new Set(direct.filter((d) => d.kind === 'contact').map((d) => d.id)),
    ]);
    for (const row of direct) {
      const set = result.get(row.message_id) ?? new Set<string>();
      set.add(row.id);
      for (const id of related.get(row.id) ?? []) set.add(id);
      result.set(row.message_id, set);
    }
  }
  return result;
}

/** A contact's organization and its open deals, cases and tickets. */
async function relatedOfContacts(trx: Kysely<Database>, contactIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (contactIds.length === 0) return map;
  const orgs = await trx
    .selectFrom('records')
    .select(['id', 'organization_id'])
    .where('id', 'in', contactIds)
    .where('organization_id', 'is not', null)
    .execute();
  for (const o of orgs) if (o.organization_id) map.set(o.id, [o.organization_id]);
  const open = await trx
    .selectFrom('records')
    .select(['id', 'contact_id'])
    .where('contact_id', 'in', contactIds)
    .where('open', '=', 1)
    .where('kind', 'in', ['deal', 'case', 'ticket'])
    .execute();
  for (const r of open) if (r.contact_id) map.set(r.contact_id, [...(map.get(r.contact_id) ?? []), r.id]);
  return map;
}

/** Inserts the links that do not exist yet, in any state (a removed link stays removed). */
export async function addLinks(
  trx: Kysely<Database>,
  links: Map<number, Set<string>>,
  source: 'auto' | 'rule' | 'manual',
  createdBy: string | null,
): Promise<void> {
  const now = Date.now();
  const rows = [...links].flatMap(([messageId, records]) =>
    [...records].map((recordId) => ({
      message_id: messageId,
      record_id: recordId,
      source,
      state: 'linked' as const,
      created_by: createdBy,
      created_at: now,
    })),
  );
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('email_links')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['message_id', 'record_id']).doNothing())
      .execute();
  }
}

/** Links freshly stored messages to the records they match. */
export async function autoLink(trx: Kysely<Database>, messageIds: number[]): Promise<Map<number, Set<string>>> {
  const matches = await matchingRecords(trx, messageIds);
  await addLinks(trx, matches, 'auto', null);
  return matches;
}

/**
 * After a record's addresses changed: its automatic links follow the new
 * addresses (emails no longer matching lose theirs, newly matching ones gain
 * them, with the contact's organization and open deals and cases). Manual
 * links and links a user removed are left as they are.
 */
export async function rematchRecord(trx: Kysely<Database>, recordId: string): Promise<void> {
  const rows = await trx
    .selectFrom('message_participants')
    .innerJoin('record_emails', 'record_emails.address', 'message_participants.address')
    .select('message_participants.message_id')
    .where('record_emails.record_id', '=', recordId)
    .distinct()
    .execute();
  const matched = rows.map((r) => r.message_id);
  let stale = trx
    .deleteFrom('email_links')
    .where('record_id', '=', recordId)
    .where('source', '=', 'auto')
    .where('state', '=', 'linked');
  if (matched.length > 0 && matched.length <= CHUNK) stale = stale.where('message_id', 'not in', matched);
  if (matched.length <= CHUNK) await stale.execute();
  else {
    const keep = new Set(matched);
    const current = await trx
      .selectFrom('email_links')
      .select(['id', 'message_id'])
      .where('record_id', '=', recordId)
      .where('source', '=', 'auto')
      .where('state', '=', 'linked')
      .execute();
    const gone = current.filter((c) => !keep.has(c.message_id)).map((c) => c.id);
    for (let i = 0; i < gone.length; i += CHUNK)
      await trx
        .deleteFrom('email_links')
        .where('id', 'in', gone.slice(i, i + CHUNK))
        .execute();
  }
  const linked = matched.length > 0 ? await autoLink(trx, matched) : new Map<number, Set<string>>();
  await refreshTouchpoints(trx, [recordId, ...[...linked.values()].flatMap((ids) => [...ids])]);
}
