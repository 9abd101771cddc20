import { publishMailEvent } from '../../events/index.ts';
import { readStoredBody } from '../messages/body.ts';
import type { ParseRaw } from '../messages/body.ts';
import { storeBody } from '../messages/write.ts';
import { Alarm } from '../run/index.ts';
import type { MailboxRun } from '../run/index.ts';

/** Bodies read and stored per transaction. */
export const INDEX_BATCH = 50;
/** Nothing wakes an idle indexer but a kick; this only bounds the timer. */
const IDLE_SLEEP_MS = 3_600_000;

/**
 * The second pass of a first sync: reads the bodies of the messages the header
 * pass listed — text, sanitized HTML, snippet, attachments, full-text index —
 * from their stored raw source (never from the server again), newest first,
 * while the header pass goes on. It runs in the mailbox's session and writes
 * under its lease (docs/sync.md invariant 14), so in scale-out only the
 * worker holding the mailbox indexes it; each body is stored only if nobody
 * (an on-demand index) stored it first (docs/sync.md invariant 16). A crash leaves the rest unindexed,
 * and the next session goes on from there.
 */
export class Indexer {
  #alarm = new Alarm();
  #stopped = false;
  #done: Promise<void> = Promise.resolve();

  constructor(
    private readonly run: MailboxRun,
    private readonly parse: ParseRaw,
    private readonly failed: (error: unknown) => void,
  ) {}

  start(): void {
    // A failure (lease lost, disk full) ends the session like the sync's own; after stop() it no longer matters.
    this.#done = this.#loop().catch((error: unknown) => {
      if (!this.#stopped) this.failed(error);
    });
  }

  /** The header pass listed more messages. */
  kick(): void {
    this.#alarm.wake();
  }

  /** Ends after the batch in progress (stored or rolled back). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#alarm.wake();
    await this.#done;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      while (!this.#stopped && (await indexBatch(this.run, this.parse)) > 0);
      if (this.#stopped) return;
      // Caught up: what waited for a body indexed on demand (a message opened before its turn) runs now.
      await this.run.write((trx) => this.run.hooks.onIndexed?.(trx, this.run.mailbox) ?? Promise.resolve());
      await this.#alarm.sleep(IDLE_SLEEP_MS);
    }
  }
}

/** Indexes the newest listed messages of the mailbox; returns how many it looked at (0: none left). */
export async function indexBatch(run: MailboxRun, parse: ParseRaw, size = INDEX_BATCH): Promise<number> {
  const rows = await run.db
    .selectFrom('messages')
    .select(['id', 'raw_blob'])
    .where('mailbox_id', '=', run.mailbox.id)
    .where('indexed', '=', 0)
    .orderBy('date', 'desc')
    .limit(size)
    .execute();
  if (rows.length === 0) return 0;
  const bodies = await Promise.all(rows.map((row) => readStoredBody(run.blobs, row.raw_blob, parse)));
  await run.write(async (trx) => {
    for (const [i, row] of rows.entries()) await storeBody(trx, run.dialect, row.id, bodies[i]!);
    await run.hooks.onIndexed?.(trx, run.mailbox);
  });
  publishMailEvent({ type: 'messages.changed', mailboxId: run.mailbox.id, folder: '*' });
  return rows.length;
}
