import type { Kysely, Selectable } from 'kysely';
import type { Database, RecordsTable } from '../../db/index.ts';

/** A record's fields as automations compare them (camelCase, times in epoch ms). */
export type RecordSnapshot = Record<string, string | number | boolean | null>;

export function snapshotOf(row: Selectable<RecordsTable>): RecordSnapshot {
  return {
    kind: row.kind,
    name: row.name,
    firstName: row.first_name,
    lastName: row.last_name,
    company: row.company,
    jobTitle: row.job_title,
    phone: row.phone,
    website: row.website,
    organizationId: row.organization_id,
    contactId: row.contact_id,
    status: row.status,
    open: row.open === 1,
    amount: row.amount === null ? null : Number(row.amount),
    currency: row.currency,
    priority: row.priority,
    description: row.description,
    ownerId: row.owner_user_id,
    shared: row.shared === 1,
    dueDate: row.due_at === null ? null : Number(row.due_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * Notes that a record was created or changed, in the transaction of the change:
 * the workflow engine consumes these rows, so a save that commits is seen once
 * and a save that rolls back never.
 */
export async function journalRecordChange(
  trx: Kysely<Database>,
  recordId: string,
  before: Selectable<RecordsTable> | null,
  causeRunId: string | null = null,
): Promise<void> {
  const after = await trx.selectFrom('records').selectAll().where('id', '=', recordId).executeTakeFirst();
  if (!after) return;
  await trx
    .insertInto('change_events')
    .values({
      type: before ? 'record_updated' : 'record_created',
      record_id: recordId,
      message_id: null,
      mailbox_id: null,
      before_json: before ? JSON.stringify(snapshotOf(before)) : null,
      after_json: JSON.stringify(snapshotOf(after)),
      cause_run_id: causeRunId,
      created_at: Date.now(),
    })
    .execute();
}
