import { isStorageFull } from '../../errors/index.ts';
import { publishMailEvent } from '../../events/index.ts';
import type { CopyResponseObject, ImapFlow, MailboxObject } from 'imapflow';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database, OutboxOpsTable } from '../../db/index.ts';
import { addFlags, classifyImapError, copyMessages, expungeUids, moveMessages, removeFlags } from '../imap/index.ts';
import { addLocation, flagColumns, removeLocationById, removeLocations } from '../messages/write.ts';
import { backoffDelay, forgetModseq, LeaseLost, writeCursor } from '../run/index.ts';
import type { MailboxRun } from '../run/index.ts';
import { appendSent } from './append-sent.ts';
import { opPayloads } from './ops.ts';
import type { OpPayload } from './ops.ts';
import { saveDraftOnServer } from './save-draft.ts';
import { PermanentOpFailure } from './permanent-failure.ts';

type OpRow = Selectable<OutboxOpsTable>;

/** Attempts before an op that keeps failing ends as failed. */
export const MAX_ATTEMPTS = 6;

/**
 * Runs the mailbox's waiting ops in order. Stops at the first op that must
 * wait (so later ops never overtake it); a lost connection is rethrown so the
 * sync loop reconnects. Returns whether every due op was handled.
 *
 * Every change of an op's state is a compare-and-set under the lease
 * (docs/sync.md invariant 15): pending → running (with this lease's epoch) →
 * done | failed | pending again, each only from the state this worker set. An
 * op left running by an earlier epoch (its worker died or was paused) is run
 * again by the next holder — every kind is safe to repeat — but a done op never.
 */
export async function drainOutbox(run: MailboxRun): Promise<boolean> {
  const ops = await run.db
    .selectFrom('outbox_ops')
    .selectAll()
    .where('mailbox_id', '=', run.mailbox.id)
    .where('state', 'in', ['pending', 'running'])
    .orderBy('id')
    .execute();
  try {
    return await drainOps(run, ops);
  } finally {
    if (ops.length > 0) publishMailEvent({ type: 'mailbox.changed', mailboxId: run.mailbox.id });
  }
}

async function drainOps(run: MailboxRun, ops: OpRow[]): Promise<boolean> {
  for (const waiting of ops) {
    if (waiting.next_attempt_at > Date.now()) return false;
    const op = await start(run, waiting);
    if (!op) return false; // changed since it was read: read again at the next step
    try {
      await execute(run, op);
    } catch (error) {
      // The next holder runs this op; nothing is recorded here. A full disk is no fault of the op: it waits.
      if (error instanceof LeaseLost || isStorageFull(error)) throw error;
      const failure = classifyImapError(error);
      const permanent =
        error instanceof PermanentOpFailure || failure.policy === 'give_up' || op.attempts + 1 >= MAX_ATTEMPTS;
      await recordFailure(run, op, failure.message, permanent);
      if (failure.failure === 'connection_failed' || failure.failure === 'auth_failed') throw error;
      if (!permanent) return false;
    }
  }
  return true;
}

async function execute(run: MailboxRun, op: OpRow): Promise<void> {
  const json: unknown = JSON.parse(op.payload);
  switch (op.kind) {
    case 'flags':
      return runFlags(run, op, opPayloads.flags.parse(json));
    case 'move':
      return runMove(run, op, opPayloads.move.parse(json));
    case 'expunge':
      return runExpunge(run, op, opPayloads.expunge.parse(json));
    case 'append_sent':
      return appendSent(run, opPayloads.append_sent.parse(json)).then(() => finish(run, op, async () => undefined));
    case 'save_draft': {
      return finish(run, op, await saveDraftOnServer(run, opPayloads.save_draft.parse(json)));
    }
    default:
      throw new PermanentOpFailure(`Unknown operation ${op.kind}`);
  }
}

/** Selects the folder read-write and refuses to act on a UID from another UIDVALIDITY (RFC 3501 §2.3.1.1). */
async function openForWrite(client: ImapFlow, place: { path: string; uidValidity: number }): Promise<MailboxObject> {
  const current = client.mailbox;
  let box: MailboxObject;
  try {
    box = current && current.path === place.path && !current.readOnly ? current : await client.mailboxOpen(place.path);
  } catch (error) {
    if (classifyImapError(error).refusedByServer)
      throw new PermanentOpFailure(`The folder ${place.path} no longer exists on the server`);
    throw error;
  }
  if (Number(box.uidValidity) !== place.uidValidity) {
    throw new PermanentOpFailure(`The folder ${place.path} was reset on the server; the change was not applied`);
  }
  return box;
}

