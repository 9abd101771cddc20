import type { Kysely } from 'kysely';
import { ownedMessage } from '../../access/index.ts';
import type { Database } from '../../db/index.ts';

/** Privacy is Tandem's own: it never reaches the mail server. Only the mailbox's own user changes it. */
export async function setMessagePrivate(
  db: Kysely<Database>,
  userId: string,
  id: number,
  isPrivate: boolean,
): Promise<void> {
  const message = await ownedMessage(db, userId, id);
  await db
    .updateTable('messages')
    .set({ private: isPrivate ? 1 : 0 })
    .where('id', '=', message.id)
    .execute();
}

/**
 * A reply to (or any message referring to) a private email of the same mailbox
 * is private too: it usually quotes it. Read from In-Reply-To and References
 * (RFC 5322 §3.6.4), so it holds for incoming replies, for Tandem's own sent
 * replies (their Sent copy is stored by the sync) and for other mail apps'.
 */
export async function refersToPrivate(
  trx: Kysely<Database>,
  mailboxId: string,
  parsed: { inReplyTo: string | null; references: string[] },
): Promise<boolean> {
  const related = [...parsed.references, parsed.inReplyTo].filter((id): id is string => !!id);
  if (related.length === 0) return false;
  const row = await trx
    .selectFrom('messages')
    .select('id')
    .where('mailbox_id', '=', mailboxId)
    .where('message_id', 'in', related)
    .where('private', '=', 1)
    .executeTakeFirst();
  return row !== undefined;
}
