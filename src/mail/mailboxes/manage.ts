import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { managedMailbox } from '../../access/index.ts';
import type { TandemContext } from '../../context/index.ts';
import type { AssignRule, Database, MailboxesTable, SyncPeriod } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import { DEFAULT_FOLDER_ROLES } from '../imap/index.ts';
import type { ImapSettings, ServerFolder } from '../imap/index.ts';
import { removeLocations } from '../messages/write.ts';
import { resetCursor, writeCursor } from '../run/index.ts';
import type { SyncControl } from '../sync/index.ts';
import { imapSettingsOf, inspectImap, verifyImap, verifySmtp } from '../account/index.ts';
import type { MailboxSecrets, SmtpSettings } from '../account/index.ts';
import { keepRulesOf } from './deletion.ts';
import { checkMembers, insertGroup, removeGroupIfEmpty } from './groups.ts';
import type { GroupMember } from './groups.ts';
import { mailboxPreset, withProviderHelp } from './provider-settings.ts';
import { syncSince } from './sync-period.ts';

export interface NewMailbox {
  address: string;
  displayName?: string | undefined;
  /** The servers as given; the context's outbound policy decides which hosts may be reached. */
  imap: Omit<ImapSettings, 'outbound'>;
  smtp: Omit<SmtpSettings, 'outbound'>;
  folders?: string[] | undefined;
  syncPeriod: SyncPeriod;
  markIncomingPrivate?: boolean | undefined;
  fallbackConsent?: boolean | undefined;
  archiveAndCreatePast?: boolean | undefined;
  kind?: 'personal' | 'group' | undefined;
  /** A group mailbox's team: its name (the "Support" in "Alice at Support") and members. */
  group?: NewGroup | undefined;
  /** Logs in with this OAuth2 grant (its token source is in `imap` and `smtp`). */
  oauthGrantId?: string | undefined;
  providerId?: string | undefined;
}

export interface NewGroup {
  name: string;
  members: GroupMember[];
  emailToCase?: boolean | undefined;
  caseTokenPrefix?: string | undefined;
  assignRule?: AssignRule | undefined;
}

/**
 * Connects a mailbox: the IMAP and SMTP logins are tried first and nothing is
 * saved unless both work. One personal mailbox per user; a group mailbox
 * (created by an administrator, checked by the caller) is owned by a new
 * group with the given members.
 */
