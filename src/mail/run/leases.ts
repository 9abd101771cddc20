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
/**
 * A command that changes the server is sent only while the lease, as last
 * confirmed, has at least this long to run: time for the command to arrive
 * before another worker may claim the mailbox.
 */
export const LEASE_MARGIN_MS = 10_000;

export class MailboxLease {
  epoch = 0;
  /** Until when the lease is ours, as last claimed or renewed (this process's clock). */
  #validUntil = 0;

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
      this.#validUntil = expires_at;
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
    this.#validUntil = now + LEASE_TTL_MS;
  }

  /**
   * Checked, without a round trip, right before a command that changes the
   * server: a worker that was paused (SIGSTOP, a frozen VM) finds its clock
   * past the lease and sends nothing — the next holder may have moved on.
   */
  assertFresh(now = Date.now()): void {
    if (now > this.#validUntil - LEASE_MARGIN_MS)
      throw new LeaseLost(`The lease on mailbox ${this.mailboxId} is not confirmed recently enough`);
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
