import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { MailboxLease } from './leases.ts';

/** The store as the sync reads it: selects only. Every write goes through a FencedWrite. */
export type StoreReader = Pick<Kysely<Database>, 'selectFrom'>;

/** Runs `work` in one transaction that first checks the lease; throws LeaseLost, having written nothing, when it is not held. */
export type FencedWrite = <T>(work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>;

/**
 * The only way the sync engine and the outbox write (docs/sync.md invariant 14):
 * the lease check (owner, epoch, not expired) runs inside the same transaction
 * as the write, so a worker that was paused past its lease cannot write after
 * another worker took the mailbox over.
 */
export function fencedWriter(db: Kysely<Database>, lease: MailboxLease): FencedWrite {
  return (work) =>
    db.transaction().execute(async (trx) => {
      await lease.assertHeld(trx);
      return work(trx);
    });
}
