import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { markInterruptedSends, STALE_SEND_MS } from '../send/sends.ts';
import { MailboxSync } from './mailbox-sync.ts';
import type { MailboxSyncDeps } from './mailbox-sync.ts';

/** How often the engine looks for mailboxes added, disconnected or removed by another process. */
export const RECONCILE_MS = 5000;

export type EngineDeps = Omit<MailboxSyncDeps, 'owner'>;

/** Runs the sync of every connected mailbox in this process. */
export class SyncEngine {
  /**
   * The name this process's leases carry. The embedded store (SQLite) has one
   * syncing process by design, so it always uses the same name and a restart
   * after a crash takes its mailboxes back at once; PostgreSQL workers each
   * have their own and wait for a dead one's leases to expire.
   */
  readonly owner: string;
  #runs = new Map<string, MailboxSync>();
  #timer: NodeJS.Timeout | null = null;
  readonly #createdAt = Date.now();

  constructor(private readonly deps: EngineDeps) {
    this.owner =
      deps.dialect === 'sqlite' ? 'embedded' : `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /** Starts every connected mailbox, then keeps following the store (mailboxes added, disconnected or deleted elsewhere). */
  async start(): Promise<void> {
    await this.reconcile();
    this.#timer = setInterval(() => {
      this.reconcile().catch((error: unknown) => this.deps.logger.error({ err: error }, 'sync reconcile failed'));
    }, RECONCILE_MS);
  }

  async reconcile(): Promise<void> {
    // Sends a stopped process left 'attempted' become 'uncertain': at once for the embedded store
    // (its sends all run in this process, begun after it started), after STALE_SEND_MS otherwise.
    await markInterruptedSends(
      this.deps.db,
      this.deps.dialect === 'sqlite' ? this.#createdAt : Date.now() - STALE_SEND_MS,
    );
    const rows = await this.deps.db.selectFrom('mailboxes').select(['id', 'state']).execute();
    const wanted = new Set(rows.filter((r) => r.state !== 'disconnected').map((r) => r.id));
    for (const id of wanted) this.startMailbox(id);
    for (const id of this.#runs.keys()) if (!wanted.has(id)) await this.stopMailbox(id);
  }

  startMailbox(mailboxId: string): void {
    if (this.#runs.has(mailboxId)) return;
    const run = new MailboxSync({ ...this.deps, owner: this.owner }, mailboxId);
    this.#runs.set(mailboxId, run);
    run.start();
  }

  async stopMailbox(mailboxId: string): Promise<void> {
    const run = this.#runs.get(mailboxId);
    this.#runs.delete(mailboxId);
    await run?.stop();
  }

  /** Picks up changed settings (folders enabled, reconnect after an error). */
  async restartMailbox(mailboxId: string): Promise<void> {
    await this.stopMailbox(mailboxId);
    this.startMailbox(mailboxId);
  }

  nudge(mailboxId: string): void {
    this.#runs.get(mailboxId)?.nudge();
  }

  /** Every running mailbox looks for local changes waiting (after hints may have been lost). */
  nudgeAll(): void {
    for (const run of this.#runs.values()) run.nudge();
  }

  wake(mailboxId: string, path?: string): void {
    this.#runs.get(mailboxId)?.wake(path);
  }

  isRunning(mailboxId: string): boolean {
    return this.#runs.has(mailboxId);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    const runs = [...this.#runs.keys()];
    await Promise.all(runs.map((id) => this.stopMailbox(id)));
  }
}
