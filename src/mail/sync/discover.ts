import { listServerFolders } from '../imap/index.ts';
import type { ServerFolder } from '../imap/index.ts';
import { removeLocations } from '../messages/write.ts';
import type { MailboxRun } from '../run/index.ts';

/**
 * Matches the folder rows to the server's folders: new server folders are
 * added (not synced until the user enables them), folders gone from the
 * server are dropped and their messages orphaned (they re-attach if they turn
 * up elsewhere). Folder identity is the path, never UIDVALIDITY.
 */
export async function refreshFolders(run: MailboxRun): Promise<ServerFolder[]> {
  const server = (await listServerFolders(run.client)).filter((f) => f.selectable);
  const rows = await run.db
    .selectFrom('folders')
    .select(['id', 'path'])
    .where('mailbox_id', '=', run.mailbox.id)
    .execute();
  const known = new Set(rows.map((r) => r.path));
  const onServer = new Set(server.map((f) => f.path));
  const added = server.filter((f) => !known.has(f.path));
  const gone = rows.filter((r) => !onServer.has(r.path));
  if (added.length === 0 && gone.length === 0) return server;
  await run.write(async (trx) => {
    for (const folder of added) {
      await trx
        .insertInto('folders')
        .values({
          mailbox_id: run.mailbox.id,
          path: folder.path,
          delimiter: folder.delimiter,
          special_use: folder.specialUse,
          enabled: 0,
          enabled_at: null,
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.columns(['mailbox_id', 'path']).doNothing())
        .execute();
    }
    for (const folder of gone) {
      const uids = await trx.selectFrom('message_locations').select('uid').where('folder_id', '=', folder.id).execute();
      await removeLocations(
        trx,
        folder.id,
        uids.map((u) => u.uid),
      );
      await trx.deleteFrom('folders').where('id', '=', folder.id).execute();
    }
  });
  return server;
}
