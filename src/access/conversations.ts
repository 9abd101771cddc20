import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import { mailboxOf } from './mailboxes.ts';
import { parseRowId } from './messages.ts';

/**
 * A conversation of a group mailbox the user works in (a member of its group),
 * or not_found, exactly as for one that does not exist.
 */
export async function visibleConversation(
  db: Kysely<Database>,
  userId: string,
  id: string,
): Promise<{ id: number; mailboxId: string; groupId: string }> {
  const rowId = parseRowId(id);
  const row =
    rowId === null
      ? undefined
      : await db
          .selectFrom('conversations')
          .innerJoin('mailboxes', 'mailboxes.id', 'conversations.mailbox_id')
          .select(['conversations.id', 'conversations.mailbox_id', 'mailboxes.group_id'])
          .where('conversations.id', '=', rowId)
          .where(mailboxOf(userId))
          .executeTakeFirst();
  if (!row?.group_id) throw new TandemError('not_found', 'No such conversation');
  return { id: row.id, mailboxId: row.mailbox_id, groupId: row.group_id };
}

/** Whether the user is a member of the group (an assignee must be). */
export async function isGroupMember(db: Kysely<Database>, groupId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('group_members')
    .select('user_id')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}
