import type { Kysely } from 'kysely';
import { mailboxOf } from '../../access/index.ts';
import type { Database } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';

/** What deleting a mailbox removes from Tandem and what it keeps, for the confirmation to state. */
export interface DeletionSummary {
  /** Emails synced from the mailbox: removed (the server keeps its copies). */
  emails: number;
  drafts: number;
  /** Of those emails, the ones linked to CRM records: the links go with them. */
  linkedEmails: number;
  /** Records that lose linked emails (the records themselves stay). */
  records: number;
  /** Comments on the emails: removed with them. */
  comments: number;
  /** Mailroom rules bound to the mailbox: kept, turned off and no longer bound to it. */
  rulesKept: number;
}

const count = (value: string | number | bigint | undefined): number => Number(value ?? 0);

/** The counts for the mailbox's owner; "not found" for anyone else. */
export async function deletionSummary(
  db: Kysely<Database>,
  ownerId: string,
  mailboxId: string,
): Promise<DeletionSummary> {
  const own = await db
    .selectFrom('mailboxes')
    .select('id')
    .where('id', '=', mailboxId)
    .where(mailboxOf(ownerId))
    .executeTakeFirst();
  if (!own) throw new TandemError('not_found', 'No such mailbox');
  const emails = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('mailbox_id', '=', mailboxId)
    .executeTakeFirst();
  const drafts = await db
    .selectFrom('drafts')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('mailbox_id', '=', mailboxId)
    .executeTakeFirst();
  const links = await db
    .selectFrom('email_links')
    .innerJoin('messages', 'messages.id', 'email_links.message_id')
    .select((eb) => [
      eb.fn.count('email_links.message_id').distinct().as('emails'),
      eb.fn.count('email_links.record_id').distinct().as('records'),
    ])
    .where('messages.mailbox_id', '=', mailboxId)
    .where('email_links.state', '=', 'linked')
    .executeTakeFirst();
  const comments = await db
    .selectFrom('comments')
    .innerJoin('messages', 'messages.id', 'comments.message_id')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('messages.mailbox_id', '=', mailboxId)
    .executeTakeFirst();
  const rules = await db
    .selectFrom('mailroom_rules')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('mailbox_id', '=', mailboxId)
    .executeTakeFirst();
  return {
    emails: count(emails?.n),
    drafts: count(drafts?.n),
    linkedEmails: count(links?.emails),
    records: count(links?.records),
    comments: count(comments?.n),
    rulesKept: count(rules?.n),
  };
}

/**
 * Keeps the mailroom rules bound to a mailbox that is being deleted: turned
 * off (they would otherwise start acting on every mailbox) and unbound, so the
 * foreign key's cascade does not take them. Runs inside the deletion's transaction.
 */
export async function keepRulesOf(trx: Kysely<Database>, mailboxId: string): Promise<void> {
  await trx
    .updateTable('mailroom_rules')
    .set({ mailbox_id: null, enabled: 0, updated_at: Date.now() })
    .where('mailbox_id', '=', mailboxId)
    .execute();
}
