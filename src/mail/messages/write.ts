import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database, Dialect } from '../../db/index.ts';
import type { MailAddress, ParsedAttachment, ParsedMessage } from '../mime/index.ts';
import { refersToPrivate } from './privacy.ts';
import { indexMessage, unindexMessages } from './search-query.ts';
import { stableKeyFor } from './stable-key.ts';

/** An attachment as stored: its bytes are in the blob store under `blobKey`. */
export type StoredAttachment = Omit<ParsedAttachment, 'content'> & { blobKey: string };

/** A parsed message whose attachment bytes are already in the blob store. */
export type StoredParse = Omit<ParsedMessage, 'attachments'> & { attachments: StoredAttachment[] };

export interface IncomingMessage {
  mailboxId: string;
  parsed: StoredParse;
  /** Blob key (sha256) of the raw source, already stored. */
  rawBlob: string;
  size: number;
  internalDate: Date | null;
  emailId?: string | undefined;
  /** A provider's own thread id (Gmail's X-GM-THRID), used as is when present. */
  providerThreadId?: string | undefined;
  /** Private from the start (a "mark incoming private" mailbox); a reply to a private email is private whatever this says. */
  private: boolean;
  /**
   * Set by the header pass: `parsed` holds the envelope only, the body is read
   * later by the indexer (storeBody). The message is listed, not yet indexed.
   */
  listedOnly?: { hasAttachments: boolean };
}

/**
 * Stores a message once per stable identity: when the same email is already
 * known (moved, re-uploaded, UIDVALIDITY reset) its id is reused, so record
 * links, comments and privacy stay attached. Returns the message id.
 */
