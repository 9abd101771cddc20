import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { TandemContext } from '../../context/index.ts';
import type { Database, HeldSendsTable } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import { sendStateOf } from '../send/index.ts';
import type { MergeValuesLookup, SendInput, SendStatus } from '../send/index.ts';
import { createDraft, deleteDraft, draftToSend, getDraft } from './drafts.ts';
import type { DraftView } from './drafts.ts';

type HeldSendRow = Selectable<HeldSendsTable>;

/** The furthest a send may be scheduled: a year. */
export const MAX_SCHEDULE_MS = 366 * 24 * 3600_000;

/** The record a held send's email is linked to once sent. */
export interface HeldLink {
  recordType: string;
  recordId: string;
}

/** What the user sees of a held send: waiting, going out, or what became of it (the `sends` row's state). */
export type HeldSendStatus = 'scheduled' | 'cancelled' | SendStatus;

export interface HeldSendView {
  id: string;
  mailboxId: string;
  state: HeldSendStatus;
  sendAt: number;
  subject: string;
  to: string[];
  /** Why it was not sent; the draft is back in Drafts. */
  error: string | null;
  createdAt: number;
}

/**
 * Holds a draft's send in Tandem until `sendAt` (undo send: a few seconds;
 * schedule send: a chosen time). What would be sent is kept as it is now, the
 * draft leaves Drafts, and nothing reaches the SMTP server (or the server's
 * Drafts/Sent) before the sync worker performs it (held-send-runner.ts).
 */
export async function holdDraftSend(
  context: TandemContext,
  ownerId: string,
  draftId: string,
  hold: {
    sendAt: number;
    mergeValues: MergeValuesLookup;
    linkTo: HeldLink | undefined;
    /** Open and click marks, as the sender chose (undefined: the default). */
    track?: boolean | undefined;
  },
): Promise<HeldSendView> {
  const { draftId: id, input } = await draftToSend(context, ownerId, draftId);
  if (input.to.length + (input.cc?.length ?? 0) + (input.bcc?.length ?? 0) === 0) {
    throw new TandemError('validation_failed', 'Add at least one recipient before sending');
  }
  const draft = await getDraft(context, ownerId, id);
  // Merge tags are filled from the first recipient's records as they are now.
  const values = await hold.mergeValues(input.to[0] ?? input.cc?.[0] ?? input.bcc?.[0]);
  const now = Date.now();
  const row: HeldSendRow = {
    id: randomUUID(),
    owner_user_id: ownerId,
    mailbox_id: input.mailboxId,
    state: 'held',
    send_at: hold.sendAt,
    subject: input.subject,
    recipients: JSON.stringify({ to: input.to, cc: input.cc ?? [], bcc: input.bcc ?? [] }),
    input_json: JSON.stringify({ ...input, track: hold.track }),
    draft_json: JSON.stringify(draft.fields),
    merge_values_json: JSON.stringify(values),
    link_to_json: hold.linkTo ? JSON.stringify(hold.linkTo) : null,
    claimed_at: null,
    error: null,
    created_at: now,
    updated_at: now,
  };
  await context.store.db.insertInto('held_sends').values(row).execute();
  await deleteDraft(context, ownerId, id);
  return viewOf(row, null);
}

/**
 * Undo or cancel: only while it is still held (compare-and-set, so never once
 * the worker took it). The draft comes back, as it was when held.
 */
export async function cancelHeldSend(context: TandemContext, ownerId: string, id: string): Promise<DraftView> {
  const { db } = context.store;
  const row = await ownedHeldSend(db, ownerId, id);
  const result = await db
    .updateTable('held_sends')
    .set({ state: 'cancelled', updated_at: Date.now() })
    .where('id', '=', row.id)
    .where('state', '=', 'held')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    throw new TandemError('conflict', 'This email is already being sent (or was): it can no longer be undone', {
      heldSendId: id,
    });
  }
  return draftBack(context, row);
}

/** Puts the held draft back in Drafts (its signature is already in it). */
export async function draftBack(context: TandemContext, row: HeldSendRow): Promise<DraftView> {
  const fields = { ...(JSON.parse(row.draft_json) as DraftView['fields']), includeSignature: false };
  return createDraft(context, row.owner_user_id, row.mailbox_id, fields);
}

/** The user's held sends still waiting, and those of the last day (what became of them), soonest first. */
export async function listHeldSends(
  db: Kysely<Database>,
  ownerId: string,
  filter: { mailboxId?: string | undefined },
): Promise<HeldSendView[]> {
  let query = db
    .selectFrom('held_sends')
    .leftJoin('sends', 'sends.id', 'held_sends.id')
    .selectAll('held_sends')
    .select('sends.state as send_state')
    .where('held_sends.owner_user_id', '=', ownerId)
    .where((eb) =>
      eb.or([
        eb('held_sends.state', 'in', ['held', 'claimed']),
        eb.and([eb('held_sends.state', '=', 'done'), eb('held_sends.updated_at', '>', Date.now() - 24 * 3600_000)]),
      ]),
    );
  if (filter.mailboxId !== undefined) query = query.where('held_sends.mailbox_id', '=', filter.mailboxId);
  const rows = await query.orderBy('held_sends.send_at').orderBy('held_sends.id').limit(200).execute();
  return rows.map((r) => viewOf(r, r.send_state));
}

/** One of the user's held sends, with its outcome. */
export async function getHeldSend(db: Kysely<Database>, ownerId: string, id: string): Promise<HeldSendView> {
  const row = await ownedHeldSend(db, ownerId, id);
  const send = await sendStateOf(db, row.id);
  return viewOf(row, send?.state ?? null);
}

async function ownedHeldSend(db: Kysely<Database>, ownerId: string, id: string): Promise<HeldSendRow> {
  const row = await db
    .selectFrom('held_sends')
    .selectAll()
    .where('id', '=', id)
    .where('owner_user_id', '=', ownerId)
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', 'No such held email');
  return row;
}

const SEND_STATUS = { attempted: 'sending', sent: 'sent', uncertain: 'uncertain', failed: 'failed' } as const;

function viewOf(row: HeldSendRow, sendState: keyof typeof SEND_STATUS | null): HeldSendView {
  const state: HeldSendStatus =
    row.state === 'held'
      ? 'scheduled'
      : row.state === 'cancelled'
        ? 'cancelled'
        : sendState
          ? SEND_STATUS[sendState]
          : row.state === 'claimed'
            ? 'sending'
            : 'failed';
  return {
    id: row.id,
    mailboxId: row.mailbox_id,
    state,
    sendAt: row.send_at,
    subject: row.subject,
    to: (JSON.parse(row.recipients) as { to: string[] }).to,
    error: row.error,
    createdAt: row.created_at,
  };
}

/** The send a held row makes, under its own id (so its `sends` row guards against a second SMTP send). */
export function sendInputOf(row: HeldSendRow): SendInput {
  return { ...(JSON.parse(row.input_json) as SendInput), sendId: row.id };
}
