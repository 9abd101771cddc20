import type { Kysely, Selectable } from 'kysely';
import type { Database, DraftsTable } from '../db/index.ts';
import { mailboxOf } from './mailboxes.ts';

/** A draft kept by Tandem in one of the user's own mailboxes; undefined when there is none (the caller answers not_found). */
export async function ownedDraft(
  db: Kysely<Database>,
  userId: string,
  draftId: string,
): Promise<Selectable<DraftsTable> | undefined> {
  return db
    .selectFrom('drafts')
    .innerJoin('mailboxes', 'mailboxes.id', 'drafts.mailbox_id')
    .selectAll('drafts')
    .where('drafts.id', '=', draftId)
    .where(mailboxOf(userId))
    .executeTakeFirst();
}
