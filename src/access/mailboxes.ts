import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { Database, MailboxesTable } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';

/**
 * The one rule for "the mailboxes this user works in": reads all their mail
 * (Bcc, drafts and Trash included), lists it, changes it, sends from them.
 * Today that is the mailboxes the user owns. Group mailboxes extend this one
 * function (owner, or a member of the owning group) and every check follows.
 * Administrators are no exception: an admin does not read other users' mailboxes.
 */
export function mailboxOf(userId: string) {
  return (eb: ExpressionBuilder<Database, 'mailboxes'>) => eb('mailboxes.owner_user_id', '=', userId);
}

/** The user's mailbox with this id, or not_found (never "forbidden": another user's mailbox does not exist for them). */
export async function ownedMailbox(
  db: Kysely<Database>,
  userId: string,
  mailboxId: string,
): Promise<Selectable<MailboxesTable>> {
  const row = await db
    .selectFrom('mailboxes')
    .selectAll()
    .where('mailboxes.id', '=', mailboxId)
    .where(mailboxOf(userId))
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', 'No such mailbox');
  return row;
}

/** The ids of the user's mailboxes, oldest first; with `only`, that one alone (not_found when it is not theirs). */
export async function ownedMailboxIds(db: Kysely<Database>, userId: string, only?: string): Promise<string[]> {
  let select = db.selectFrom('mailboxes').select('mailboxes.id').where(mailboxOf(userId));
  if (only !== undefined) select = select.where('mailboxes.id', '=', only);
  const rows = await select.orderBy('mailboxes.created_at').execute();
  if (only !== undefined && rows.length === 0) throw new TandemError('not_found', 'No such mailbox');
  return rows.map((r) => r.id);
}