async function runFlags(run: MailboxRun, op: OpRow, p: OpPayload<'flags'>): Promise<void> {
  await openForWrite(run.client, p);
  run.lease.assertFresh();
  if (p.add.length > 0) await addFlags(run.client, String(p.uid), p.add);
  run.lease.assertFresh();
  if (p.remove.length > 0) await removeFlags(run.client, String(p.uid), p.remove);
  await finish(run, op, async () => undefined);
}

async function runMove(run: MailboxRun, op: OpRow, p: OpPayload<'move'>): Promise<void> {
  await openForWrite(run.client, p);
  const client = run.client;
  const uid = String(p.uid);
  run.lease.assertFresh();
  const moved = await (
    client.capabilities.has('MOVE') ? moveMessages(client, uid, p.toPath) : copyThenRemove(run, uid, p.toPath)
  ).catch((error: unknown) => refusedMove(client, p.toPath, error));
  const newUid = moved.uidMap?.get(p.uid);
  await finish(run, op, async (trx) => {
    if (op.location_id === null) return;
    const placeholder = await trx
      .selectFrom('message_locations')
      .select(['id', 'folder_id'])
      .where('id', '=', op.location_id)
      .executeTakeFirst();
    if (!placeholder) return;
    const taken =
      newUid !== undefined
        ? await trx
            .selectFrom('message_locations')
            .select('id')
            .where('folder_id', '=', placeholder.folder_id)
            .where('uid', '=', newUid)
            .executeTakeFirst()
        : undefined;
    if (newUid !== undefined && !taken) {
      await trx.updateTable('message_locations').set({ uid: newUid }).where('id', '=', placeholder.id).execute();
    } else {
      // No COPYUID, or the sync already found the copy: the folder sync keeps the real location. A message
      // that is then in no folder (the UID was gone: nothing moved) is an orphan, found again or purged.
      await removeLocationById(trx, placeholder.id);
    }
  });
}

/**
 * A server without MOVE: COPY, then \\Deleted and UID EXPUNGE of this UID only; without UIDPLUS the
 * original stays flagged \\Deleted: a plain EXPUNGE would also remove what another app marked deleted
 * (docs/sync.md invariant 7). Once the copy exists the move has happened: a refused clean-up is logged, never
 * retried (a retry would copy twice).
 */
async function copyThenRemove(run: MailboxRun, uid: string, toPath: string): Promise<CopyResponseObject> {
  const copied = await copyMessages(run.client, uid, toPath);
  try {
    await addFlags(run.client, uid, ['\\Deleted']);
    if (run.client.capabilities.has('UIDPLUS')) await expungeUids(run.client, uid);
  } catch (error) {
    run.logger.warn({ err: error, toPath }, 'the original of a copied message could not be removed');
  }
  return copied;
}

/** A target folder that does not exist is final (asked with STATUS when the refusal names no reason); anything else follows the policy. */
async function refusedMove(client: ImapFlow, toPath: string, error: unknown): Promise<never> {
  const failure = classifyImapError(error);
  const missing =
    failure.failure === 'no_such_folder' ||
    (failure.failure === 'other' &&
      failure.refusedByServer &&
      (await client.status(toPath, { messages: true }).catch(() => false)) === false);
  if (missing) throw new PermanentOpFailure(`The folder ${toPath} no longer exists on the server`);
  throw failure;
}

async function runExpunge(run: MailboxRun, op: OpRow, p: OpPayload<'expunge'>): Promise<void> {
  await openForWrite(run.client, p);
  run.lease.assertFresh();
  await addFlags(run.client, String(p.uid), ['\\Deleted']);
  if (run.client.capabilities.has('UIDPLUS')) await expungeUids(run.client, String(p.uid));
  await finish(run, op, async (trx) => {
    const folder = await trx
      .selectFrom('folders')
      .select('id')
      .where('mailbox_id', '=', op.mailbox_id)
      .where('path', '=', p.path)
      .executeTakeFirst();
    if (folder) await removeLocations(trx, folder.id, [p.uid]);
  });
}

/**
 * pending (or running under an earlier epoch) → running under this lease, only
 * if the op is still as this worker read it. Returns the op as it now is, or
 * null when it changed meanwhile.
 */
