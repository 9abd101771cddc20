import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/index.ts';

/** Where an op acts on the server: never an old UID after a UIDVALIDITY change (checked before use). */
const place = { path: z.string(), uidValidity: z.number(), uid: z.number() };

export const opPayloads = {
  /** Adds and removes flags: a merge, not a replace, so another app's edits of other flags survive. */
  flags: z.object({ ...place, add: z.array(z.string()), remove: z.array(z.string()) }),
  /** MOVE (or COPY + \Deleted + UID EXPUNGE); the location becomes the copy's UID (COPYUID). */
  move: z.object({ ...place, toPath: z.string() }),
  /** \Deleted + UID EXPUNGE of this UID only. */
  expunge: z.object(place),
  /** Files a sent message in Sent, once: found again by its X-Tandem-Id after a crash (see append-sent.ts). */
  append_sent: z.object({ sendId: z.string(), rawBlob: z.string() }),
  /** APPENDs the draft's current version to Drafts (once: found again by its X-Tandem-Id) and expunges the one it replaces. */
  save_draft: z.object({ draftId: z.string(), versionId: z.string() }),
};

export type OpKind = keyof typeof opPayloads;
export type OpPayload<K extends OpKind> = z.infer<(typeof opPayloads)[K]>;

export interface NewOp<K extends OpKind> {
  mailboxId: string;
  messageId: number | null;
  locationId: number | null;
  kind: K;
  payload: OpPayload<K>;
}

/** Done ops are kept a day (they tell a message's sync state), then pruned. */
export const DONE_OP_RETENTION_MS = 24 * 3600 * 1000;

export async function pruneDoneOps(trx: Kysely<Database>, mailboxId: string, now = Date.now()): Promise<void> {
  await trx
    .deleteFrom('outbox_ops')
    .where('mailbox_id', '=', mailboxId)
    .where('state', '=', 'done')
    .where('updated_at', '<', now - DONE_OP_RETENTION_MS)
    .execute();
}

/** Records an op; call it in the transaction of the local change it carries to the server. */
export async function enqueueOp<K extends OpKind>(trx: Kysely<Database>, op: NewOp<K>): Promise<number> {
  const now = Date.now();
  const { id } = await trx
    .insertInto('outbox_ops')
    .values({
      mailbox_id: op.mailboxId,
      message_id: op.messageId,
      location_id: op.locationId,
      kind: op.kind,
      payload: JSON.stringify(opPayloads[op.kind].parse(op.payload)),
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      error: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}
