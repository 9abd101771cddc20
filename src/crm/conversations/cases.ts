import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { insertRecord } from '../records/records.ts';
import { subjectToken } from './threading.ts';

/**
 * Email-to-case: the case a new conversation opens, about the sender's
 * contact (created when unknown, in the organization of their domain when
 * one is known). Records are owned by the administrator who set the mailbox
 * up and shared, so every user sees them.
 */
export async function openCase(
  trx: Kysely<Database>,
  mailbox: { owner_user_id: string; case_token_prefix: string },
  first: { conversationId: number; messageId: number; subject: string; from: string },
): Promise<string> {
  const owner = { id: mailbox.owner_user_id, isAdmin: true };
  const contactId = await contactFor(trx, owner, first.messageId, first.from);
  const caseId = await insertRecord(trx, owner, 'case', {
    name: `${first.subject || '(no subject)'} ${subjectToken(mailbox.case_token_prefix, first.conversationId)}`.slice(
      0,
      300,
    ),
    contactId,
    shared: true,
  });
  await linkToCase(trx, first.messageId, caseId);
  return caseId;
}

/** Files an email to the conversation's case (a link a user removed stays removed). */
export async function linkToCase(trx: Kysely<Database>, messageId: number, caseId: string): Promise<void> {
  await trx
    .insertInto('email_links')
    .values({
      message_id: messageId,
      record_id: caseId,
      source: 'auto',
      state: 'linked',
      created_by: null,
      created_at: Date.now(),
    })
    .onConflict((oc) => oc.columns(['message_id', 'record_id']).doNothing())
    .execute();
}

async function contactFor(
  trx: Kysely<Database>,
  owner: { id: string; isAdmin: boolean },
  messageId: number,
  address: string,
): Promise<string> {
  const known = await trx
    .selectFrom('record_emails')
    .innerJoin('records', 'records.id', 'record_emails.record_id')
    .select('records.id')
    .where('record_emails.address', '=', address)
    .where('records.kind', '=', 'contact')
    .orderBy('records.created_at')
    .executeTakeFirst();
  if (known) return known.id;
  const message = await trx
    .selectFrom('messages')
    .select('from_name')
    .where('id', '=', messageId)
    .executeTakeFirstOrThrow();
  const [first, ...rest] = (message.from_name ?? '').trim().split(/\s+/).filter(Boolean);
  const organizationId = await organizationOf(trx, address.split('@')[1] ?? '');
  return insertRecord(trx, owner, 'contact', {
    ...(first ? { firstName: first, lastName: rest.join(' ') || undefined } : { name: address }),
    emails: [address],
    organizationId: organizationId ?? undefined,
    shared: true,
  });
}

/** An organization whose website or one of whose addresses is at this domain. */
async function organizationOf(trx: Kysely<Database>, domain: string): Promise<string | null> {
  if (domain === '') return null;
  const byAddress = await trx
    .selectFrom('record_emails')
    .innerJoin('records', 'records.id', 'record_emails.record_id')
    .select('records.id')
    .where('records.kind', '=', 'organization')
    .where('record_emails.address', 'like', `%@${domain}`)
    .orderBy('records.created_at')
    .executeTakeFirst();
  if (byAddress) return byAddress.id;
  const orgs = await trx
    .selectFrom('records')
    .select(['id', 'website'])
    .where('kind', '=', 'organization')
    .where('website', 'like', `%${domain}%`)
    .orderBy('created_at')
    .execute();
  const match = orgs.find((o) => hostOf(o.website ?? '') === domain);
  return match?.id ?? null;
}

function hostOf(website: string): string {
  try {
    return new URL(website.includes('://') ? website : `https://${website}`).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}
