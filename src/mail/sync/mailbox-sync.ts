import type { ImapFlow } from 'imapflow';
import type { OutboundPolicy } from '../../outbound/index.ts';
import type { SecretBox } from '../../secrets/index.ts';
import type { MailboxState } from '../../db/index.ts';
import { publishMailEvent } from '../../events/index.ts';
import { STORAGE_FULL_MESSAGE, storageStatus } from '../../errors/index.ts';
import { classifyImapError, closeQuietly, connectImap } from '../imap/index.ts';
import type { MailServerError } from '../imap/index.ts';
import { purgeOrphans } from '../messages/write.ts';
import type { ParseRaw } from '../messages/body.ts';
import { drainOutbox } from '../outbox/executor.ts';
import { resolveUncertainSends } from '../outbox/resolve-sends.ts';
import { pruneDoneOps } from '../outbox/ops.ts';
import { imapSettingsOf, syncConnectOptions } from '../account/index.ts';
import { Alarm, fencedWriter, runConnectionLoop } from '../run/index.ts';
import { refreshFolders } from './discover.ts';
import {
  BATCH,
  firstSyncBatch,
  firstSyncBatchSize,
  syncFolderChanges,
  syncWatchedFolderChanges,
} from './folder-sync.ts';
import { LEASE_TTL_MS, LeaseLost, MailboxLease } from '../run/index.ts';
import type { FolderRow, MailboxRun, SyncDeps } from '../run/index.ts';
import { repairLostMessages } from './repair.ts';
import { FolderWatcher } from './watcher.ts';
import { Indexer } from './indexer.ts';
import { parseMessage } from '../mime/index.ts';
import { syncTiming } from './timing.ts';
import type { SyncTiming } from './timing.ts';

/** How soon a mailbox with an op waiting to be retried looks again. */
export const OUTBOX_RETRY_POLL_MS = 1000;
/** A message in no folder for this long was deleted, not moved: it is purged. */
export const ORPHAN_GRACE_MS = 60_000;

export interface MailboxSyncDeps extends SyncDeps {
  secrets: SecretBox;
  /** Which hosts the sync may connect to (checked at every connection). */
  outbound: OutboundPolicy;
  /** Identifies this process in leases. */
  owner: string;
  /** How the indexer parses bodies (a worker-thread pool); parseMessage on this thread when not given. */
  parseBody?: ParseRaw | undefined;
  /** Shorter clocks for tests; the defaults otherwise (SYNC_TIMING). */
  timing?: Partial<SyncTiming> | undefined;
}

function failureText(failure: MailServerError): string {
  return `${failure.failure}: ${failure.message}`;
}

/** What a session works with, once connected and holding the lease: its writes are fenced by that lease. */
export function mailboxRun(
  deps: SyncDeps,
  mailbox: MailboxRun['mailbox'],
  client: ImapFlow,
  lease: MailboxLease,
): MailboxRun {
  const capabilities = client.capabilities;
  return {
    ...deps,
    write: fencedWriter(deps.db, lease),
    lease,
    mailbox,
    client,
    condstore: capabilities.has('CONDSTORE') || capabilities.has('QRESYNC'),
    qresync: client.enabled.has('QRESYNC'),
    emailIds: capabilities.has('OBJECTID') || capabilities.has('X-GM-EXT-1'),
    gmail: capabilities.has('X-GM-EXT-1'),
    pending: new Map(),
  };
}

/** The quiet-time clean-up: messages in no folder past the grace time are purged, old done ops pruned. */
export async function tidyUp(run: MailboxRun): Promise<void> {
  await run.write(async (trx) => {
    await purgeOrphans(trx, run.dialect, run.mailbox.id, Date.now() - ORPHAN_GRACE_MS);
    await pruneDoneOps(trx, run.mailbox.id);
  });
}

/**
 * Keeps one mailbox in sync: connects, discovers folders, runs the newest-first
 * first sync in batches while applying server changes as they are signalled,
 * and reconnects with jittered backoff when the server goes away. A refused
 * login stops the loop and leaves the mailbox in `error` until reconnected.
 */
