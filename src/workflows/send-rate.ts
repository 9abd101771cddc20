import type { Kysely } from 'kysely';
import type { Database, Dialect } from '../db/index.ts';

/**
 * The per-mailbox send rate: a token bucket in the store (shared by every
 * worker) holding `perMinute` tokens, refilled at `perMinute` a minute. A send
 * takes one; when none is left the answer is how long to wait, and the run
 * waits its turn: sends queue, none is dropped.
 */
export async function takeSendToken(
  db: Kysely<Database>,
  dialect: Dialect,
  mailboxId: string,
  perMinute: number,
  now: number,
): Promise<number> {
  const perMs = perMinute / 60_000;
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('send_buckets')
      .values({ mailbox_id: mailboxId, tokens: perMinute, updated_at: now })
      .onConflict((oc) => oc.column('mailbox_id').doNothing())
      .execute();
    let select = trx.selectFrom('send_buckets').selectAll().where('mailbox_id', '=', mailboxId);
    if (dialect === 'postgres') select = select.forUpdate();
    const bucket = await select.executeTakeFirstOrThrow();
    const elapsed = Math.max(0, now - Number(bucket.updated_at));
    const tokens = Math.min(perMinute, Number(bucket.tokens) + elapsed * perMs);
    if (tokens < 1) {
      return Math.ceil((1 - tokens) / perMs);
    }
    await trx
      .updateTable('send_buckets')
      .set({ tokens: tokens - 1, updated_at: now })
      .where('mailbox_id', '=', mailboxId)
      .execute();
    return 0;
  });
}
