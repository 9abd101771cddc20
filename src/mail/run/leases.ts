import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';

export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

export const LEASE_TTL_MS = 30_000;

/**
 * The right to sync one mailbox. A claim bumps the epoch; every write the sync
 * makes checks (owner, epoch, not expired) in its own transaction, so a worker
 * that lost its lease — paused, partitioned — can never write over the next one.
 */
export class MailboxLease {
  epoch = 0;

  constructor(
    private readonly db: Kysely<Database>,
    readonly mailboxId: string,
    readonly owner: string,
  ) {}

  /** Takes the lease if it is free, expired or already ours; false when another worker holds it. */
  async claim(now = Date.now()): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('mailbox_leases')
        .selectAll()
        .where('mailbox_id', '=', this.mailboxId)
        .executeTakeFirst();
      if (current && current.owner !== this.owner && current.expires_at > now) return false;
      const epoch = (current?.epoch ?? 0) + 1;
      const expires_at = now + LEASE_TTL_MS;
      if (current) {
        const result = await trx
          .updateTable('mailbox_leases')
          .set({ owner: this.owner, epoch, expires_at })
          .where('mailbox_id', '=', this.mailboxId)
          .where('epoch', '=', current.epoch)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
      } else {
        await trx
          .insertInto('mailbox_leases')
          .values({ mailbox_id: this.mailboxId, owner: this.owner, epoch, expires_at })
          .execute();
      }
      this.epoch = epoch;
      return true;
    });
  }

  /** Extends the lease; throws LeaseLost when it is no longer ours. */
  async renew(now = Date.now()): Promise<void> {
    const result = await this.db
      .updateTable('mailbox_leases')
      .set({ expires_at: now + LEASE_TTL_MS })
      .where('mailbox_id', '=', this.mailboxId)
      .where('owner', '=', this.owner)
      .where('epoch', '=', this.epoch)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new LeaseLost(`Lost the lease on mailbox ${this.mailboxId}`);
  }

  /** The fencing check, run inside the transaction of each sync write. */
  async assertHeld(trx: Kysely<Database>, now = Date.now()): Promise<void> {
    const row = await trx
      .selectFrom('mailbox_leases')
      .select('epoch')
      .where('mailbox_id', '=', this.mailboxId)
      .where('owner', '=', this.owner)
      .where('epoch', '=', this.epoch)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!row) throw new LeaseLost(`Lost the lease on mailbox ${this.mailboxId}`);
  }

  async release(): Promise<void> {
    await this.db
      .deleteFrom('mailbox_leases')
      .where('mailbox_id', '=', this.mailboxId)
      .where('owner', '=', this.owner)
      .where('epoch', '=', this.epoch)
      .execute();
  }
}