export class MailboxSync {
  #stopped = false;
  /** Ends the wait for changes: a change signalled, local changes, a failure, stop. */
  #alarm = new Alarm();
  /** Ends a backoff early: only stop() rings it, so no change signal can cut a backoff short. */
  #backoff = new Alarm();
  readonly #timing: SyncTiming;
  /**
   * The largest first-sync batch to fetch: halved each time a session broke in a batch before
   * storing any (a link that drops sooner than a whole batch still completes), back to BATCH
   * once a whole pass worked.
   */
  #batchLimit = BATCH;
  /** The size of the first-sync batch being fetched, 0 when none is. */
  #batchInFlight = 0;
  #dirty = new Set<string>();
  #failure: unknown = null;
  /** When uncertain sends were last looked for on the server (once per full-check interval). */
  #sendsCheckedAt = 0;
  /** Whether the last pass left no op waiting for its retry time. */
  #outboxDrained = true;
  /** Folders the server refused this session, by id; cleared at each full check. */
  #folderErrors = new Map<number, string>();
  #done: Promise<void> = Promise.resolve();
  #watcher: FolderWatcher | null = null;
  /** The lease of the latest session; the mailbox's state is written under it. */
  #lease: MailboxLease | null = null;

  constructor(
    private readonly deps: MailboxSyncDeps,
    readonly mailboxId: string,
  ) {
    this.#timing = syncTiming(deps.timing);
  }

  start(): void {
    this.#done = this.#loop();
  }

  /** Something may have changed in `path` (or anywhere when omitted). */
  wake(path = '*'): void {
    this.#dirty.add(path);
    this.#alarm.wake();
  }

  /** Local changes are waiting to be pushed. */
  nudge(): void {
    this.#alarm.wake();
  }

