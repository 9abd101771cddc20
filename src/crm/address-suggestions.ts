import type { Kysely } from 'kysely';
import { mailboxOf, recordVisibleTo } from '../access/index.ts';
import type { Viewer } from '../access/index.ts';
import type { Database } from '../db/index.ts';

export interface AddressSuggestion {
  address: string;
  /** The contact's name, when the address is a contact's or lead's. */
  name: string | null;
  source: 'contact' | 'correspondent';
}

/** At most this many suggestions in one answer. */
export const MAX_SUGGESTIONS = 20;

/**
 * Addresses for the To/Cc/Bcc fields: first the contacts and leads the viewer
 * may see (by name or address), then the people in the mail of the viewer's
 * own mailboxes (personal and groups they are in), most written-with first.
 * An address seen only in mail the viewer cannot read is never suggested.
 */
export async function suggestAddresses(
  db: Kysely<Database>,
  viewer: Viewer,
  query: string,
  limit: number,
): Promise<AddressSuggestion[]> {
  // LIKE's own wildcards are taken out of what was typed: a literal search.
  const typed = query
    .toLowerCase()
    .replace(/[%_\\]/g, '')
    .trim();
  if (typed === '') return [];
  const contacts = await db
    .selectFrom('records')
    .innerJoin('record_emails', 'record_emails.record_id', 'records.id')
    .select(['record_emails.address', 'records.name'])
    .where('records.kind', 'in', ['contact', 'lead'])
    .where(recordVisibleTo(viewer))
    .where((eb) =>
      eb.or([
        eb('record_emails.address', 'like', `${typed}%`),
        eb(eb.fn('lower', ['records.name']), 'like', `%${typed}%`),
      ]),
    )
    .orderBy('records.name')
    .limit(limit)
    .execute();
  const correspondents = await db
    .selectFrom('message_participants')
    .innerJoin('messages', 'messages.id', 'message_participants.message_id')
    .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
    .select(['message_participants.address', (eb) => eb.fn.countAll<number>().as('emails')])
    .where(mailboxOf(viewer.id))
    .where('message_participants.address', 'like', `${typed}%`)
    .groupBy('message_participants.address')
    .orderBy('emails', 'desc')
    .orderBy('message_participants.address')
    .limit(limit)
    .execute();
  const seen = new Set<string>();
  const out: AddressSuggestion[] = [];
  for (const c of contacts) {
    if (seen.has(c.address)) continue;
    seen.add(c.address);
    out.push({ address: c.address, name: c.name || null, source: 'contact' });
  }
  for (const c of correspondents) {
    if (seen.has(c.address)) continue;
    seen.add(c.address);
    out.push({ address: c.address, name: null, source: 'correspondent' });
  }
  return out.slice(0, limit);
}
