import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import type { MailAddress } from '../mail/mime/index.ts';
import type { StoredBatch } from '../mail/run/index.ts';
import { autoLink, storeParticipants } from './links/match.ts';
import { resolvePendingLinks } from './links/pending.ts';
import { notifyReplies } from './notifications.ts';
import { applyRules, runWaitingRules } from './rules/run.ts';
import { fileConversations } from './conversations/file.ts';

/**
 * The CRM's part of storing synced mail, run inside the transaction that
 * stores a batch: emails seen for the first time are linked to their records
 * (and to a record a reply from it asked for), then the mailroom rules run
 * on those that newly arrived. Past emails fetched by a folder's first sync
 * (UIDs below the folder's first-sync low mark) get the rules only when the
 * mailbox's "archive and create" option is on; since only emails stored for
 * the first time are considered, that happens once and never again. In a
 * group mailbox the emails are filed into conversations (and cases) instead.
 * Drafts are not filed to records.
 */
export async function onMessagesStored(trx: Kysely<Database>, batch: StoredBatch): Promise<void> {
  if (batch.folder.special_use === '\\Drafts') return;
  const fresh = batch.messages.filter((m) => m.created);
  if (fresh.length === 0) return;
  const ids = fresh.map((m) => m.id);
  const rows = await trx
    .selectFrom('messages')
    .select(['id', 'message_id', 'from_address', 'to_json', 'cc_json'])
    .where('id', 'in', ids)
    .execute();
  await storeParticipants(
    trx,
    rows.map((r) => ({
      messageId: r.id,
      addresses: [r.from_address ?? '', ...addresses(r.to_json), ...addresses(r.cc_json)],
    })),
  );
  await resolvePendingLinks(
    trx,
    batch.mailbox.id,
    rows.map((r) => ({ id: r.id, messageId: r.message_id })),
  );
  await autoLink(trx, ids);
  await fileConversations(trx, batch);
  // Mailroom rules and reply notices are each user's own, for their personal mailbox's mail only.
  if (batch.mailbox.group_id !== null) return;
  await notifyReplies(trx, batch.mailbox, ids);
  const low = batch.folder.first_sync_low_uid;
  const isPast = (uid: number) => low !== null && uid < low;
  const ruled = fresh.filter((m) => !isPast(m.uid) || batch.mailbox.archive_and_create_past === 1);
  await applyRules(
    trx,
    batch.mailbox,
    batch.folder.path,
    ruled.map((m) => m.id),
  );
}

function addresses(json: string): string[] {
  try {
    return (JSON.parse(json) as MailAddress[]).map((a) => a.address);
  } catch {
    return [];
  }
}

/** The CRM's part of the indexer's batches (hooks.onIndexed): mailroom rules that waited for a body. */
export async function onMessagesIndexed(trx: Kysely<Database>, mailbox: StoredBatch['mailbox']): Promise<void> {
  if (mailbox.group_id !== null) return;
  await runWaitingRules(trx, mailbox);
}