export async function createMailbox(
  context: TandemContext,
  sync: SyncControl,
  ownerId: string,
  input: NewMailbox,
): Promise<string> {
  const { db } = context.store;
  const kind = input.kind ?? 'personal';
  if (kind === 'group' && !input.group)
    throw new TandemError('validation_failed', 'group: a group mailbox needs a name and its members');
  if (kind === 'group' && input.group) await checkMembers(db, input.group.members);
  if (kind === 'personal') {
    const existing = await db
      .selectFrom('mailboxes')
      .select('id')
      .where('owner_user_id', '=', ownerId)
      .where('kind', '=', 'personal')
      .executeTakeFirst();
    if (existing)
      throw new TandemError('mailbox_exists', 'You already have a mailbox: delete it before setting up another one', {
        mailboxId: existing.id,
      });
  }
  const preset = mailboxPreset(input.providerId, input.imap.host, input.address);
  const confirmedByProvider = input.oauthGrantId ? await grantConfirmsAddress(db, input.oauthGrantId) : false;
  // The moment Save was pressed: the sync period starts here, and so does "new mail" in each
  // chosen folder (its UIDNEXT, read right after), as INTERNALDATE has only seconds and may
  // come from a server clock that is behind.
  const now = Date.now();
  const chosen = (folders: ServerFolder[]) =>
    input.folders ??
    folders.filter((f) => f.specialUse && DEFAULT_FOLDER_ROLES.includes(f.specialUse)).map((f) => f.path);
  let server: Awaited<ReturnType<typeof inspectImap>>;
  try {
    server = await inspectImap({ ...input.imap, outbound: context.outbound }, chosen);
    await verifySmtp({ ...input.smtp, outbound: context.outbound });
  } catch (error) {
    throw input.oauthGrantId ? error : withProviderHelp(error, preset);
  }
  const serverFolders = server.folders;

  const wanted = chosen(serverFolders);
  const unknown = wanted.filter((path) => !serverFolders.some((f) => f.path === path));
  if (unknown.length > 0)
    throw new TandemError('validation_failed', `No such folder on the server: ${unknown.join(', ')}`);

  const id = randomUUID();
  const secrets: MailboxSecrets = {
    imapPassword: input.imap.password,
    smtpPassword: input.smtp.password ?? '',
    ...(input.imap.allowInvalidCertificate ? { allowInvalidCertificate: true } : {}),
  };
  await db.transaction().execute(async (trx) => {
    const groupId = kind === 'group' && input.group ? await insertGroup(trx, input.group, now) : null;
    await trx
      .insertInto('mailboxes')
      .values({
        id,
        owner_user_id: ownerId,
        kind,
        group_id: groupId,
        email_to_case: input.group?.emailToCase ? 1 : 0,
        case_token_prefix: input.group?.caseTokenPrefix ?? '#',
        assign_rule: input.group?.assignRule ?? 'manual',
        address: input.address.trim().toLowerCase(),
        display_name: input.displayName ?? null,
        imap_host: input.imap.host,
        imap_port: input.imap.port,
        imap_security: input.imap.security,
        imap_username: input.imap.username,
        smtp_host: input.smtp.host,
        smtp_port: input.smtp.port,
        smtp_security: input.smtp.security,
        smtp_username: input.smtp.username ?? '',
        secrets: context.secrets.sealJson(secrets),
        oauth_grant_id: input.oauthGrantId ?? null,
        address_verified_by: confirmedByProvider ? 'oauth' : null,
        address_verified_at: confirmedByProvider ? now : null,
        provider_id: input.providerId ?? preset?.id ?? null,
        provider_files_sent: preset?.behaviour.filesSentCopy ? 1 : 0,
        sync_period: input.syncPeriod,
        sync_since: syncSince(input.syncPeriod, now),
        mark_incoming_private: input.markIncomingPrivate ? 1 : 0,
        fallback_consent: input.fallbackConsent ? 1 : 0,
        archive_and_create_past: input.archiveAndCreatePast ? 1 : 0,
        state: 'syncing',
        error: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await trx
      .insertInto('folders')
      .values(
        serverFolders.map((f) => ({
          mailbox_id: id,
          path: f.path,
          delimiter: f.delimiter,
          special_use: f.specialUse,
          enabled: wanted.includes(f.path) ? 1 : 0,
          enabled_at: wanted.includes(f.path) ? now : null,
          period_start_uid: server.uidNext.get(f.path) ?? null,
          created_at: now,
        })),
      )
      .execute();
  });
  sync.startMailbox(id);
  return id;
}

export interface MailboxChanges {
  folders?: string[] | undefined;
  markIncomingPrivate?: boolean | undefined;
  fallbackConsent?: boolean | undefined;
  /** Group mailboxes only. */
  emailToCase?: boolean | undefined;
  caseTokenPrefix?: string | undefined;
  assignRule?: AssignRule | undefined;
}

/** Enables exactly the given folders (a newly enabled one syncs within the period) and updates options. */
export async function updateMailbox(
  context: TandemContext,
  sync: SyncControl,
  ownerId: string,
  mailboxId: string,
  changes: MailboxChanges,
): Promise<void> {
  const mailbox = await managedMailbox(context.store.db, ownerId, mailboxId);
  const { db } = context.store;
  if (changes.folders !== undefined) await learnNewFolders(context, mailbox, changes.folders);
  const teamwork = {
    emailToCase: changes.emailToCase,
    caseTokenPrefix: changes.caseTokenPrefix,
    assignRule: changes.assignRule,
  };
  if (mailbox.group_id === null && Object.values(teamwork).some((v) => v !== undefined))
    throw new TandemError('validation_failed', 'emailToCase, caseTokenPrefix and assignRule are for group mailboxes');
  await db.transaction().execute(async (trx) => {
    if (Object.values(teamwork).some((v) => v !== undefined)) {
      await trx
        .updateTable('mailboxes')
        .set({
          ...(changes.emailToCase === undefined ? {} : { email_to_case: changes.emailToCase ? 1 : 0 }),
          ...(changes.caseTokenPrefix === undefined ? {} : { case_token_prefix: changes.caseTokenPrefix }),
          ...(changes.assignRule === undefined ? {} : { assign_rule: changes.assignRule }),
          updated_at: Date.now(),
        })
        .where('id', '=', mailboxId)
        .execute();
    }
    if (changes.markIncomingPrivate !== undefined) {
      await trx
        .updateTable('mailboxes')
        .set({ mark_incoming_private: changes.markIncomingPrivate ? 1 : 0, updated_at: Date.now() })
        .where('id', '=', mailboxId)
        .execute();
    }
    if (changes.fallbackConsent !== undefined) {
      await trx
        .updateTable('mailboxes')
        .set({ fallback_consent: changes.fallbackConsent ? 1 : 0, updated_at: Date.now() })
        .where('id', '=', mailboxId)
        .execute();
    }
    if (changes.folders === undefined) return;
    const wanted = new Set(changes.folders);
    const rows = await trx
      .selectFrom('folders')
      .select(['id', 'path', 'enabled'])
      .where('mailbox_id', '=', mailboxId)
      .execute();
    const unknown = [...wanted].filter((path) => !rows.some((r) => r.path === path));
    if (unknown.length > 0)
      throw new TandemError('validation_failed', `No such folder on the server: ${unknown.join(', ')}`);
    for (const row of rows) {
      const enable = wanted.has(row.path);
      if (enable === (row.enabled === 1)) continue;
      await trx
        .updateTable('folders')
        .set({ enabled: enable ? 1 : 0, enabled_at: enable ? Date.now() : null })
        .where('id', '=', row.id)
        .execute();
      if (!enable) {
        // A disabled folder stops syncing; its messages leave Tandem (they stay on the server).
        const uids = await trx.selectFrom('message_locations').select('uid').where('folder_id', '=', row.id).execute();
        await removeLocations(
          trx,
          row.id,
          uids.map((u) => u.uid),
        );
        await writeCursor(trx, row.id, resetCursor('folder-disabled'));
      }
    }
  });
  if (changes.folders !== undefined) await sync.restartMailbox(mailboxId);
}

/** Folders made on the server since the last look are asked for by path: list the server's folders and add them. */
async function learnNewFolders(
  context: TandemContext,
  mailbox: Selectable<MailboxesTable>,
  paths: string[],
): Promise<void> {
  const { db } = context.store;
  const known = new Set(
    (await db.selectFrom('folders').select('path').where('mailbox_id', '=', mailbox.id).execute()).map((f) => f.path),
  );
  if (paths.every((path) => known.has(path))) return;
  const onServer = await verifyImap(imapSettingsOf(mailbox, context.secrets, db, context.outbound));
  const added = onServer.filter((f) => !known.has(f.path) && paths.includes(f.path));
  if (added.length === 0) return;
  await db
    .insertInto('folders')
    .values(
      added.map((f) => ({
        mailbox_id: mailbox.id,
        path: f.path,
        delimiter: f.delimiter,
        special_use: f.specialUse,
        enabled: 0,
        enabled_at: null,
        created_at: Date.now(),
      })),
    )
    .onConflict((oc) => oc.columns(['mailbox_id', 'path']).doNothing())
    .execute();
}

export async function disconnectMailbox(
  context: TandemContext,
  sync: SyncControl,
  ownerId: string,
  mailboxId: string,
): Promise<void> {
  await managedMailbox(context.store.db, ownerId, mailboxId);
  await context.store.db
    .updateTable('mailboxes')
    .set({ state: 'disconnected', error: null, updated_at: Date.now() })
    .where('id', '=', mailboxId)
    .execute();
  await sync.stopMailbox(mailboxId);
}

export async function connectMailbox(
  context: TandemContext,
  sync: SyncControl,
  ownerId: string,
  mailboxId: string,
): Promise<void> {
  await managedMailbox(context.store.db, ownerId, mailboxId);
  await context.store.db
    .updateTable('mailboxes')
    .set({ state: 'syncing', error: null, updated_at: Date.now() })
    .where('id', '=', mailboxId)
    .execute();
  await sync.restartMailbox(mailboxId);
}

/**
 * Removes the mailbox and every email synced from it (the server keeps its
 * mail), with their record links and comments; its mailroom rules are kept,
 * turned off. deletionSummary gives the counts beforehand.
 */
export async function deleteMailbox(
  context: TandemContext,
  sync: SyncControl,
  ownerId: string,
  mailboxId: string,
): Promise<void> {
  const mailbox = await managedMailbox(context.store.db, ownerId, mailboxId);
  await sync.stopMailbox(mailboxId);
  const { db, dialect } = context.store;
  const blobs = await blobsOf(db, mailboxId);
  await db.transaction().execute(async (trx) => {
    if (dialect === 'sqlite') {
      await sql`delete from messages_fts where rowid in (select id from messages where mailbox_id = ${mailboxId})`.execute(
        trx,
      );
    }
    await keepRulesOf(trx, mailboxId);
    await trx.deleteFrom('mailboxes').where('id', '=', mailboxId).execute();
    if (mailbox.group_id) await removeGroupIfEmpty(trx, mailbox.group_id);
    if (mailbox.oauth_grant_id) await trx.deleteFrom('oauth_grants').where('id', '=', mailbox.oauth_grant_id).execute();
  });
  // The mail's files go too, unless another mailbox holds the same bytes (blobs are shared by content).
  const stillUsed = await blobsInUse(db, [...blobs]);
  for (const key of blobs) if (!stillUsed.has(key)) await context.blobs.delete(key);
}

async function blobsOf(db: TandemContext['store']['db'], mailboxId: string): Promise<Set<string>> {
  const raws = await db.selectFrom('messages').select('raw_blob as key').where('mailbox_id', '=', mailboxId).execute();
  const parts = await db
    .selectFrom('attachments')
    .innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select('attachments.blob_key as key')
    .where('messages.mailbox_id', '=', mailboxId)
    .execute();
  const drafts = await db.selectFrom('drafts').select('raw_blob as key').where('mailbox_id', '=', mailboxId).execute();
  const sends = await db.selectFrom('sends').select('raw_blob as key').where('mailbox_id', '=', mailboxId).execute();
  return new Set([...raws, ...parts, ...drafts, ...sends].map((r) => r.key).filter((key): key is string => !!key));
}

async function blobsInUse(db: TandemContext['store']['db'], keys: string[]): Promise<Set<string>> {
  const used = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    for (const rows of await Promise.all([
      db.selectFrom('messages').select('raw_blob as key').where('raw_blob', 'in', chunk).execute(),
      db.selectFrom('attachments').select('blob_key as key').where('blob_key', 'in', chunk).execute(),
      db.selectFrom('drafts').select('raw_blob as key').where('raw_blob', 'in', chunk).execute(),
      db.selectFrom('sends').select('raw_blob as key').where('raw_blob', 'in', chunk).execute(),
    ])) {
      for (const row of rows) if (row.key) used.add(row.key);
    }
  }
  return used;
}

/** The server's folders right now, marked with whether each is synced. */
export async function serverFolders(context: TandemContext, ownerId: string, mailboxId: string) {
  const row = await managedMailbox(context.store.db, ownerId, mailboxId);
  const folders = await verifyImap(imapSettingsOf(row, context.secrets, context.store.db, context.outbound));
  const enabled = new Set(
    (
      await context.store.db
        .selectFrom('folders')
        .select('path')
        .where('mailbox_id', '=', mailboxId)
        .where('enabled', '=', 1)
        .execute()
    ).map((f) => f.path),
  );
  return folders.map((f) => ({ ...f, enabled: enabled.has(f.path) }));
}

/** Whether the provider's identity named the grant's address (the mailbox's address is the grant's: checked on creation). */
async function grantConfirmsAddress(db: Kysely<Database>, grantId: string): Promise<boolean> {
  const grant = await db
    .selectFrom('oauth_grants')
    .select('address_confirmed')
    .where('id', '=', grantId)
    .executeTakeFirst();
  return grant?.address_confirmed === 1;
}
