import type { Kysely } from 'kysely';
import { mailboxOf } from '../../access/index.ts';
import type { AddressVerification, AssignRule, Database, MailboxState, Security, SyncPeriod } from '../../db/index.ts';
import { STORAGE_FULL_MESSAGE, storageStatus, TandemError } from '../../errors/index.ts';
import { mailboxStorageBytes } from '../messages/index.ts';
import { groupView } from './groups.ts';
import type { GroupView } from './groups.ts';

export interface FolderView {
  path: string;
  specialUse: string | null;
  enabled: boolean;
  /**
   * Messages inside the sync period on the server: while the first sync runs,
   * as counted when it began; after it, every one of them is synced, so the
   * count is what the folder holds (new mail is synced as it comes, removals
   * follow the server).
   */
  messages: number;
  /** Emails the folder holds in Tandem (what its list shows). */
  synced: number;
  unread: number;
  firstSyncDone: boolean;
}

export interface MailboxView {
  id: string;
  address: string;
  displayName: string | null;
  kind: 'personal' | 'group';
  state: MailboxState;
  error: string | null;
  syncPeriod: SyncPeriod;
  syncSince: string;
  markIncomingPrivate: boolean;
  fallbackConsent: boolean;
  /** How the address was shown to be the owner's (the admin's fallback server relays only then); null: not yet. */
  addressVerified: AddressVerification | null;
  archiveAndCreatePast: boolean;
  imap: { host: string; port: number; security: Security; username: string };
  smtp: { host: string; port: number; security: Security; username: string };
  folders: FolderView[];
  /** The first sync over the enabled folders: done equals total once every first sync has finished. */
  progress: { done: number; total: number };
  /** Bytes of mail it holds (raw messages and attachments), what `mailboxQuotaBytes` is compared with. */
  storage: { bytes: number };
  createdAt: string;
  /** How it logs in: a password (or app password), or an OAuth2 sign-in with `providerId`. */
  auth: 'password' | 'oauth2';
  providerId: string | null;
  /** The OAuth2 sign-in was revoked or expired: sync stopped until the user signs in again (`GET /oauth/:providerId/start?mailboxId=`). */
  needsReauthorization: boolean;
  /** A group mailbox's team, and how it works its conversations; null for a personal mailbox. */
  group: (GroupView & { emailToCase: boolean; caseTokenPrefix: string; assignRule: AssignRule }) | null;
}

/** A mailbox of `viewerId` (any mailbox when null, for the CLI), or not_found — also for someone else's: its existence is not revealed. */
export async function mailboxView(
  db: Kysely<Database>,
  viewerId: string | null,
  mailboxId: string,
): Promise<MailboxView> {
  const row = await db
    .selectFrom('mailboxes')
    .selectAll()
    .where('mailboxes.id', '=', mailboxId)
    .$if(viewerId !== null, (q) => q.where(mailboxOf(viewerId ?? '')))
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', `No mailbox ${mailboxId}`);
  const folders = await db
    .selectFrom('folders')
    .select(['id', 'path', 'special_use', 'enabled', 'server_total', 'first_sync_done'])
    .select((eb) => [
      eb
        .selectFrom('message_locations')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('message_locations.folder_id', '=', 'folders.id')
        .where('message_locations.seen', '=', 0)
        .as('unread'),
      // Counted, not the sync's running tally: local moves and deletes change the folder before the sync hears of them.
      eb
        .selectFrom('message_locations')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('message_locations.folder_id', '=', 'folders.id')
        .as('stored'),
    ])
    .where('mailbox_id', '=', mailboxId)
    .orderBy('id')
    .execute();
  const views = folders.map((f): FolderView => {
    const stored = Number(f.stored ?? 0);
    const firstSyncDone = f.first_sync_done === 1;
    return {
      path: f.path,
      specialUse: f.special_use,
      enabled: f.enabled === 1,
      messages: firstSyncDone ? stored : Math.max(f.server_total, stored),
      synced: stored,
      unread: Number(f.unread ?? 0),
      firstSyncDone,
    };
  });
  const enabled = views.filter((f) => f.enabled);
  const progress = {
    done: enabled.reduce((sum, f) => sum + f.synced, 0),
    total: enabled.reduce((sum, f) => sum + f.messages, 0),
  };
  return {
    id: row.id,
    address: row.address,
    displayName: row.display_name,
    kind: row.kind,
    // A full disk refuses the write that would record it: this process's own knowledge is shown then.
    ...(storageStatus.isFull() && row.state !== 'disconnected'
      ? { state: 'error' as const, error: `storage_full: ${STORAGE_FULL_MESSAGE}` }
      : { state: row.state, error: row.error }),
    syncPeriod: row.sync_period,
    syncSince: new Date(row.sync_since).toISOString(),
    markIncomingPrivate: row.mark_incoming_private === 1,
    fallbackConsent: row.fallback_consent === 1,
    addressVerified: row.address_verified_by,
    archiveAndCreatePast: row.archive_and_create_past === 1,
    imap: { host: row.imap_host, port: row.imap_port, security: row.imap_security, username: row.imap_username },
    smtp: { host: row.smtp_host, port: row.smtp_port, security: row.smtp_security, username: row.smtp_username },
    folders: views,
    progress,
    storage: { bytes: await mailboxStorageBytes(db, row.id) },
    createdAt: new Date(row.created_at).toISOString(),
    auth: row.oauth_grant_id ? 'oauth2' : 'password',
    providerId: row.provider_id,
    needsReauthorization: await grantRevoked(db, row.oauth_grant_id),
    group:
      row.group_id === null
        ? null
        : {
            ...(await groupView(db, row.group_id)),
            emailToCase: row.email_to_case === 1,
            caseTokenPrefix: row.case_token_prefix,
            assignRule: row.assign_rule,
          },
  };
}

async function grantRevoked(db: Kysely<Database>, grantId: string | null): Promise<boolean> {
  if (!grantId) return false;
  const grant = await db.selectFrom('oauth_grants').select('state').where('id', '=', grantId).executeTakeFirst();
  return grant?.state !== 'active';
}
