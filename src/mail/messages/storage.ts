import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';

/**
 * What a mailbox's mail takes on disk: its messages' raw sources and their attachments (a draft
 * saved or a message sent from Tandem counts once the sync has stored its copy in Drafts or Sent).
 */
export async function mailboxStorageBytes(db: Kysely<Database>, mailboxId: string): Promise<number> {
  const raw = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('bytes'))
    .where('mailbox_id', '=', mailboxId)
    .executeTakeFirstOrThrow();
  const parts = await db
    .selectFrom('attachments')
    .innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('attachments.size'), eb.lit(0)).as('bytes'))
    .where('messages.mailbox_id', '=', mailboxId)
    .executeTakeFirstOrThrow();
  return Number(raw.bytes) + Number(parts.bytes);
}

/**
 * Refuses to store more from Tandem (a draft save, a send) once the mailbox holds more than the
 * admin's `mailboxQuotaBytes`. The sync is never refused: the server's mail is the truth.
 */
export async function assertWithinQuota(
  db: Kysely<Database>,
  quotaBytes: number | undefined,
  mailboxId: string,
): Promise<void> {
  if (quotaBytes === undefined) return;
  const bytes = await mailboxStorageBytes(db, mailboxId);
  if (bytes > quotaBytes)
    throw new TandemError(
      'quota_exceeded',
      `This mailbox holds ${bytes} bytes, more than the ${quotaBytes} allowed: delete mail before saving or sending more`,
    );
}
