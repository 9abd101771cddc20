import type { ExpungeEvent, ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import { closeQuietly, connectImap } from '../imap/index.ts';
import type { ImapSettings } from '../imap/index.ts';
import { startNotify } from '../imap/notify.ts';
import { folderSignatures, UNAVAILABLE } from './folder-signatures.ts';
import type { WatchedFolder } from './folder-sync.ts';

/** How often the other folders are checked when the server has no NOTIFY. */
export const STATUS_POLL_MS = 2000;
/**
 * With NOTIFY, the check still runs, rarely: Dovecot 2.3 stops sending NOTIFY
 * events once its mailbox list index log rotates (every few hundred changes)
 * and then reports only every 30 s; setting NOTIFY again does not reliably
 * restore them. One LIST-STATUS every 30 s costs an idle mailbox next to
 * nothing, and bounds what such a silence can delay by Dovecot's own 30 s.
 */
export const NOTIFY_BACKSTOP_POLL_MS = 30_000;
/**
 * After a change anywhere in the account, the check behind NOTIFY runs every
 * ACTIVE_POLL_MS for ACTIVE_WINDOW_MS: changes come in bursts, and a busy
 * account is the one whose NOTIFY goes silent, so its other folders stay
 * within 5 s while an idle account costs one command per 30 s.
 */
export const ACTIVE_POLL_MS = 4000;
export const ACTIVE_WINDOW_MS = 120_000;

export interface WatcherEvents {
  /** A folder may have changed on the server. */
  changed(path: string): void;
  /** The watching connection failed; the mailbox's sync restarts. */
  failed(error: unknown): void;
}

/**
 * Its own connection, so a long first sync never delays change detection:
 * IDLE on INBOX (changes arrive within a second); the other synced folders are
 * pushed by the server with NOTIFY (RFC 5465) and checked with one LIST-STATUS
 * every 30 s, every 4 s for two minutes after a change (every 2 s on servers
 * without NOTIFY; a STATUS per folder where the server has no LIST-STATUS).
 */
export class FolderWatcher {
  #client: ImapFlow | null = null;
  #timer: NodeJS.Timeout | null = null;
  #last = new Map<string, string>();
  #stopped = false;
  #inbox: WatchedFolder | null = null;
  #vanished: number[] = [];
  #pushed = false;
  #lastChangeAt = Number.NEGATIVE_INFINITY;
  /** When the pending check runs; no check is pending while #timer is null. */
  #dueAt = 0;

  constructor(
    private readonly settings: ImapSettings,
    private readonly folders: string[],
    private readonly events: WatcherEvents,
    private readonly logger: Logger,
    private readonly options: { qresync: boolean; pollMs?: number; socketTimeout?: number },
  ) {}

  async start(): Promise<void> {
    const { qresync, socketTimeout } = this.options;
    const client = await connectImap(this.settings, {
      autoIdleDelay: 50,
      qresync,
      ...(socketTimeout !== undefined ? { socketTimeout } : {}),
    });
    this.#client = client;
    client.on('close', () => {
      if (!this.#stopped) this.events.failed(new Error('The watching connection closed'));
    });
    const inbox = this.folders.find((f) => f.toUpperCase() === 'INBOX');
    // Set before INBOX is selected (no IDLE runs yet); from here on no change goes unreported.
    const others = this.folders.filter((f) => f !== inbox);
    const pushed = await startNotify(client, others, (path) => this.#changed(path));
    if (inbox) {
      await client.mailboxOpen(inbox, { readOnly: true });
      const changed = () => this.#changed(inbox);
      client.on('exists', changed);
      client.on('flags', changed);
      client.on('expunge', (event: ExpungeEvent & { earlier?: boolean }) => {
        // VANISHED (EARLIER) answers a FETCH the sync runs on this connection: not news.
        if (event.earlier) return;
        if (event.vanished && event.uid) this.#vanished.push(event.uid);
        changed();
      });
      // With QRESYNC every expunge names its UID, so the sync can work on this connection (see WatchedFolder).
      if (client.enabled.has('QRESYNC')) {
        this.#inbox = { client, path: inbox, takeVanished: () => this.#vanished.splice(0) };
      }
    }
    this.#pushed = pushed;
    // The baseline is taken before the caller's first full pass, so no change can fall in between.
    await this.#poll();
    this.#schedule();
  }

  /** The folder this connection keeps selected and up to date, when it is `path`. */
  watching(path: string): WatchedFolder | null {
    return this.#inbox && this.#inbox.path === path && !this.#stopped ? this.#inbox : null;
  }

  #changed(path: string): void {
    this.logger.debug({ path }, 'folder changed on the server');
    this.#lastChangeAt = Date.now();
    this.events.changed(path);
    this.#hurry();
  }

  /** How long until the next check. */
  #period(): number {
    if (this.options.pollMs !== undefined) return this.options.pollMs;
    if (!this.#pushed) return STATUS_POLL_MS;
    return Date.now() - this.#lastChangeAt < ACTIVE_WINDOW_MS ? ACTIVE_POLL_MS : NOTIFY_BACKSTOP_POLL_MS;
  }

  /** A change brings a check set for later forward (a running check schedules the next itself). */
  #hurry(): void {
    if (this.#timer === null || this.#dueAt - Date.now() <= this.#period()) return;
    clearTimeout(this.#timer);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    const delay = this.#period();
    this.#dueAt = Date.now() + delay;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#poll().then(
        () => this.#schedule(),
        (error: unknown) => {
          if (!this.#stopped) this.events.failed(error);
        },
      );
    }, delay);
  }

  async #poll(): Promise<void> {
    const client = this.#client;
    if (!client || this.#stopped) return;
    // The selected folder is watched by IDLE; STATUS of it is not to be relied on (RFC 3501 6.3.10).
    const paths = this.folders.filter((path) => !client.mailbox || client.mailbox.path !== path);
    const signatures = await folderSignatures(client, paths);
    if (this.#stopped) return;
    for (const path of paths) {
      const signature = signatures.get(path) ?? UNAVAILABLE;
      const previous = this.#last.get(path);
      this.#last.set(path, signature);
      if (previous !== undefined && previous !== signature) this.#changed(path);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = null;
    if (client) await closeQuietly(client);
  }
}