export async function upsertMessage(
  trx: Kysely<Database>,
  dialect: Dialect,
  input: IncomingMessage,
): Promise<{ id: number; created: boolean }> {
  const { parsed } = input;
  const stableKey = stableKeyFor({
    emailId: input.emailId,
    messageId: parsed.messageId,
    date: parsed.date,
    size: input.size,
    rawHash: input.rawBlob,
  });
  const existing = await trx
    .selectFrom('messages')
    .select('id')
    .where('mailbox_id', '=', input.mailboxId)
    .where('stable_key', '=', stableKey)
    .executeTakeFirst();
  if (existing) return { id: existing.id, created: false };

  const date = (parsed.date ?? input.internalDate ?? new Date()).getTime();
  const isPrivate = input.private || (await refersToPrivate(trx, input.mailboxId, parsed));
  const { id } = await trx
    .insertInto('messages')
    .values({
      mailbox_id: input.mailboxId,
      stable_key: stableKey,
      message_id: parsed.messageId,
      in_reply_to: parsed.inReplyTo,
      references: JSON.stringify(parsed.references),
      thread_id: await threadFor(trx, input),
      subject: parsed.subject,
      from_name: parsed.from?.name || null,
      from_address: parsed.from?.address || null,
      to_json: JSON.stringify(parsed.to),
      cc_json: JSON.stringify(parsed.cc),
      bcc_json: JSON.stringify(parsed.bcc),
      reply_to_json: JSON.stringify(parsed.replyTo),
      date,
      size: input.size,
      snippet: parsed.snippet,
      body_text: parsed.text,
      body_html: parsed.html,
      has_attachments: (input.listedOnly?.hasAttachments ?? parsed.attachments.some((a) => !a.inline)) ? 1 : 0,
      raw_blob: input.rawBlob,
      private: isPrivate ? 1 : 0,
      headers_json: JSON.stringify(parsed.headers),
      problems_json: JSON.stringify(parsed.problems),
      orphaned_at: null,
      created_at: Date.now(),
      indexed: input.listedOnly ? 0 : 1,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (!input.listedOnly) await storeContent(trx, dialect, id, parsed);
  return { id, created: true };
}

/**
 * The indexer's write: the body of a message the header pass listed (text,
 * sanitized HTML, snippet, attachments, full-text index). Only the first
 * writer of a message's body stores it — the update is conditional on the
 * message not being indexed yet — so the background indexer and an on-demand
 * index (a message opened before its turn) never store it twice. Returns
 * whether this call stored it.
 */
export async function storeBody(
  trx: Kysely<Database>,
  dialect: Dialect,
  id: number,
  parsed: StoredParse,
): Promise<boolean> {
  const result = await trx
    .updateTable('messages')
    .set({
      snippet: parsed.snippet,
      body_text: parsed.text,
      body_html: parsed.html,
      has_attachments: parsed.attachments.some((a) => !a.inline) ? 1 : 0,
      problems_json: JSON.stringify(parsed.problems),
      indexed: 1,
    })
    .where('id', '=', id)
    .where('indexed', '=', 0)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await storeContent(trx, dialect, id, parsed);
  return true;
}

/** A message's attachments and full-text entry, written once, when its body is read. */
async function storeContent(trx: Kysely<Database>, dialect: Dialect, id: number, parsed: StoredParse): Promise<void> {
  if (parsed.attachments.length > 0) {
    await trx
      .insertInto('attachments')
      .values(
        parsed.attachments.map((a) => ({
          message_id: id,
          filename: a.filename,
          content_type: a.contentType,
          size: a.size,
          content_id: a.contentId,
          inline: a.inline ? 1 : 0,
          blob_key: a.blobKey,
        })),
      )
      .execute();
  }
  const participants = [parsed.from, ...parsed.to, ...parsed.cc].filter((a): a is MailAddress => a !== null);
  await indexMessage(trx, dialect, id, {
    subject: parsed.subject,
    participants: participants.map((a) => `${a.name} ${a.address}`).join(' '),
    // Attachment names are found like the words of the body.
    body: [
      parsed.text,
      ...parsed.attachments.flatMap((a) => (a.filename && !a.inline ? [searchableName(a.filename)] : [])),
    ].join('\n'),
  });
}

/** A file name as written and as its words ("q3-offer.pdf q3 offer pdf"), so either way of typing it finds it. */
function searchableName(filename: string): string {
  return `${filename} ${filename.replace(/[^\p{L}\p{N}]+/gu, ' ')}`;
}

/**
 * A thread is named after its root: the thread of any referenced message we
 * already have, else a hash of the first References id (or In-Reply-To, or the
 * message's own id), so replies that arrive before their parent still group.
 */
async function threadFor(trx: Kysely<Database>, input: IncomingMessage): Promise<string> {
  if (input.providerThreadId) return `p:${input.providerThreadId}`;
  const { parsed } = input;
  const related = [...parsed.references, parsed.inReplyTo].filter((id): id is string => !!id);
  if (related.length > 0) {
    const parent = await trx
      .selectFrom('messages')
      .select('thread_id')
      .where('mailbox_id', '=', input.mailboxId)
      .where('message_id', 'in', related)
      .executeTakeFirst();
    if (parent) return parent.thread_id;
  }
  const root = parsed.references[0] ?? parsed.inReplyTo ?? parsed.messageId;
  return root ? `h:${createHash('sha256').update(root).digest('hex').slice(0, 32)}` : `u:${randomUUID()}`;
}

export interface LocationInput {
  messageId: number;
  mailboxId: string;
  folderId: number;
  uidValidity: number;
  uid: number;
  flags: string[];
  modseq: string | null;
  date: number;
  /** False for a message created in the same transaction: it cannot be an orphan, so no update is needed. */
  orphanable?: boolean;
}

/** Records that a message sits at (folder, uidValidity, uid); a second record of the same place is ignored. */
export async function addLocation(trx: Kysely<Database>, input: LocationInput): Promise<void> {
  await trx
    .insertInto('message_locations')
    .values({
      message_id: input.messageId,
      mailbox_id: input.mailboxId,
      folder_id: input.folderId,
      uid_validity: input.uidValidity,
      uid: input.uid,
      ...flagColumns(input.flags),
      modseq: input.modseq,
      date: input.date,
    })
    .onConflict((oc) => oc.columns(['folder_id', 'uid_validity', 'uid']).doNothing())
    .execute();
  if (input.orphanable === false) return;
  await trx
    .updateTable('messages')
    .set({ orphaned_at: null })
    .where('id', '=', input.messageId)
    .where('orphaned_at', 'is not', null)
    .execute();
}

export function flagColumns(flags: Iterable<string>): { flags: string; seen: 0 | 1; flagged: 0 | 1 } {
  // \Recent is a per-session flag (RFC 3501 §2.3.2), not part of the message's state.
  const sorted = [...new Set(flags)].filter((f) => f !== '\\Recent').sort();
  return {
    flags: JSON.stringify(sorted),
    seen: sorted.includes('\\Seen') ? 1 : 0,
    flagged: sorted.includes('\\Flagged') ? 1 : 0,
  };
}

/**
 * Forgets the given UIDs of a folder. A message left in no folder is marked
 * orphaned rather than deleted at once: if it turns up in another folder (a
 * move made in another mail app) it keeps its id; otherwise it is purged.
 */
export async function removeLocations(trx: Kysely<Database>, folderId: number, uids: number[]): Promise<number> {
  if (uids.length === 0) return 0;
  let removed = 0;
  for (let i = 0; i < uids.length; i += 500) {
    const chunk = uids.slice(i, i + 500);
    const rows = await trx
      .selectFrom('message_locations')
      .select('message_id')
      .where('folder_id', '=', folderId)
      .where('uid', 'in', chunk)
      .execute();
    await trx.deleteFrom('message_locations').where('folder_id', '=', folderId).where('uid', 'in', chunk).execute();
    removed += rows.length;
    const messageIds = [...new Set(rows.map((r) => r.message_id))];
    if (messageIds.length === 0) continue;
    await trx
      .updateTable('messages')
      .set({ orphaned_at: Date.now() })
      .where('id', 'in', messageIds)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('message_locations').select('id').whereRef('message_locations.message_id', '=', 'messages.id'),
          ),
        ),
      )
      .execute();
  }
  return removed;
}

