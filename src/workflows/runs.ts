import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, WorkflowRunState, WorkflowStepState } from '../db/index.ts';
import type { Viewer } from '../access/index.ts';
import { ownedWorkflow, recordVisibleTo } from '../access/index.ts';
import { TandemError } from '../errors/index.ts';
import { definitionOf } from './store.ts';
import { queueRun } from './enrol.ts';

export interface StepView {
  index: number;
  type: string;
  state: WorkflowStepState;
  attempts: number;
  /** What the step did: the email sent (sendId, messageId, mailboxId, to), the record made, the webhook's answer. */
  outcome: Record<string, unknown> | null;
  /** In plain words. */
  error: string | null;
  updatedAt: string;
}

export interface RunView {
  id: string;
  workflowId: string;
  recordId: string | null;
  messageId: string | null;
  trigger: string;
  state: WorkflowRunState;
  error: string | null;
  dueAt: string;
  createdAt: string;
  steps: StepView[];
}

/** A workflow's runs, newest first; `state` filters (failed: the runs to look at). */
export async function listRuns(
  db: Kysely<Database>,
  viewer: Viewer,
  workflowId: string,
  query: { state?: WorkflowRunState | undefined; limit: number },
): Promise<RunView[]> {
  await ownedWorkflow(db, viewer, workflowId);
  let select = db
    .selectFrom('workflow_runs')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(query.limit);
  if (query.state) select = select.where('state', '=', query.state);
  const runs = await select.execute();
  if (runs.length === 0) return [];
  const steps = await db
    .selectFrom('workflow_steps')
    .selectAll()
    .where(
      'run_id',
      'in',
      runs.map((r) => r.id),
    )
    .orderBy('step_index')
    .execute();
  return runs.map((r) => ({
    id: r.id,
    workflowId: r.workflow_id,
    recordId: r.record_id,
    messageId: r.message_id === null ? null : String(r.message_id),
    trigger: r.trigger,
    state: r.state,
    error: r.error,
    dueAt: new Date(Number(r.due_at)).toISOString(),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    steps: steps
      .filter((s) => s.run_id === r.id)
      .map((s) => ({
        index: s.step_index,
        type: s.type,
        state: s.state,
        attempts: s.attempts,
        outcome: s.outcome ? (JSON.parse(s.outcome) as Record<string, unknown>) : null,
        error: s.error,
        updatedAt: new Date(Number(s.updated_at)).toISOString(),
      })),
  }));
}

export async function getRun(
  db: Kysely<Database>,
  viewer: Viewer,
  workflowId: string,
  runId: string,
): Promise<RunView> {
  const runs = await listRuns(db, viewer, workflowId, { limit: 1_000_000 });
  const run = runs.find((r) => r.id === runId);
  if (!run) throw new TandemError('not_found', 'No such run');
  return run;
}

/** Run now on one record the viewer sees (the manual trigger, or a test of any workflow); enrolment is not asked. */
export async function runNow(
  db: Kysely<Database>,
  viewer: Viewer,
  workflowId: string,
  recordId: string,
  now: number,
): Promise<string> {
  const workflow = await ownedWorkflow(db, viewer, workflowId);
  const { trigger } = definitionOf(workflow);
  const record = await db
    .selectFrom('records')
    .select(['id', 'kind'])
    .where('id', '=', recordId)
    .where(recordVisibleTo(viewer))
    .executeTakeFirst();
  if (!record) throw new TandemError('not_found', 'No such record');
  if ('recordType' in trigger && trigger.recordType !== record.kind)
    throw new TandemError(
      'validation_failed',
      `This workflow runs on ${trigger.recordType} records, not ${record.kind}`,
    );
  const dedupeKey = `manual:${randomUUID()}`;
  await queueRun(db, { workflow, recordId, dedupeKey, trigger: 'run by hand', now });
  const run = await db
    .selectFrom('workflow_runs')
    .select('id')
    .where('workflow_id', '=', workflowId)
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirstOrThrow();
  return run.id;
}

/**
 * Runs a failed step again (and the steps after it). Only `failed` steps: an
 * `uncertain` one may have been delivered and is never repeated by Tandem.
 * A Send Email step keeps its send id: the server refused it, so it was not delivered.
 */
export async function rerunStep(
  db: Kysely<Database>,
  viewer: Viewer,
  workflowId: string,
  runId: string,
  index: number,
  now: number,
): Promise<void> {
  await ownedWorkflow(db, viewer, workflowId);
  await db.transaction().execute(async (trx) => {
    const step = await trx
      .selectFrom('workflow_steps')
      .innerJoin('workflow_runs', 'workflow_runs.id', 'workflow_steps.run_id')
      .select(['workflow_steps.state', 'workflow_runs.state as runState'])
      .where('workflow_steps.run_id', '=', runId)
      .where('workflow_steps.step_index', '=', index)
      .where('workflow_runs.workflow_id', '=', workflowId)
      .executeTakeFirst();
    if (!step) throw new TandemError('not_found', 'No such step');
    if (step.state === 'uncertain')
      throw new TandemError(
        'conflict',
        'This email may already have been delivered: Tandem does not send it again (check with the recipient, then send by hand)',
      );
    if (step.state !== 'failed')
      throw new TandemError('conflict', `Only a failed step is run again; this one is ${step.state}`);
    await trx
      .updateTable('workflow_steps')
      .set({ state: 'running', attempts: 0, error: null, updated_at: now })
      .where('run_id', '=', runId)
      .where('step_index', '=', index)
      .execute();
    await trx
      .updateTable('workflow_runs')
      .set({ state: 'queued', next_step: index, due_at: now, lease_until: 0, error: null, updated_at: now })
      .where('id', '=', runId)
      .execute();
  });
}
