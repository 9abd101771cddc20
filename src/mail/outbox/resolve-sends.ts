import type { ImapFlow } from 'imapflow';
import { classifyImapError, searchUids } from '../imap/index.ts';
import { TANDEM_ID_HEADER } from '../mime/index.ts';
import type { MailboxRun } from '../run/index.ts';
import { enqueueOp } from './ops.ts';
import { roleFolderPath } from './role-folder.ts';

/** An uncertain send is looked for this long; after that it stays uncertain for the user to judge. */
export const RESOLVE_SENDS_FOR_MS = 7 * 24 * 3600_000;

interface UncertainSend {
  id: string;
  message_id: string;
  raw_blob: string;
}

/**
 * Settles the mailbox's `uncertain` sends (the connection was lost after the
 * whole message went, or Tandem stopped between the server's acceptance and
 * recording it) by looking for the message: a copy in the server's Sent folder
 * (its X-Tandem-Id or Message-ID) means it went and is filed; a copy in any
 * folder Tandem syncs (the recipient is a mailbox connected here, or the sender
 * itself) means it went, and its Sent copy is queued — once: the send leaves
 * `uncertain` in the same transaction, and the append finds a copy made before a
 * crash. A send found nowhere stays uncertain. Returns how many were settled.
 */
export async function resolveUncertainSends(run: MailboxRun, now = Date.now()): Promise<number> {
  const sends = await run.db
    .selectFrom('sends')
    .select(['id', 'message_id', 'raw_blob'])
    .where('mailbox_id', '=', run.mailbox.id)
    .where('state', '=', 'uncertain')
    .where('created_at', '>', now - RESOLVE_SENDS_FOR_MS)
    .execute();
  let settled = 0;
  for (const send of sends) {
    const filed = await filedInSent(run, send);
    if (!filed && !(await seenDelivered(run, send.message_id))) continue;
    const fileCopy = !filed && run.mailbox.provider_files_sent !== 1;
    const changed = await run.write(async (trx) => {
      const result = await trx
        .updateTable('sends')
        .set({ state: 'sent', error: null, updated_at: Date.now() })
        .where('id', '=', send.id)
        .where('state', '=', 'uncertain')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      if (fileCopy) {
        await enqueueOp(trx, {
          mailboxId: run.mailbox.id,
          messageId: null,
          locationId: null,
          kind: 'append_sent',
          payload: { sendId: send.id, rawBlob: send.raw_blob },
        });
      }
      return true;
    });
    if (changed) {
      settled += 1;
      run.logger.info({ mailboxId: run.mailbox.id, sendId: send.id, filed }, 'an uncertain send was found delivered');
    }
  }
  return settled;
}

/** A copy in the folder with the \Sent role; false when there is none, or the server refuses it (looking creates nothing). */
async function filedInSent(run: MailboxRun, send: UncertainSend): Promise<boolean> {
  const path = await roleFolderPath(run, '\\Sent');
  if (path === null) return false;
  try {
    if (run.client.mailbox === false || run.client.mailbox.path !== path) {
      await run.client.mailboxOpen(path, { readOnly: true });
    }
  } catch (error) {
    if (classifyImapError(error).refusedByServer) return false;
    throw error;
  }
  return hasCopyOfSend(run.client, send.id, send.message_id);
}

/**
 * Whether the selected folder holds a copy of the send: by its X-Tandem-Id, or
 * by its Message-ID (a provider that files its own copy may drop unknown headers).
 */
export async function hasCopyOfSend(client: ImapFlow, sendId: string, messageId: string): Promise<boolean> {
  if ((await searchUids(client, { header: { [TANDEM_ID_HEADER]: sendId } })).length > 0) return true;
  return (await searchUids(client, { header: { 'Message-ID': messageId } })).length > 0;
}

/** A copy Tandem synced from any mailbox's folder other than Drafts: the message reached someone. */
async function seenDelivered(run: MailboxRun, messageId: string): Promise<boolean> {
  const row = await run.db
    .selectFrom('messages')
    .innerJoin('message_locations', 'message_locations.message_id', 'messages.id')
    .innerJoin('folders', 'folders.id', 'message_locations.folder_id')
    .select('messages.id')
    .where('messages.message_id', '=', messageId)
    .where('message_locations.uid', '>', 0)
    .where((eb) => eb.or([eb('folders.special_use', 'is', null), eb('folders.special_use', '!=', '\\Drafts')]))
    .executeTakeFirst();
  return row !== undefined;
}