  /** Finishes the step in progress (its batch is committed), logs out, and resolves. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#alarm.wake();
    this.#backoff.wake();
    await this.#done;
  }

  #loop(): Promise<void> {
    const { logger } = this.deps;
    const mailboxId = this.mailboxId;
    return runConnectionLoop({
      session: (working) => this.#session(working),
      failed: async (failure, retryInMs) => {
        const shown = storageStatus.noteFailure(failure.cause)
          ? `storage_full: ${STORAGE_FULL_MESSAGE}`
          : failureText(failure);
        if (retryInMs !== null)
          logger.warn({ mailboxId, err: failure.cause ?? failure, retryInMs }, 'mailbox sync failed');
        const retrying = retryInMs === null ? '' : ` (retrying in ${Math.ceil(retryInMs / 1000)} s)`;
        // Showing the failure is best effort: with the database down or the disk full, the write fails too,
        // and the loop must go on trying rather than end (and take the process with it).
        await this.#setState('error', `${shown}${retrying}`).catch((error: unknown) =>
          logger.warn({ mailboxId, err: error }, 'could not record the mailbox state'),
        );
      },
      leaseTaken: (error) => logger.warn({ mailboxId }, error.message),
      sleep: (ms) => (this.#stopped ? Promise.resolve() : this.#backoff.sleep(ms)),
      stopped: () => this.#stopped,
    });
  }

  async #session(working: () => void): Promise<void> {
    let stored = false;
    try {
      await this.#connected(working, () => (stored = true));
    } catch (error) {
      // A batch that broke the session before any batch of it was stored is too large for this link.
      if (this.#batchInFlight > 0 && !stored) this.#batchLimit = Math.max(1, Math.floor(this.#batchInFlight / 2));
      throw error;
    } finally {
      this.#batchInFlight = 0;
    }
  }

  async #connected(working: () => void, batchStored: () => void): Promise<void> {
    const { db, secrets, logger } = this.deps;
    const mailbox = await db.selectFrom('mailboxes').selectAll().where('id', '=', this.mailboxId).executeTakeFirst();
    if (!mailbox || mailbox.state === 'disconnected') {
      this.#stopped = true;
      return;
    }
    const lease = new MailboxLease(db, this.mailboxId, this.deps.owner);
    if (!(await lease.claim())) throw new LeaseLost(`Mailbox ${this.mailboxId} is synced by another worker`);
    this.#lease = lease;
    const settings = imapSettingsOf(mailbox, secrets, db, this.deps.outbound);
    const socketTimeout = this.#timing.socketTimeoutMs;
    const client = await connectImap(settings, { ...syncConnectOptions(mailbox), socketTimeout });
    let watcher: FolderWatcher | null = null;
    let indexer: Indexer | null = null;
    this.#failure = null;
    const renewal = setInterval(() => lease.renew().catch((error: unknown) => this.#fail(error)), LEASE_TTL_MS / 3);
    try {
      const run = mailboxRun(this.deps, mailbox, client, lease);
      indexer = new Indexer(run, this.deps.parseBody ?? parseMessage, (error) => this.#fail(error));
      indexer.start();
      await this.#learnAppendLimit(run);
      await refreshFolders(run);
      const enabled = await this.#enabledFolders();
      const events = { changed: (path: string) => this.wake(path), failed: (e: unknown) => this.#fail(e) };
      watcher = new FolderWatcher(
        settings,
        enabled.map((f) => f.path),
        events,
        logger,
        { qresync: run.qresync, socketTimeout },
      );
      await watcher.start();
      this.#watcher = watcher;
      this.wake('*');
      while (!this.#stopped) {
        if (this.#failure) throw this.#failure;
        const progress = await this.#step(run);
        storageStatus.noteWritten();
        if (progress === 'stored') {
          batchStored();
          indexer.kick();
        }
        // The backoff starts over only once a batch was stored or a whole pass worked: a session that
        // only ever gets as far as checking for changes before it breaks keeps growing the delay.
        if (progress !== 'checked') working();
        if (progress === 'idle') await this.#waitForChanges(run);
      }
      await indexer.stop(); // before the lease goes: its batch in progress commits under it
      await lease.release();
    } finally {
      clearInterval(renewal);
      this.#watcher = null;
      await indexer?.stop();
      await watcher?.stop();
      await closeQuietly(client);
    }
  }

  /**
   * One unit of work: local changes to push first, then signalled server changes, then one
   * first-sync batch; 'idle' when there was nothing left to do (a whole pass worked).
   */
  async #step(run: MailboxRun): Promise<'checked' | 'stored' | 'idle'> {
    // Settings are read afresh at every step, and again in each batch's transaction (storeBatch): a change applies at once.
    run.mailbox =
      (await this.deps.db.selectFrom('mailboxes').selectAll().where('id', '=', this.mailboxId).executeTakeFirst()) ??
      run.mailbox;
    const outboxDrained = await drainOutbox(run);
    if (this.#dirty.has('*')) {
      await refreshFolders(run);
      this.#folderErrors.clear();
    }
    const folders = await this.#enabledFolders();
    const { dirty, all } = this.#takeDirty(folders);
    for (const folder of dirty) {
      if (this.#stopped) return 'checked';
      await this.#inFolder(folder, () => this.#folderChanges(run, folder, all));
    }
    if (all)
      await repairLostMessages(
        run,
        folders.filter((f) => !this.#folderErrors.has(f.id)),
      );
    if (dirty.length > 0) return 'checked';
    const unfinished = folders.find(
      (f) => f.first_sync_done === 0 && f.uid_validity !== null && !this.#folderErrors.has(f.id),
    );
    if (unfinished) {
      await this.#showState('syncing');
      this.#batchInFlight = firstSyncBatchSize(unfinished, this.#batchLimit);
      const stored = await this.#inFolder(unfinished, () => firstSyncBatch(run, unfinished.id, this.#batchInFlight));
      this.#batchInFlight = 0;
      return stored ? 'stored' : 'checked';
    }
    this.#outboxDrained = outboxDrained;
    this.#batchLimit = BATCH;
    await this.#showState('idle');
    await tidyUp(run);
    if (Date.now() - this.#sendsCheckedAt >= this.#timing.fullCheckMs) {
      this.#sendsCheckedAt = Date.now();
      if ((await resolveUncertainSends(run)) > 0) return 'checked'; // their Sent copies are queued: file them now
    }
    return 'idle';
  }

  /**
   * Waits for a change signal or the next full check (soon, when an op waits for its retry time).
   * The silent sync connection sends NOOP every keepalive, so no inactivity timeout ends it.
   */
  async #waitForChanges(run: MailboxRun): Promise<void> {
    const drained = this.#outboxDrained;
    const until = Date.now() + (drained ? this.#timing.fullCheckMs : OUTBOX_RETRY_POLL_MS);
    for (;;) {
      const left = until - Date.now();
      if (left <= 0) break;
      if ((await this.#alarm.sleep(Math.min(left, this.#timing.keepaliveMs))) === 'woken') return;
      if (until - Date.now() > 0) await run.client.noop();
    }
    if (drained) this.#dirty.add('*');
  }

  /**
   * A change the watcher was told of is fetched on the watcher's own connection
   * where it can be; a full check always selects the folder afresh.
   */
  async #folderChanges(run: MailboxRun, folder: FolderRow, fullCheck: boolean): Promise<void> {
    const watched = this.#watcher?.watching(folder.path) ?? null;
    if (watched && !fullCheck && (await syncWatchedFolderChanges(run, folder.id, watched))) return;
    watched?.takeVanished(); // the fresh EXAMINE (QRESYNC) reports every expunge since the cursor
    await syncFolderChanges(run, folder.id);
  }

  /**
   * A folder the server refuses (NO) must not stop the others: it is logged,
   * shown on the mailbox, and tried again when it changes or at the next full check. Anything
   * else (a dropped connection) ends the session and reconnects.
   */
  async #inFolder(folder: FolderRow, work: () => Promise<unknown>): Promise<boolean> {
    try {
      await work();
      this.#folderErrors.delete(folder.id); // it works again (e.g. deleted, then created again)
      return true;
    } catch (error) {
      const failure = classifyImapError(error);
      if (!failure.refusedByServer) throw error;
      const reason = failure.message;
      this.deps.logger.warn({ mailboxId: this.mailboxId, folder: folder.path, reason }, 'the server refused a folder');
      this.#folderErrors.set(folder.id, `${folder.path}: ${reason}`);
      return false;
    }
  }

  /** The state to show: a refused folder is an error the user should see, even while the rest syncs. */
  async #showState(state: 'syncing' | 'idle'): Promise<void> {
    const errors = [...this.#folderErrors.values()];
    await this.#setState(
      errors.length > 0 ? 'error' : state,
      errors.length > 0 ? `folder_failed: ${errors.join('; ')}` : null,
    );
  }

