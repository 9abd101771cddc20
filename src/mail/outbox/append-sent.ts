import { TANDEM_ID_HEADER } from '../mime/index.ts';
import type { MailboxRun } from '../sync/run-context.ts';
import { PermanentOpFailure } from './executor.ts';
import type { OpPayload } from './ops.ts';

/**
 * Files a sent message in the server's Sent folder exactly once
 * (sync-correctness invariant 6): a copy APPENDed before a crash, whose op was
 * not yet marked done, is found again by its X-Tandem-Id and not appended twice.
 * The folder sync then picks the copy up like any other new message.
 */
export async function appendSent(run: MailboxRun, p: OpPayload<'append_sent'>): Promise<void> {
  const mailbox = await run.db.selectFrom('mailboxes').select('provider_files_sent').where('id', '=', run.mailbox.id).executeTakeFirst();
  if (mailbox?.provider_files_sent === 1) return; // the provider keeps its own copy
  const sent = await run.db
    .selectFrom('folders')
    .select('path')
    .where('mailbox_id', '=', run.mailbox.id)
    .where('special_use', '=', '\\Sent')
    .orderBy('id')
    .executeTakeFirst();
  if (!sent) throw new PermanentOpFailure('This mailbox has no Sent folder: the sent message was not filed (it was delivered)');

  const client = run.client;
  if (client.mailbox === false || client.mailbox.path !== sent.path) {
    try {
      await client.mailboxOpen(sent.path, { readOnly: true });
    } catch (error) {
      if ((error as { responseStatus?: string }).responseStatus === 'NO') throw new PermanentOpFailure(`The Sent folder ${sent.path} no longer exists on the server`);
      throw error;
    }
  }
  const found = await client.search({ header: { [TANDEM_ID_HEADER]: p.sendId } }, { uid: true });
  if (found === false || found === undefined) throw new Error(`The server refused a SEARCH in ${sent.path}`);
  if (found.length > 0) return; // appended before a crash: already filed

  const raw = await run.blobs.get(p.rawBlob);
  const appended = await client.append(sent.path, raw, ['\\Seen']);
  if (appended === false) throw new Error(`The server refused to file the sent message in ${sent.path}`);
}
