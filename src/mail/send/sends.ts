import type { Kysely } from 'kysely';
import { mailboxOf } from '../../access/index.ts';
import type { Database, SendState } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';

/** A send still 'attempted' this long after it began belongs to a process that died. */
export const STALE_SEND_MS = 30 * 60_000;

export interface SendView {
  id: string;
  state: SendState;
  messageId: string;
  error: string | null;
}

/**
 * Sends left 'attempted' by a process that stopped mid-send may or may not have
 * gone out: they become 'uncertain' (never retried, so never delivered twice;
 * the user may send again). Only rows begun before `before` are touched, so a
 * send in flight in a live process is left alone.
 */
export async function markInterruptedSends(db: Kysely<Database>, before: number): Promise<number> {
  const result = await db
    .updateTable('sends')
    .set({
      state: 'uncertain',
      error: 'Tandem stopped while sending: the message may or may not have been sent',
      updated_at: Date.now(),
    })
    .where('state', '=', 'attempted')
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A send of one of the user's own mailboxes, or not_found. */
export async function getSend(db: Kysely<Database>, ownerId: string, id: string): Promise<SendView> {
  const row = await db
    .selectFrom('sends')
    .innerJoin('mailboxes', 'mailboxes.id', 'sends.mailbox_id')
    .select(['sends.id', 'sends.state', 'sends.message_id', 'sends.error'])
    .where('sends.id', '=', id)
    .where(mailboxOf(ownerId))
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', 'No such send');
  return { id: row.id, state: row.state, messageId: row.message_id, error: row.error };
}

/** A send's state by id (whoever's it is), or null when none was ever recorded: for the workflow engine. */
export async function sendStateOf(db: Kysely<Database>, id: string): Promise<SendView | null> {
  const row = await db
    .selectFrom('sends')
    .select(['id', 'state', 'message_id', 'error'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { id: row.id, state: row.state, messageId: row.message_id, error: row.error } : null;
}

/** A send whose outcome was unknown, found in Sent: it was delivered. */
export async function markFoundInSent(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .updateTable('sends')
    .set({ state: 'sent', error: null, updated_at: Date.now() })
    .where('id', '=', id)
    .where('state', 'in', ['attempted', 'uncertain'])
    .execute();
}
