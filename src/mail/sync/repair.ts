import { searchUids } from '../imap/index.ts';
import { orphanLostMessages } from '../messages/write.ts';
import type { FolderRow, MailboxRun } from '../run/index.ts';
import { fetchPrepared, storeBatch } from './ingest.ts';

/** How many lost messages one full check looks for on the server. */
const REPAIR_LIMIT = 100;

/**
 * Part of every full check (docs/sync.md invariant 15). A message in no folder
 * that is not marked orphaned would stay invisible forever: every read skips
 * it, and the purge only takes orphans. A fault can leave one (a location
 * removed by a command whose result was applied too late). Each is looked for
 * in the synced folders by its Message-ID and stored there again (it keeps its
 * id: the stable key matches); the rest are marked orphans, purged after the grace time.
 */
export async function repairLostMessages(run: MailboxRun, folders: FolderRow[]): Promise<void> {
  const lost = await run.db
    .selectFrom('messages')
    .select(['id', 'message_id'])
    .where('mailbox_id', '=', run.mailbox.id)
    .where('orphaned_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('message_locations').select('id').whereRef('message_locations.message_id', '=', 'messages.id'),
        ),
      ),
    )
    .limit(REPAIR_LIMIT)
    .execute();
  if (lost.length === 0) return;
  const messageIds = lost.flatMap((m) => (m.message_id ? [m.message_id] : []));
  for (const folder of folders) {
    if (folder.uid_validity === null || messageIds.length === 0) continue;
    const box = await run.client.mailboxOpen(folder.path, { readOnly: true });
    if (Number(box.uidValidity) !== folder.uid_validity) continue; // the folder sync resets it first
    const found = new Set<number>();
    for (const messageId of messageIds) {
      for (const uid of await searchUids(run.client, { header: { 'message-id': messageId } })) found.add(uid);
    }
    const stored = new Set(
      found.size === 0
        ? []
        : (
            await run.db
              .selectFrom('message_locations')
              .select('uid')
              .where('folder_id', '=', folder.id)
              .where('uid_validity', '=', folder.uid_validity)
              .where('uid', 'in', [...found])
              .execute()
          ).map((r) => r.uid),
    );
    const missing = [...found].filter((uid) => !stored.has(uid));
    if (missing.length === 0) continue;
    // Below the cursor: stored where they are, the cursor stays.
    await storeBatch(run, folder, folder.uid_validity, await fetchPrepared(run, missing), async () => undefined);
  }
  const orphaned = await run.write((trx) => orphanLostMessages(trx, run.mailbox.id));
  run.logger.warn(
    { mailboxId: run.mailbox.id, lost: lost.length, foundAgain: lost.length - orphaned, orphaned },
    'messages in no folder were found again or marked as orphans',
  );
}
