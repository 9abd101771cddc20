import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';

/** Who is asking. Records: admins see all. Emails: a private one only its mailbox's owner, admin or not. */
export interface CrmViewer {
  id: string;
  isAdmin: boolean;
}

/** Sharing model: a record is seen by its owner, by everyone when shared, and by admins. */
export function recordVisibleTo(viewer: CrmViewer) {
  return (eb: ExpressionBuilder<Database, 'records'>) =>
    viewer.isAdmin ? eb('records.id', 'is not', null) : eb.or([eb('records.owner_user_id', '=', viewer.id), eb('records.shared', '=', 1)]);
}

/** The same rule as the message store's: the owner sees all of theirs, others only what is not private. */
export function messageVisibleTo(viewer: CrmViewer) {
  return (eb: ExpressionBuilder<Database, 'messages' | 'mailboxes'>) =>
    eb.and([eb('messages.orphaned_at', 'is', null), eb.or([eb('mailboxes.owner_user_id', '=', viewer.id), eb('messages.private', '=', 0)])]);
}

const MAX_ID = 2_147_483_647;

/** A message the viewer may see, by its API id; "not found" otherwise, so a private email's existence is not revealed. */
export async function visibleMessageId(db: Kysely<Database>, viewer: CrmViewer, id: string): Promise<number> {
  const rowId = /^[1-9]\d{0,9}$/.test(id) && Number(id) <= MAX_ID ? Number(id) : null;
  const row =
    rowId === null
      ? undefined
      : await db
          .selectFrom('messages')
          .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
          .select('messages.id')
          .where('messages.id', '=', rowId)
          .where(messageVisibleTo(viewer))
          .executeTakeFirst();
  if (!row) throw new TandemError('not_found', 'No such message');
  return row.id;
}
