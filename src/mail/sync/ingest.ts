import type { FetchMessageObject } from 'imapflow';
import type { Kysely } from 'kysely';
import { onMessagesStored } from '../../crm/index.ts';
import type { Database } from '../../db/index.ts';
import { publishMailEvent } from '../../events/index.ts';
import { parseMessage } from '../mime/index.ts';
import type { ParsedMessage } from '../mime/index.ts';
import { addLocation, upsertMessage } from '../messages/write.ts';
import type { FolderRow, MailboxRun } from './run-context.ts';
import { uidSet } from './uid-set.ts';

/** Folders whose mail is not "incoming" for the mark-as-private setting. */
const OUTGOING_ROLES = new Set(['\\Sent', '\\Drafts']);

/**
 * Fetches full messages by UID. Collected first, then stored: no other
 * command may run on the connection while a FETCH streams.
 */
export async function fetchFull(run: MailboxRun, uids: number[]): Promise<FetchMessageObject[]> {
  if (uids.length === 0) return [];
  const fetched: FetchMessageObject[] = [];
  const query = { uid: true, flags: true, source: true, internalDate: true, size: true, emailId: run.emailIds, threadId: run.gmail };
  for await (const message of run.client.fetch(uidSet(uids), query, { uid: true })) fetched.push(message);
  // Servers answer in UID order; store in the order asked (newest first for a first sync).
  const rank = new Map(uids.map((uid, i) => [uid, i]));
  return fetched.sort((a, b) => (rank.get(a.uid) ?? 0) - (rank.get(b.uid) ?? 0));
}

/**
 * Stores fetched messages of one folder and moves the folder's cursor in the
 * same transaction, so a crash at any point resumes without loss or duplicates.
 */
export async function storeBatch(
  run: MailboxRun,
  folder: FolderRow,
  uidValidity: number,
  messages: FetchMessageObject[],
  moveCursor: (trx: Kysely<Database>) => Promise<void>,
): Promise<void> {
  const isPrivate = run.mailbox.mark_incoming_private === 1 && !OUTGOING_ROLES.has(folder.special_use ?? '');
  const prepared: { message: FetchMessageObject; parsed: ParsedMessage; rawBlob: string; attachmentBlobs: string[]; internalDate: Date | null }[] = [];
  for (const message of messages) {
    const raw = message.source ?? Buffer.alloc(0);
    const parsed = await parseMessage(raw);
    if (!message.source) parsed.problems.push('The server returned no source for this message');
    const rawBlob = await run.blobs.put(raw);
    const attachmentBlobs = [];
    for (const attachment of parsed.attachments) attachmentBlobs.push(await run.blobs.put(attachment.content));
    const internalDate = message.internalDate ? new Date(message.internalDate) : null;
    prepared.push({ message, parsed, rawBlob, attachmentBlobs, internalDate });
  }
  await run.db.transaction().execute(async (trx) => {
    await run.lease.assertHeld(trx);
    const stored: { id: number; created: boolean; uid: number }[] = [];
    for (const { message, parsed, rawBlob, attachmentBlobs, internalDate } of prepared) {
      const { id, created } = await upsertMessage(trx, run.dialect, {
        mailboxId: run.mailbox.id,
        parsed,
        rawBlob,
        size: message.size ?? message.source?.length ?? 0,
        internalDate,
        emailId: message.emailId,
        providerThreadId: run.gmail ? message.threadId : undefined,
        private: isPrivate,
        attachmentBlobs,
      });
      await addLocation(trx, {
        messageId: id,
        mailboxId: run.mailbox.id,
        folderId: folder.id,
        uidValidity,
        uid: message.uid,
        flags: [...(message.flags ?? [])],
        modseq: message.modseq?.toString() ?? null,
        date: (parsed.date ?? internalDate ?? new Date()).getTime(),
      });
      stored.push({ id, created, uid: message.uid });
    }
    // CRM: link the new emails to their records and run the mailroom rules, in the same transaction.
    await onMessagesStored(trx, { mailbox: run.mailbox, folder, messages: stored });
    await moveCursor(trx);
  });
  publishMailEvent({ type: 'messages.added', mailboxId: run.mailbox.id, folder: folder.path });
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
