import type { Kysely } from 'kysely';
import { mailboxOf } from '../../access/index.ts';
import type { Database, SendState } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';

/** A send still 'attempted' this long after it began belongs to a process that died. */
export const STALE_SEND_MS = 30 * 60_000;

/** What the user sees of a send: 'sending' while the SMTP exchange runs (the stored 'attempted'). */
export type SendStatus = 'sending' | 'sent' | 'uncertain' | 'failed';

export interface SendView {
  id: string;
  mailboxId: string;
  state: SendStatus;
  messageId: string;
  /** Null for sends made before subjects were kept. */
  subject: string | null;
  to: string[];
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** At most this many sends in one list, newest first. */
export const MAX_SENDS_LISTED = 200;

const STATUS: Record<SendState, SendStatus> = {
  attempted: 'sending',
  sent: 'sent',
  uncertain: 'uncertain',
  failed: 'failed',
};
const STATE: Record<SendStatus, SendState> = {
  sending: 'attempted',
  sent: 'sent',
  uncertain: 'uncertain',
  failed: 'failed',
};

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

function sendsOf(db: Kysely<Database>, ownerId: string) {
  return db
    .selectFrom('sends')
    .innerJoin('mailboxes', 'mailboxes.id', 'sends.mailbox_id')
    .select([
      'sends.id',
      'sends.mailbox_id',
      'sends.state',
      'sends.message_id',
      'sends.subject',
      'sends.recipients',
      'sends.error',
      'sends.created_at',
      'sends.updated_at',
    ])
    .where(mailboxOf(ownerId));
}

type SendRow = Awaited<ReturnType<ReturnType<typeof sendsOf>['executeTakeFirstOrThrow']>>;

function viewOf(row: SendRow): SendView {
  const recipients = JSON.parse(row.recipients) as { to: string[] };
  return {
    id: row.id,
    mailboxId: row.mailbox_id,
    state: STATUS[row.state],
    messageId: row.message_id,
    subject: row.subject,
    to: recipients.to,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A send of one of the user's own mailboxes, or not_found. */
export async function getSend(db: Kysely<Database>, ownerId: string, id: string): Promise<SendView> {
  const row = await sendsOf(db, ownerId).where('sends.id', '=', id).executeTakeFirst();
  if (!row) throw new TandemError('not_found', 'No such send');
  return viewOf(row);
}

/** The sends of the user's own mailboxes (or of one, or in some states), newest first. */
export async function listSends(
  db: Kysely<Database>,
  ownerId: string,
  filter: { mailboxId?: string | undefined; states?: SendStatus[] | undefined; limit?: number | undefined },
): Promise<SendView[]> {
  let query = sendsOf(db, ownerId);
  if (filter.mailboxId !== undefined) query = query.where('sends.mailbox_id', '=', filter.mailboxId);
  if (filter.states?.length)
    query = query.where(
      'sends.state',
      'in',
      filter.states.map((s) => STATE[s]),
    );
  const rows = await query
    .orderBy('sends.created_at', 'desc')
    .orderBy('sends.id')
    .limit(Math.min(filter.limit ?? MAX_SENDS_LISTED, MAX_SENDS_LISTED))
    .execute();
  return rows.map(viewOf);
}

/** A send's stored state by id (whoever's it is), or null when none was ever recorded: for the workflow engine. */
export async function sendStateOf(
  db: Kysely<Database>,
  id: string,
): Promise<{ id: string; state: SendState; messageId: string; error: string | null } | null> {
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
