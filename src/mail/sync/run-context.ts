import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { BlobStore } from '../../blobs/index.ts';
import type { Database, Dialect, FoldersTable, MailboxesTable } from '../../db/index.ts';
import type { Kysely, Selectable } from 'kysely';
import type { MailboxLease } from './leases.ts';

export type FolderRow = Selectable<FoldersTable>;
export type MailboxRow = Selectable<MailboxesTable>;

export interface SyncDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  blobs: BlobStore;
  logger: Logger;
}

/** What one pass of a mailbox's sync works with. */
export interface MailboxRun extends SyncDeps {
  mailbox: MailboxRow;
  client: ImapFlow;
  lease: MailboxLease;
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
