// Mailboxes, folders and stored messages written straight into a test store, for
// API tests of what is read from it (no mail server involved).
import { randomUUID } from 'node:crypto';
import type { Dialect } from '../../src/db/index.ts';
import { addLocation, upsertMessage } from '../../src/mail/messages/index.ts';
import { prepareMessage } from '../../src/mail/sync/prepare.ts';
import type { TestApi } from './api.ts';

/** A mailbox row of `ownerUserId` with placeholder servers. */
export async function fixtureMailbox(
  api: TestApi,
  ownerUserId: string,
  address: string,
  kind: 'personal' | 'group' = 'personal',
): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await api.context.store.db
    .insertInto('mailboxes')
    .values({
      id,
      owner_user_id: ownerUserId,
      kind,
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
      archive_and_create_past: 0,
      state: 'idle',
      error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export async function fixtureFolder(api: TestApi, mailboxId: string, path: string): Promise<number> {
  const row = await api.context.store.db
    .insertInto('folders')
    .values({
      mailbox_id: mailboxId,
      path,
      delimiter: '/',
      special_use: null,
      enabled: 1,
      enabled_at: 0,
      uid_validity: 1,
      uid_next: 1,
      highest_modseq: null,
      first_sync_low_uid: null,
      last_full_check_at: null,
      created_at: Date.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

let uid = 0;

/** Stores a raw message as the sync would, at a new UID in the folder; returns its row id and UID. */
export async function fixtureMessage(
  api: TestApi,
  dialect: Dialect,
  at: { mailboxId: string; folderId: number },
  source: Buffer,
  options: { private?: boolean; flags?: string[] } = {},
): Promise<{ id: number; uid: number }> {
  const { db } = api.context.store;
  const { parsed, rawBlob } = await prepareMessage(source, api.context.blobs);
  const { id } = await upsertMessage(db, dialect, {
    mailboxId: at.mailboxId,
    parsed,
    rawBlob,
    size: source.length,
    internalDate: null,
    private: options.private ?? false,
  });
  uid += 1;
  await addLocation(db, {
    messageId: id,
    mailboxId: at.mailboxId,
    folderId: at.folderId,
    uidValidity: 1,
    uid,
    flags: options.flags ?? [],
    modseq: null,
    date: (parsed.date ?? new Date()).getTime(),
  });
  return { id, uid };
}

/** A small RFC 5322 message with CRLF line ends; extra headers and a MIME body through `head`/`body`. */
export function fixtureRaw(o: {
  subject: string;
  date: string;
  from?: string;
  to?: string;
  messageId?: string;
  inReplyTo?: string;
  head?: string;
  body: string;
}): Buffer {
  const lines = [
    `From: ${o.from ?? 'Sender <sender@example.test>'}`,
    `To: ${o.to ?? 'Alice <alice@example.test>'}`,
    `Subject: ${o.subject}`,
    `Date: ${o.date}`,
    `Message-ID: <${o.messageId ?? `${randomUUID()}@example.test`}>`,
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`, `References: <${o.inReplyTo}>`] : []),
    'MIME-Version: 1.0',
    o.head ?? 'Content-Type: text/plain; charset=utf-8',
    '',
    o.body,
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
