import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { snapshotOf, touchpointsOf } from '../crm/index.ts';
import type { MergeValues } from '../mail/mime/index.ts';
import type { Facts } from './conditions.ts';

/**
 * Everything a run's conditions and templates may name: the record (and its
 * fields before the save that triggered it), the contact it is about (the
 * record itself for a contact or lead), its organization, the triggering email.
 */
export async function loadFacts(
  db: Kysely<Database>,
  input: { recordId: string | null; before?: Record<string, unknown> | null; messageId?: number | null },
): Promise<Facts> {
  const facts: Facts = {};
  const record = input.recordId ? await recordFacts(db, input.recordId) : undefined;
  if (record) {
    facts.record = record;
    if (input.before) facts.before = input.before as Facts['record'];
    const contactId = record.kind === 'contact' || record.kind === 'lead' ? input.recordId : record.contactId;
    if (typeof contactId === 'string') facts.contact = await recordFacts(db, contactId);
    const organizationId = record.organizationId ?? facts.contact?.organizationId;
    if (typeof organizationId === 'string') facts.organization = await recordFacts(db, organizationId);
  }
  if (input.messageId) facts.email = await emailFacts(db, input.messageId);
  if (!facts.contact && facts.email?.from) facts.contact = { email: [String(facts.email.from)] };
  return facts;
}

async function recordFacts(db: Kysely<Database>, id: string): Promise<Facts['record']> {
  const row = await db.selectFrom('records').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const emails = await db
    .selectFrom('record_emails')
    .select('address')
    .where('record_id', '=', id)
    .orderBy('position')
    .execute();
  const touchpoints = (await touchpointsOf(db, [id])).get(id);
  // Touchpoints are conditions' facts too: record.lastContactedAt, record.replies, …
  return { id, ...snapshotOf(row), ...touchpoints, email: emails.map((e) => e.address) };
}

async function emailFacts(db: Kysely<Database>, messageId: number): Promise<Facts['email']> {
  const row = await db
    .selectFrom('messages')
    .select(['id', 'mailbox_id', 'subject', 'from_address', 'to_json', 'cc_json', 'body_text', 'message_id'])
    .where('id', '=', messageId)
    .executeTakeFirst();
  if (!row) return undefined;
  const folder = await db
    .selectFrom('message_locations')
    .innerJoin('folders', 'folders.id', 'message_locations.folder_id')
    .select('folders.path')
    .where('message_locations.message_id', '=', messageId)
    .executeTakeFirst();
  return {
    id: String(row.id),
    mailbox: row.mailbox_id,
    subject: row.subject,
    from: row.from_address,
    to: addresses(row.to_json),
    cc: addresses(row.cc_json),
    body: row.body_text.slice(0, 10_000),
    folder: folder?.path ?? null,
    messageId: row.message_id,
  };
}

function addresses(json: string): string[] {
  try {
    return (JSON.parse(json) as { address: string }[]).map((a) => a.address);
  } catch {
    return [];
  }
}

/** The merge-tag values of a run: its contact, organization, record and the record's owner. */
export async function mergeValuesOf(db: Kysely<Database>, facts: Facts): Promise<MergeValues> {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  const contactEmail = facts.contact?.email;
  const ownerId = facts.record?.ownerId;
  const owner =
    typeof ownerId === 'string'
      ? await db.selectFrom('users').select(['name', 'email']).where('id', '=', ownerId).executeTakeFirst()
      : undefined;
  return {
    'contact.firstName': text(facts.contact?.firstName),
    'contact.lastName': text(facts.contact?.lastName),
    'contact.fullName': text(facts.contact?.name),
    'contact.email': Array.isArray(contactEmail) ? (contactEmail[0] ?? null) : text(contactEmail),
    'contact.phone': text(facts.contact?.phone),
    'contact.jobTitle': text(facts.contact?.jobTitle),
    'organization.name': text(facts.organization?.name),
    'record.name': text(facts.record?.name),
    'record.status': text(facts.record?.status),
    'record.amount': text(facts.record?.amount),
    'owner.name': owner?.name ?? null,
    'owner.email': owner?.email ?? null,
  };
}
