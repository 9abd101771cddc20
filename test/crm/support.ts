import { randomUUID } from 'node:crypto';
import type { Dialect } from '../../src/db/index.ts';
import { onMessagesStored } from '../../src/crm/index.ts';
import { addLocation, upsertMessage } from '../../src/mail/messages/index.ts';
import { prepareMessage } from '../../src/mail/sync/prepare.ts';
import type { TestApi } from '../support/api.ts';

/** A mailbox row without a server behind it: the CRM tests store mail themselves, as the sync would. */
export async function insertMailbox(
  api: TestApi,
  ownerUserId: string,
  address: string,
  options: { archiveAndCreatePast?: boolean } = {},
): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await api.context.store.db
    .insertInto('mailboxes')
    .values({
      id,
      owner_user_id: ownerUserId,
      kind: 'personal',
      address,
      display_name: null,
      imap_host: 'imap.example.test',
      imap_port: 993,
      imap_security: 'tls',
      imap_username: address,
      smtp_host: 'smtp.example.test',
      smtp_port: 465,
      smtp_security: 'tls',
      smtp_username: address,
      secrets: api.context.secrets.sealJson({}),
      sync_period: '1m',
      sync_since: 0,
      mark_incoming_private: 0,
      fallback_consent: 0,
      archive_and_create_past: options.archiveAndCreatePast ? 1 : 0,
      state: 'idle',
      error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export async function insertFolder(
  api: TestApi,
  mailboxId: string,
  path: string,
  firstSyncLowUid: number | null = null,
  specialUse: string | null = null,
): Promise<number> {
  const row = await api.context.store.db
    .insertInto('folders')
    .values({
      mailbox_id: mailboxId,
      path,
      delimiter: '/',
      special_use: specialUse,
      enabled: 1,
      enabled_at: 0,
      uid_validity: 1,
      uid_next: 1,
      highest_modseq: null,
      first_sync_low_uid: firstSyncLowUid,
      last_full_check_at: null,
      created_at: Date.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function rawEmail(o: {
  from: string;
  to?: string;
  cc?: string;
  bcc?: string;
  subject: string;
  body?: string;
  date?: Date;
  attachment?: boolean;
  messageId?: string;
  inReplyTo?: string;
  /** Extra header lines, as written. */
  headers?: string[];
}): Buffer {
  const boundary = 'b-crm';
  const head = [
    `From: ${o.from}`,
    `To: ${o.to ?? 'alice@example.test'}`,
    ...(o.cc ? [`Cc: ${o.cc}`] : []),
    ...(o.bcc ? [`Bcc: ${o.bcc}`] : []),
    `Subject: ${o.subject}`,
    `Date: ${(o.date ?? new Date()).toUTCString()}`,
    `Message-ID: <${o.messageId ?? `${randomUUID()}@example.test`}>`,
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`, `References: <${o.inReplyTo}>`] : []),
    ...(o.headers ?? []),
    'MIME-Version: 1.0',
  ];
  const body = o.attachment
    ? [
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain',
        '',
        o.body ?? o.subject,
        `--${boundary}`,
        'Content-Type: text/plain',
        'Content-Disposition: attachment; filename="secret.txt"',
        '',
        'attached secret',
        `--${boundary}--`,
        '',
      ]
    : ['Content-Type: text/plain; charset=utf-8', '', o.body ?? `Body of ${o.subject}`];
  return Buffer.from([...head, ...body].join('\r\n'), 'utf8');
}

let uid = 1000;

/** Stores one email the way the sync's storeBatch does, CRM hook included; returns its API id. */
export async function storeEmail(
  api: TestApi,
  dialect: Dialect,
  at: { mailboxId: string; folderId: number },
  source: Buffer,
  options: { private?: boolean; uid?: number } = {},
): Promise<string> {
  const { db } = api.context.store;
  const { parsed, rawBlob } = await prepareMessage(source, api.context.blobs);
  const mailbox = await db.selectFrom('mailboxes').selectAll().where('id', '=', at.mailboxId).executeTakeFirstOrThrow();
  const folder = await db.selectFrom('folders').selectAll().where('id', '=', at.folderId).executeTakeFirstOrThrow();
  uid += 1;
  const messageUid = options.uid ?? uid;
  return db.transaction().execute(async (trx) => {
    const { id, created } = await upsertMessage(trx, dialect, {
      mailboxId: at.mailboxId,
      parsed,
      rawBlob,
      size: source.length,
      internalDate: null,
      private: options.private ?? false,
    });
    await addLocation(trx, {
      messageId: id,
      mailboxId: at.mailboxId,
      folderId: at.folderId,
      uidValidity: 1,
      uid: messageUid,
      flags: [],
      modseq: null,
      date: (parsed.date ?? new Date()).getTime(),
    });
    await onMessagesStored(trx, { mailbox, folder, messages: [{ id, created, uid: messageUid }] });
    return String(id);
  });
}

/** A group mailbox row owned by a new group with these members (no server behind it, like insertMailbox). */
export async function insertGroupMailbox(
  api: TestApi,
  creatorId: string,
  address: string,
  group: {
    name: string;
    members: { userId: string; canManage?: boolean; available?: boolean }[];
    emailToCase?: boolean;
    assignRule?: 'manual' | 'round_robin';
    caseTokenPrefix?: string;
  },
): Promise<string> {
  const { db } = api.context.store;
  const id = await insertMailbox(api, creatorId, address);
  const groupId = randomUUID();
  const now = Date.now();
  await db.insertInto('groups').values({ id: groupId, name: group.name, created_at: now }).execute();
  if (group.members.length > 0)
    await db
      .insertInto('group_members')
      .values(
        group.members.map((m) => ({
          group_id: groupId,
          user_id: m.userId,
          can_manage: m.canManage ? 1 : 0,
          available: m.available === false ? 0 : 1,
          created_at: now,
        })),
      )
      .execute();
  await db
    .updateTable('mailboxes')
    .set({
      kind: 'group',
      group_id: groupId,
      email_to_case: group.emailToCase ? 1 : 0,
      assign_rule: group.assignRule ?? 'manual',
      case_token_prefix: group.caseTokenPrefix ?? '#',
    })
    .where('id', '=', id)
    .execute();
  return id;
}