/** Forgets one location (by id); its message, if then in no folder, is an orphan like in removeLocations. */
export async function removeLocationById(trx: Kysely<Database>, locationId: number): Promise<void> {
  const row = await trx
    .selectFrom('message_locations')
    .select('message_id')
    .where('id', '=', locationId)
    .executeTakeFirst();
  if (!row) return;
  await trx.deleteFrom('message_locations').where('id', '=', locationId).execute();
  await orphanIfNowhere(trx, trx.selectFrom('messages').select('id').where('id', '=', row.message_id));
}

/**
 * The repair a full check makes: a message in no folder that is not marked
 * orphaned would stay invisible forever (every read skips it, the purge too).
 * It is marked: the sync finds it again in a folder, or it is purged.
 */
export async function orphanLostMessages(trx: Kysely<Database>, mailboxId: string): Promise<number> {
  return orphanIfNowhere(
    trx,
    trx.selectFrom('messages').select('id').where('mailbox_id', '=', mailboxId).where('orphaned_at', 'is', null),
  );
}

async function orphanIfNowhere(
  trx: Kysely<Database>,
  candidates: SelectQueryBuilder<Database, 'messages', { id: number }>,
): Promise<number> {
  const result = await trx
    .updateTable('messages')
    .set({ orphaned_at: Date.now() })
    .where('id', 'in', candidates)
    .where('orphaned_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('message_locations').select('id').whereRef('message_locations.message_id', '=', 'messages.id'),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes messages that have been in no folder since before `orphanedBefore`. */
export async function purgeOrphans(
  trx: Kysely<Database>,
  dialect: Dialect,
  mailboxId: string,
  orphanedBefore: number,
): Promise<number> {
  const rows = await trx
    .selectFrom('messages')
    .select('id')
    .where('mailbox_id', '=', mailboxId)
    .where('orphaned_at', 'is not', null)
    .where('orphaned_at', '<', orphanedBefore)
    .execute();
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return 0;
  await unindexMessages(trx, dialect, ids);
  await trx.deleteFrom('messages').where('id', 'in', ids).execute();
  return ids.length;
}

/** Number of messages stored in a folder, for progress. */
export async function countStored(trx: Kysely<Database>, folderId: number): Promise<number> {
  const row = await trx
    .selectFrom('message_locations')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('folder_id', '=', folderId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
