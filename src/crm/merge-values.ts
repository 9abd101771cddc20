import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import type { MergeValues } from '../mail/mime/index.ts';
import { recordVisibleTo } from '../access/index.ts';

/**
 * Merge-tag values for a recipient: the contact (else the lead) with that
 * address among the records the sender sees, and its organization. Empty
 * when there is none (tags then take their fallback).
 */
export async function mergeValuesFor(
  db: Kysely<Database>,
  senderId: string,
  address: string | undefined,
): Promise<MergeValues> {
  if (!address) return {};
  const person = await db
    .selectFrom('record_emails')
    .innerJoin('records', 'records.id', 'record_emails.record_id')
    .select([
      'records.first_name',
      'records.last_name',
      'records.name',
      'records.phone',
      'records.job_title',
      'records.organization_id',
      'records.kind',
    ])
    .where('record_emails.address', '=', address.trim().toLowerCase())
    .where('records.kind', 'in', ['contact', 'lead'])
    .where(recordVisibleTo({ id: senderId, isAdmin: false }))
    .orderBy('records.kind') // 'contact' before 'lead'
    .orderBy('records.created_at')
    .executeTakeFirst();
  if (!person) return {};
  const org = person.organization_id
    ? await db.selectFrom('records').select('name').where('id', '=', person.organization_id).executeTakeFirst()
    : undefined;
  return {
    'contact.firstName': person.first_name,
    'contact.lastName': person.last_name,
    'contact.fullName': person.name,
    'contact.email': address.trim().toLowerCase(),
    'contact.phone': person.phone,
    'contact.jobTitle': person.job_title,
    'organization.name': org?.name ?? null,
  };
}
