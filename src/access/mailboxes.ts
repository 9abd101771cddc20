import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { Database, MailboxesTable } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';

/**
 * The one rule for "the mailboxes this user works in": reads all their mail
 * (Bcc, drafts and Trash included), lists it, changes it, sends from them.
 * That is their personal mailbox, and every group mailbox whose group they
 * are a member of. Administrators are no exception: an admin does not read
 * other users' mailboxes, nor a group mailbox of a group they are not in.
 */
export function mailboxOf(userId: string) {
  return (eb: ExpressionBuilder<Database, 'mailboxes'>) =>
    eb.or([
      eb.and([eb('mailboxes.group_id', 'is', null), eb('mailboxes.owner_user_id', '=', userId)]),
      eb.exists(
        eb
          .selectFrom('group_members')
          .select('group_members.user_id')
          .whereRef('group_members.group_id', '=', 'mailboxes.group_id')
          .where('group_members.user_id', '=', userId),
      ),
    ]);
}

/**
 * Who may change a mailbox's settings (folders, options, connect, disconnect,
 * delete): the owner of a personal mailbox; for a group mailbox, a member
 * allowed to manage it. Anyone else who works in it gets `forbidden`; anyone
 * who does not, `not_found`.
 */
export async function managedMailbox(
  db: Kysely<Database>,
  userId: string,
  mailboxId: string,
): Promise<Selectable<MailboxesTable>> {
  const row = await ownedMailbox(db, userId, mailboxId);
  if (row.group_id === null) return row;
  const member = await db
    .selectFrom('group_members')
    .select('can_manage')
    .where('group_id', '=', row.group_id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (member?.can_manage !== 1)
    throw new TandemError('forbidden', 'Only a member allowed to manage this group mailbox can change it');
  return row;
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
