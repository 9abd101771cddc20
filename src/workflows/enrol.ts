import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, Dialect, WorkflowsTable } from '../db/index.ts';
import { groupMatches } from './conditions.ts';
import type { Facts } from './conditions.ts';
import type { WorkflowDefinition } from './definition.ts';

export interface RunRequest {
  workflow: Selectable<WorkflowsTable>;
  definition: WorkflowDefinition;
  recordId: string | null;
  messageId?: number | null;
  /** Unique per workflow: the same cause never makes a second run. */
  dedupeKey: string;
  trigger: string;
  facts: Facts;
  now: number;
  /** Each cause runs on its own (an email): no enrolment is kept for the record. */
  perCause?: boolean;
}

/**
 * Decides, inside the caller's transaction, whether a cause runs the workflow
 * on a record, by its mode and the record's enrolment, and queues the run:
 * - every_save (and first_save, schedules, dates): whenever the conditions hold;
 * - until_true: until they first held;
 * - transition: when they hold and did not at the record's previous save;
 * and, unless the workflow re-enrolls, only the first time for a record.
 */
export async function enrol(trx: Kysely<Database>, dialect: Dialect, request: RunRequest): Promise<boolean> {
  const { definition, workflow, recordId } = request;
  const matches = groupMatches(definition.conditions, request.facts);
  if (!recordId || request.perCause) return matches ? queueRun(trx, request) : false;
  await trx
    .insertInto('workflow_enrolments')
    .values({ workflow_id: workflow.id, record_id: recordId, enrolled: 0, last_match: 0, updated_at: request.now })
    .onConflict((oc) => oc.columns(['workflow_id', 'record_id']).doNothing())
    .execute();
  let select = trx
    .selectFrom('workflow_enrolments')
    .select(['enrolled', 'last_match'])
    .where('workflow_id', '=', workflow.id)
    .where('record_id', '=', recordId);
  if (dialect === 'postgres') select = select.forUpdate(); // two workers on two saves of one record take turns
  const enrolment = await select.executeTakeFirstOrThrow();
  const wasTrue = enrolment.last_match === 1;
  const enrolled = enrolment.enrolled === 1;
  let run = matches && (definition.reenroll || !enrolled);
  if (definition.mode === 'until_true' && enrolled) run = false;
  if (definition.mode === 'transition' && wasTrue) run = false;
  const queued = run && (await queueRun(trx, request));
  await trx
    .updateTable('workflow_enrolments')
    .set({
      last_match: matches ? 1 : 0,
      enrolled: enrolled || queued ? 1 : 0,
      updated_at: request.now,
    })
    .where('workflow_id', '=', workflow.id)
    .where('record_id', '=', recordId)
    .execute();
  return queued;
}

/** A new run, once per (workflow, cause). */
export async function queueRun(
  trx: Kysely<Database>,
  request: Omit<RunRequest, 'facts' | 'definition'>,
): Promise<boolean> {
  const result = await trx
    .insertInto('workflow_runs')
    .values({
      id: randomUUID(),
      workflow_id: request.workflow.id,
      dedupe_key: request.dedupeKey,
      record_id: request.recordId,
      message_id: request.messageId ?? null,
      trigger: request.trigger,
      state: 'queued',
      due_at: request.now,
      error: null,
      created_at: request.now,
      updated_at: request.now,
    })
    .onConflict((oc) => oc.columns(['workflow_id', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}
