import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { addFlags, appendMessage, expungeUids, searchUids } from '../imap/index.ts';
import { TANDEM_ID_HEADER } from '../mime/index.ts';
import type { MailboxRun } from '../run/index.ts';
import type { OpPayload } from './ops.ts';
import { openRoleFolder } from './role-folder.ts';

/**
 * Puts the draft's current version in the server's Drafts folder exactly once
 * and removes the version it replaces, so one version is live. A later
 * version queued behind this op makes it a no-op (that op saves the newest).
 * Returns the finishing step to run in the op's transaction.
 */
export async function saveDraftOnServer(
  run: MailboxRun,
  p: OpPayload<'save_draft'>,
): Promise<(trx: Kysely<Database>) => Promise<void>> {
  const draft = await run.db.selectFrom('drafts').selectAll().where('id', '=', p.draftId).executeTakeFirst();
  // A draft stays in its folder (a sub-folder of Drafts for one written there in the mail app).
  const box = await openRoleFolder(run, '\\Drafts', draft?.folder_path ?? null, false);
  const folder = { path: box.path };
  const client = run.client;
  const uidValidity = Number(box.uidValidity);
  if (!draft || draft.version_id !== p.versionId) {
    // Superseded (or deleted): this version must not stay live, even if a crash left it APPENDed unrecorded.
    await expungeVersion(run, folder.path, p.versionId);
    return async () => undefined;
  }
  // A crash after the APPEND but before it was recorded: the version is already there.
  // A refused SEARCH throws: read as "not there", it would save the version twice.
  let uid = (await searchUids(client, { header: { [TANDEM_ID_HEADER]: p.versionId } }))[0];
  if (uid === undefined) {
    run.lease.assertFresh();
    const appended = await appendMessage(client, folder.path, await run.blobs.get(draft.raw_blob), [
      '\\Draft',
      '\\Seen',
    ]);
    uid = appended.uid ?? (await searchUids(client, { header: { [TANDEM_ID_HEADER]: p.versionId } }))[0];
  }
  const previous =
    draft.uid !== null && draft.folder_path === folder.path && draft.uid_validity === uidValidity && draft.uid !== uid
      ? draft.uid
      : null;
  // The new version is safe on the server; a previous one the server will not remove stays, and is logged.
  if (previous !== null)
    await removeUids(run, String(previous)).catch((error: unknown) =>
      run.logger.warn({ err: error, folder: folder.path }, 'the previous draft version could not be removed'),
    );
  return async (trx) => {
    // Where the live version is, even if a newer one was queued meanwhile (its op replaces this one).
    await trx
      .updateTable('drafts')
      .set({ folder_path: folder.path, uid_validity: uidValidity, uid: uid ?? null, updated_at: Date.now() })
      .where('id', '=', draft.id)
      .execute();
    await trx
      .updateTable('drafts')
      .set({ state: 'saved' })
      .where('id', '=', draft.id)
      .where('version_id', '=', p.versionId)
      .execute();
  };
}

/** Removes every copy of one version (found by its X-Tandem-Id) from the selected folder. */
async function expungeVersion(run: MailboxRun, path: string, versionId: string): Promise<void> {
  const client = run.client;
  const found = await searchUids(client, { header: { [TANDEM_ID_HEADER]: versionId } });
  if (found.length === 0) return;
  await removeUids(run, found.join(',')).catch((error: unknown) =>
    run.logger.warn({ err: error, folder: path }, 'a superseded draft version could not be removed'),
  );
}

/** \\Deleted, then UID EXPUNGE of those UIDs only where the server has UIDPLUS (docs/sync.md invariant 7). */
async function removeUids(run: MailboxRun, uids: string): Promise<void> {
  run.lease.assertFresh();
  await addFlags(run.client, uids, ['\\Deleted']);
  if (run.client.capabilities.has('UIDPLUS')) await expungeUids(run.client, uids);
}
