import type { TandemContext } from '../../context/index.ts';
import { imapSettingsOf } from '../account/index.ts';
import { closeQuietly, connectImap } from '../imap/index.ts';
import { hasCopyOfSend } from '../outbox/index.ts';

/**
 * Whether the send with this id has a copy in its mailbox's Sent folder: first
 * among what the sync has stored, then by asking the server (searched by its
 * X-Tandem-Id and its Message-ID). A copy there means the server took it: the
 * answer to a send whose outcome a crash hid, found rather than guessed.
 */
export async function foundInSent(context: TandemContext, sendId: string): Promise<boolean> {
  const { db } = context.store;
  const send = await db
    .selectFrom('sends')
    .select(['mailbox_id', 'message_id'])
    .where('id', '=', sendId)
    .executeTakeFirst();
  if (!send) return false;
  const stored = await db
    .selectFrom('messages')
    .innerJoin('message_locations', 'message_locations.message_id', 'messages.id')
    .innerJoin('folders', 'folders.id', 'message_locations.folder_id')
    .select('messages.id')
    .where('messages.mailbox_id', '=', send.mailbox_id)
    .where('messages.message_id', '=', send.message_id)
    .where('folders.special_use', '=', '\\Sent')
    .executeTakeFirst();
  if (stored) return true;
  const mailbox = await db.selectFrom('mailboxes').selectAll().where('id', '=', send.mailbox_id).executeTakeFirst();
  const sent = await db
    .selectFrom('folders')
    .select('path')
    .where('mailbox_id', '=', send.mailbox_id)
    .where('special_use', '=', '\\Sent')
    .executeTakeFirst();
  if (!mailbox || !sent) return false;
  const client = await connectImap(imapSettingsOf(mailbox, context.secrets, db, context.outbound), {
    disableAutoIdle: true,
  });
  try {
    await client.mailboxOpen(sent.path, { readOnly: true });
    return await hasCopyOfSend(client, sendId, send.message_id);
  } finally {
    await closeQuietly(client);
  }
}
