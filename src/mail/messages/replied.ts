import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import { parseRowId } from './read.ts';

export interface RepliedMessage {
  id: number;
  /** What composeMessage needs for In-Reply-To and References; undefined when the original has no Message-ID. */
  replyTo: { messageId: string; references: string[] } | undefined;
}

/** The message replied to (by its Tandem id), in the same mailbox, or not_found. */
export async function repliedMessage(
  db: Kysely<Database>,
  mailboxId: string,
  tandemId: string,
): Promise<RepliedMessage> {
  const rowId = parseRowId(tandemId);
  const row =
    rowId === null
      ? undefined
      : await db
          .selectFrom('messages')
          .select(['id', 'message_id', 'references'])
          .where('id', '=', rowId)
          .where('mailbox_id', '=', mailboxId)
          .executeTakeFirst();
  if (!row) throw new TandemError('not_found', 'No such message to reply to in this mailbox');
  return {
    id: row.id,
    replyTo: row.message_id
      ? { messageId: row.message_id, references: JSON.parse(row.references) as string[] }
      : undefined,
  };
}
