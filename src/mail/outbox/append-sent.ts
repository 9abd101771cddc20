import { appendMessage, searchUids } from '../imap/index.ts';
import { TANDEM_ID_HEADER } from '../mime/index.ts';
import type { MailboxRun } from '../run/index.ts';
import type { OpPayload } from './ops.ts';
import { openRoleFolder } from './role-folder.ts';

/**
 * Files a sent message in the server's Sent folder exactly once
 * (docs/sync.md invariant 6): a copy APPENDed before a crash, whose op was
 * not yet marked done, is found again by its X-Tandem-Id and not appended twice.
 * The folder sync then picks the copy up like any other new message.
 */
export async function appendSent(run: MailboxRun, p: OpPayload<'append_sent'>): Promise<void> {
  const mailbox = await run.db
    .selectFrom('mailboxes')
    .select('provider_files_sent')
    .where('id', '=', run.mailbox.id)
    .executeTakeFirst();
  if (mailbox?.provider_files_sent === 1) return; // the provider keeps its own copy
  // Read-write: Courier IMAP refuses an APPEND to the folder the session has EXAMINEd
  // ("Current box is selected READ-ONLY"), though RFC 3501 §6.3.11 allows it.
  const sent = await openRoleFolder(run, '\\Sent', null, false);
  const client = run.client;
  const found = await searchUids(client, { header: { [TANDEM_ID_HEADER]: p.sendId } });
  if (found.length > 0) return; // appended before a crash: already filed
  run.lease.assertFresh();
  await appendMessage(client, sent.path, await run.blobs.get(p.rawBlob), ['\\Seen']);
}