async function start(run: MailboxRun, op: OpRow): Promise<OpRow | null> {
  const now = Date.now();
  const started = await run.write(async (trx) => {
    const result = await trx
      .updateTable('outbox_ops')
      .set({ state: 'running', lease_epoch: run.lease.epoch, updated_at: now })
      .where('id', '=', op.id)
      .where('state', '=', op.state)
      .where('attempts', '=', op.attempts)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  });
  return started ? { ...op, state: 'running', lease_epoch: run.lease.epoch, updated_at: now } : null;
}

/** The end of a run this worker started: the op must still be running under this lease's epoch. */
async function endRunning(trx: Kysely<Database>, run: MailboxRun, op: OpRow, change: Updateable<OutboxOpsTable>) {
  const result = await trx
    .updateTable('outbox_ops')
    .set({ ...change, lease_epoch: null, updated_at: Date.now() })
    .where('id', '=', op.id)
    .where('state', '=', 'running')
    .where('lease_epoch', '=', run.lease.epoch)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1)
    throw new LeaseLost(`Outbox op ${op.id} was taken over; its result is not applied`);
}

/**
 * running → done, with its local follow-up, in one transaction under the lease:
 * a result from a worker that lost the op is never applied.
 */
async function finish(run: MailboxRun, op: OpRow, followUp: (trx: Kysely<Database>) => Promise<void>): Promise<void> {
  await run.write(async (trx) => {
    await endRunning(trx, run, op, { state: 'done', error: null, attempts: op.attempts + 1 });
    await followUp(trx);
  });
}

/**
 * running → pending (tried again later) or failed, under the lease and only
 * from the run this worker started: a worker that lost its lease never sets
 * back an op that the next holder already ran.
 */
async function recordFailure(run: MailboxRun, op: OpRow, message: string, permanent: boolean): Promise<void> {
  const now = Date.now();
  await run.write(async (trx) => {
    await endRunning(trx, run, op, {
      state: permanent ? 'failed' : 'pending',
      attempts: op.attempts + 1,
      next_attempt_at: now + backoffDelay(op.attempts + 1),
      error: message,
    });
    if (permanent) await revert(trx, op, message);
  });
  run.logger.warn({ opId: op.id, kind: op.kind, permanent, error: message }, 'outbox op failed');
}

/** An op that ended as failed gives the local view back to the server's state, so nothing shows that did not happen. */
async function revert(trx: Kysely<Database>, op: OpRow, message: string): Promise<void> {
  const json: unknown = JSON.parse(op.payload);
  if (op.kind === 'save_draft') {
    // The draft stays in Tandem, nothing lost; it says why the server does not have it.
    const p = opPayloads.save_draft.parse(json);
    await trx
      .updateTable('drafts')
      .set({ state: 'failed', error: message })
      .where('id', '=', p.draftId)
      .where('version_id', '=', p.versionId)
      .execute();
    return;
  }
  if (op.kind === 'flags' && op.location_id !== null) {
    const p = opPayloads.flags.parse(json);
    const location = await trx
      .selectFrom('message_locations')
      .select('flags')
      .where('id', '=', op.location_id)
      .executeTakeFirst();
    if (!location) return;
    const flags = new Set(JSON.parse(location.flags) as string[]);
    p.add.forEach((f) => flags.delete(f));
    p.remove.forEach((f) => flags.add(f));
    await trx.updateTable('message_locations').set(flagColumns(flags)).where('id', '=', op.location_id).execute();
    return;
  }
  if (op.kind === 'move' || op.kind === 'expunge') {
    const p = opPayloads.expunge.parse(json);
    const source = await trx
      .selectFrom('folders')
      .select(['id', 'enabled'])
      .where('mailbox_id', '=', op.mailbox_id)
      .where('path', '=', p.path)
      .executeTakeFirst();
    if (op.location_id !== null) await removeLocationById(trx, op.location_id);
    if (!source || source.enabled !== 1 || op.message_id === null) return;
    const message = await trx
      .selectFrom('messages')
      .select(['id', 'date'])
      .where('id', '=', op.message_id)
      .executeTakeFirst();
    if (!message) return;
    await addLocation(trx, {
      messageId: message.id,
      mailboxId: op.mailbox_id,
      folderId: source.id,
      uidValidity: p.uidValidity,
      uid: p.uid,
      flags: [],
      modseq: null,
      date: message.date,
    });
    // Its flags are unknown now: the next pass fetches every flag of the folder.
    await writeCursor(trx, source.id, forgetModseq());
  }
}
