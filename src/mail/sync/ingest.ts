import type { FetchMessageObject } from 'imapflow';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { publishMailEvent } from '../../events/index.ts';
import { addLocation, upsertMessage } from '../messages/write.ts';
import { prepareListing, prepareMessage } from './prepare.ts';
import type { PreparedMessage } from './prepare.ts';
import type { MailboxRow } from '../account/index.ts';
import { LeaseLost } from '../run/index.ts';
import type { FolderRow, MailboxRun } from '../run/index.ts';
import { uidSet } from './uid-set.ts';

/** Folders whose mail is not "incoming" for the mark-as-private setting. */
const OUTGOING_ROLES = new Set(['\\Sent', '\\Drafts']);

/** A fetched message; its parse and blob writes run while the FETCH goes on. */
export interface FetchedMessage {
  uid: number;
  flags: string[];
  modseq: string | null;
  internalDate: Date | null;
  size: number;
  emailId: string | undefined;
  threadId: string | undefined;
  prepared: Promise<PreparedMessage>;
}

/** Whole: each message parsed at once (new mail). Listed: its header section alone, the body left to the indexer (a first sync). */
export type FetchMode = 'whole' | 'listed';

/**
 * Fetches full messages by UID, in the order asked (newest first for a first
 * sync). Each one is parsed (whole or its header section, by `mode`) and
 * written to the blob store as it arrives, while the rest stream in. The FETCH
 * is read to its end before returning, since no other command may run on the
 * connection while it streams.
 */
export async function fetchPrepared(
  run: MailboxRun,
  uids: number[],
  mode: FetchMode = 'whole',
): Promise<FetchedMessage[]> {
  if (uids.length === 0) return [];
  const fetched: FetchedMessage[] = [];
  const query = {
    uid: true,
    flags: true,
    source: true,
    internalDate: true,
    size: true,
    emailId: run.emailIds,
    threadId: run.gmail,
  };
  for await (const message of run.client.fetch(uidSet(uids), query, { uid: true }))
    fetched.push(prepare(run, message, mode));
  const rank = new Map(uids.map((uid, i) => [uid, i]));
  return fetched.sort((a, b) => (rank.get(a.uid) ?? 0) - (rank.get(b.uid) ?? 0));
}

function prepare(run: MailboxRun, message: FetchMessageObject, mode: FetchMode): FetchedMessage {
  const source = message.source ?? Buffer.alloc(0);
  const started = mode === 'listed' ? prepareListing(source, run.blobs) : prepareMessage(source, run.blobs);
  const prepared = message.source ? started : started.then(noteMissingSource);
  prepared.catch(() => undefined); // awaited by storeBatch; a failure (disk full) surfaces there, not as an unhandled rejection
  return {
    uid: message.uid,
    flags: [...(message.flags ?? [])],
    modseq: message.modseq?.toString() ?? null,
    internalDate: message.internalDate ? new Date(message.internalDate) : null,
    size: message.size ?? source.length,
    emailId: message.emailId,
    threadId: message.threadId,
    prepared,
  };
}

function noteMissingSource(prepared: PreparedMessage): PreparedMessage {
  prepared.parsed.problems.push('The server returned no source for this message');
  return prepared;
}

/**
 * Stores fetched messages of one folder and moves the folder's cursor in the
 * same transaction, so a crash at any point resumes without loss or duplicates.
 */
export async function storeBatch(
  run: MailboxRun,
  folder: FolderRow,
  uidValidity: number,
  messages: FetchedMessage[],
  moveCursor: (trx: Kysely<Database>) => Promise<void>,
): Promise<void> {
  const prepared = await Promise.all(messages.map((m) => m.prepared));
  await run.write(async (trx) => {
    run.mailbox = await currentMailbox(trx, run);
    const isPrivate = run.mailbox.mark_incoming_private === 1 && !OUTGOING_ROLES.has(folder.special_use ?? '');
    const stored: { id: number; created: boolean; uid: number }[] = [];
    for (const [i, message] of messages.entries()) {
      const { parsed, rawBlob, listedOnly } = prepared[i] as PreparedMessage;
      const { id, created } = await upsertMessage(trx, run.dialect, {
        mailboxId: run.mailbox.id,
        parsed,
        rawBlob,
        size: message.size,
        internalDate: message.internalDate,
        emailId: message.emailId,
        providerThreadId: run.gmail ? message.threadId : undefined,
        private: isPrivate,
        listedOnly,
      });
      await addLocation(trx, {
        messageId: id,
        mailboxId: run.mailbox.id,
        folderId: folder.id,
        uidValidity,
        uid: message.uid,
        flags: message.flags,
        modseq: message.modseq,
        date: (parsed.date ?? message.internalDate ?? new Date()).getTime(),
        orphanable: !created,
      });
      stored.push({ id, created, uid: message.uid });
    }
    // CRM: link the new emails to their records and run the mailroom rules, in the same transaction.
    await run.hooks.onStored(trx, { mailbox: run.mailbox, folder, messages: stored });
    await moveCursor(trx);
  });
  publishMailEvent({ type: 'messages.added', mailboxId: run.mailbox.id, folder: folder.path });
}

/**
 * The mailbox's settings as they are now, read in the transaction that stores
 * a batch: a setting changed a moment ago (mark incoming as private, archive
 * and create) applies to the very next message, in whichever process syncs it.
 * On PostgreSQL the row is locked for share, so a change either commits before
 * the batch reads it or waits until the batch is stored (SQLite transactions
 * are serialized anyway).
 */
export async function currentMailbox(
  trx: Kysely<Database>,
  run: Pick<MailboxRun, 'mailbox' | 'dialect'>,
): Promise<MailboxRow> {
  const query = trx.selectFrom('mailboxes').selectAll().where('id', '=', run.mailbox.id);
  const row = await (run.dialect === 'postgres' ? query.forShare() : query).executeTakeFirst();
  if (!row) throw new LeaseLost(`Mailbox ${run.mailbox.id} was deleted`); // its lease went with it
  return row;
}