  /** The dirty folders, INBOX first; `all` when every folder is to be checked. */
  #takeDirty(folders: FolderRow[]): { dirty: FolderRow[]; all: boolean } {
    const all = this.#dirty.has('*');
    // A folder never looked at yet (just enabled, or re-created by the outbox) gets its first pass now.
    const picked = folders.filter(
      (f) => all || this.#dirty.has(f.path) || (f.uid_validity === null && !this.#folderErrors.has(f.id)),
    );
    this.#dirty.clear();
    return {
      dirty: picked.sort((a, b) => Number(b.path.toUpperCase() === 'INBOX') - Number(a.path.toUpperCase() === 'INBOX')),
      all,
    };
  }

  async #enabledFolders(): Promise<FolderRow[]> {
    const rows = await this.deps.db
      .selectFrom('folders')
      .selectAll()
      .where('mailbox_id', '=', this.mailboxId)
      .where('enabled', '=', 1)
      .orderBy('id')
      .execute();
    return rows.sort((a, b) => Number(b.path.toUpperCase() === 'INBOX') - Number(a.path.toUpperCase() === 'INBOX'));
  }

  /** Drafts and Sent copies larger than the server's APPENDLIMIT (RFC 7889) are refused before they are made. */
  async #learnAppendLimit(run: MailboxRun): Promise<void> {
    const advertised = run.client.capabilities.get('APPENDLIMIT');
    const limit = typeof advertised === 'number' && advertised > 0 ? advertised : null;
    if (limit === run.mailbox.append_limit) return;
    await run.write((trx) =>
      trx.updateTable('mailboxes').set({ append_limit: limit }).where('id', '=', this.mailboxId).execute(),
    );
  }

  #fail(error: unknown): void {
    this.#failure ??= error;
    this.#alarm.wake();
  }

  /**
   * Writes the state only when it changed (a quiet sync writes nothing); never overrides a disconnect.
   * Only the lease holder speaks for the mailbox: a worker that lost it writes nothing.
   */
  async #setState(state: MailboxState, error: string | null): Promise<void> {
    if (!this.#lease) return;
    const write = fencedWriter(this.deps.db, this.#lease);
    const changed = await write(async (trx) => {
      const current = await trx
        .selectFrom('mailboxes')
        .select(['state', 'error'])
        .where('id', '=', this.mailboxId)
        .executeTakeFirst();
      if (!current || current.state === 'disconnected' || (current.state === state && current.error === error))
        return false;
      await trx
        .updateTable('mailboxes')
        .set({ state, error, updated_at: Date.now() })
        .where('id', '=', this.mailboxId)
        .execute();
      return true;
    }).catch((failure: unknown) => {
      if (failure instanceof LeaseLost) return false;
      throw failure;
    });
    if (changed) publishMailEvent({ type: 'mailbox.changed', mailboxId: this.mailboxId });
  }
}
