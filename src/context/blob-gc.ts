import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { SweepResult } from '../blobs/index.ts';
import type { Database } from '../db/index.ts';
import type { TandemContext } from './context.ts';

/**
 * A blob is written before the row that references it is committed (the sync writes a batch's files,
 * then its transaction; a draft save or a send stores its message, then records it). Files younger
 * than this are never collected, whatever the store says.
 */
export const BLOB_GRACE_MS = 3600 * 1000;

/** How often the sync processes collect. */
export const BLOB_GC_INTERVAL_MS = 6 * 3600 * 1000;

/** Taken for the sweep on PostgreSQL, so that of several workers one sweeps at a time (any fixed number). */
const SWEEP_LOCK = 7_411_302_218;

export interface BlobGcOptions {
  dryRun?: boolean;
  graceMs?: number;
  now?: number;
}

/** What a collection did; `skipped` when another process was sweeping. */
export type BlobGcResult = (SweepResult & { skipped: false }) | { skipped: true };

/**
 * Mark and sweep: reads every blob key the store references in one snapshot, then deletes the
 * files nothing references that are older than the grace period (see BlobStore.sweep).
 */
export async function collectBlobs(context: TandemContext, options: BlobGcOptions = {}): Promise<BlobGcResult> {
  const cutoff = (options.now ?? Date.now()) - (options.graceMs ?? BLOB_GRACE_MS);
  const sweep = async (db: Kysely<Database>): Promise<SweepResult> => {
    const referenced = await referencedBlobs(db);
    return context.blobs.sweep((key) => referenced.has(key), cutoff, options.dryRun);
  };
  if (context.store.dialect === 'sqlite') return { ...(await sweep(context.store.db)), skipped: false };
  return context.store.db.connection().execute(async (db) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${SWEEP_LOCK}) as locked`.execute(db);
    if (!rows[0]?.locked) return { skipped: true };
    try {
      return { ...(await sweep(db)), skipped: false };
    } finally {
      await sql`select pg_advisory_unlock(${SWEEP_LOCK})`.execute(db);
    }
  });
}

/**
 * Every column that names a blob: a message's raw source and its attachments, a draft's live
 * version, a send's message until it is filed in Sent, the Sent copy an outbox op still has to append,
 * and the files of workflows' Send Email templates.
 */
export async function referencedBlobs(db: Kysely<Database>): Promise<Set<string>> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const keys = new Set<string>();
      const add = (rows: { key: string }[]) => rows.forEach((r) => keys.add(r.key));
      add(await trx.selectFrom('messages').select('raw_blob as key').execute());
      add(await trx.selectFrom('attachments').select('blob_key as key').execute());
      add(await trx.selectFrom('drafts').select('raw_blob as key').execute());
      add(
        await trx
          .selectFrom('sends')
          .select('raw_blob as key')
          .where('state', 'in', ['attempted', 'uncertain'])
          .execute(),
      );
      for (const op of await trx
        .selectFrom('outbox_ops')
        .select('payload')
        .where('kind', '=', 'append_sent')
        .execute()) {
        const rawBlob = (JSON.parse(op.payload) as { rawBlob?: unknown }).rawBlob;
        if (typeof rawBlob === 'string') keys.add(rawBlob);
      }
      for (const workflow of await trx.selectFrom('workflows').select('definition_json').execute()) {
        const { actions } = JSON.parse(workflow.definition_json) as {
          actions: { attachments?: { blob?: unknown }[] }[];
        };
        for (const a of actions.flatMap((action) => action.attachments ?? []))
          if (typeof a.blob === 'string') keys.add(a.blob);
      }
      return keys;
    });
}

/** Collects every BLOB_GC_INTERVAL_MS (the first time shortly after start); returns the stop function. */
export function collectBlobsPeriodically(context: TandemContext): () => void {
  const run = () => {
    collectBlobs(context).then(
      (result) => {
        if (!result.skipped && result.deleted > 0)
          context.logger.info({ deleted: result.deleted, bytes: result.deletedBytes }, 'unreferenced blobs collected');
      },
      (error: unknown) => context.logger.error({ err: error }, 'blob collection failed'),
    );
  };
  const first = setTimeout(run, 60_000);
  const every = setInterval(run, BLOB_GC_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
