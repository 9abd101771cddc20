import type { Kysely } from 'kysely';
import type { BlobStore } from '../../blobs/index.ts';
import type { Database, Dialect } from '../../db/index.ts';
import { parseMessage } from '../mime/index.ts';
import type { ParsedMessage } from '../mime/index.ts';
import { storeBody } from './write.ts';
import type { StoredAttachment, StoredParse } from './write.ts';

/** Parses a raw message: on the calling thread (parseMessage) or on a worker thread. */
export type ParseRaw = (raw: Buffer) => Promise<ParsedMessage>;

/**
 * The body of a listed message, read from its stored raw source (never from
 * the mail server again), its attachments written to the blob store. A source
 * missing from the blob store gives an empty body that says so.
 */
export async function readStoredBody(blobs: BlobStore, rawBlob: string, parse: ParseRaw): Promise<StoredParse> {
  const raw = await blobs.get(rawBlob).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  });
  const parsed = await parse(raw ?? Buffer.alloc(0));
  if (raw === null) parsed.problems.push('the stored source of this message is missing');
  const attachments: StoredAttachment[] = parsed.attachments.map(({ content, ...meta }) => ({
    ...meta,
    blobKey: blobs.putSync(content),
  }));
  return { ...parsed, attachments };
}

/**
 * Indexes now those of the given messages the indexer has not reached yet (a
 * message opened before its turn). Returns whether any was indexed by this call.
 */
export async function indexOnDemand(
  db: Kysely<Database>,
  dialect: Dialect,
  blobs: BlobStore,
  ids: number[],
): Promise<boolean> {
  if (ids.length === 0) return false;
  const listed = await db
    .selectFrom('messages')
    .select(['id', 'raw_blob'])
    .where('id', 'in', ids)
    .where('indexed', '=', 0)
    .execute();
  let stored = false;
  for (const row of listed) {
    const body = await readStoredBody(blobs, row.raw_blob, parseMessage);
    if (await db.transaction().execute((trx) => storeBody(trx, dialect, row.id, body))) stored = true;
  }
  return stored;
}

/** How far the indexer has got in these mailboxes; null when every message is indexed. */
export async function indexingProgress(
  db: Kysely<Database>,
  mailboxIds: string[],
): Promise<{ done: number; total: number } | null> {
  if (mailboxIds.length === 0) return null;
  const count = (indexedOnly: boolean) =>
    db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('mailbox_id', 'in', mailboxIds)
      .where('orphaned_at', 'is', null)
      .$call((q) => (indexedOnly ? q.where('indexed', '=', 0) : q))
      .executeTakeFirstOrThrow();
  // The backlog first, on its small partial index: the full count is only needed while there is one.
  const pending = Number((await count(true)).count);
  if (pending === 0) return null;
  const total = Number((await count(false)).count);
  return { done: total - pending, total };
}
