import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { BlobStore } from '../../blobs/index.ts';
import type { Database, Dialect, Flag, FoldersTable } from '../../db/index.ts';
import type { Kysely, Selectable } from 'kysely';
import type { MailboxRow } from '../account/index.ts';
import type { FencedWrite, StoreReader } from './fenced.ts';
import type { MailboxLease } from './leases.ts';

export type FolderRow = Selectable<FoldersTable>;

/** A batch of synced mail just stored, as the layers above the sync see it. */
export interface StoredBatch {
  mailbox: {
    id: string;
    address: string;
    owner_user_id: string;
    group_id: string | null;
    archive_and_create_past: Flag;
  };
  /** The folder as it was before the batch (its first-sync low mark tells past mail from new). */
  folder: { path: string; special_use: string | null; first_sync_low_uid: number | null };
  messages: { id: number; created: boolean; uid: number }[];
}

/** How the layers above the sync engine (the CRM) react to it, without the engine importing them. */
export interface SyncHooks {
  /** Runs inside the transaction that stores the batch: what it writes commits or rolls back with it. */
  onStored(trx: Kysely<Database>, batch: StoredBatch): Promise<void>;
  /**
   * Runs inside the transaction of each batch of bodies the indexer stores
   * (and once more when it has caught up): what waited for a body (mailroom
   * rules) can run on every message of the mailbox indexed by then.
   */
  onIndexed?(trx: Kysely<Database>, mailbox: StoredBatch['mailbox']): Promise<void>;
}

export interface SyncDeps {
  hooks: SyncHooks;
  db: Kysely<Database>;
  dialect: Dialect;
  blobs: BlobStore;
  logger: Logger;
}

/** What one pass of a mailbox's sync works with: it reads the store freely and writes only through `write`. */
export interface MailboxRun extends Omit<SyncDeps, 'db'> {
  db: StoreReader;
  /** Writes under the mailbox's lease (docs/sync.md invariant 14). */
  write: FencedWrite;
  /** The lease this run holds: its epoch, and the check made right before each command that changes the server. */
  lease: Pick<MailboxLease, 'epoch' | 'assertFresh'>;
  mailbox: MailboxRow;
  client: ImapFlow;
  /** CONDSTORE advertised (and ENABLEd by ImapFlow). */
  condstore: boolean;
  /** QRESYNC answered ENABLED: expunges come as VANISHED on SELECT (never assumed from CAPABILITY alone). */
  qresync: boolean;
  /** OBJECTID (EMAILID) or Gmail's X-GM-EXT-1: servers that give a stable email id. */
  emailIds: boolean;
  gmail: boolean;
  /** UIDs still to fetch by the first sync, newest first, per folder id (rebuilt after a restart). */
  pending: Map<number, number[]>;
}
