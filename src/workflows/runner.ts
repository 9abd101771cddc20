import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, WorkflowRunState } from '../db/index.ts';
import type { Action } from './definition.ts';
import { loadFacts } from './facts.ts';
import { recordStep } from './record-steps.ts';
import { RunLeaseLost } from './run-context.ts';
import type { RunRow, StepContext, StepResult, StepRow, WorkflowDeps } from './run-context.ts';
import { sendEmailStep } from './send-step.ts';
import { definitionOf } from './store.ts';
import { ownerViewer } from './triggers.ts';
import { webhookStep } from './webhook-step.ts';

/** A run's lease: renewed while the run is performed; a process that died lets its runs go after this. */
export const RUN_LEASE_MS = 30_000;

export interface ClaimedRun {
  run: RunRow;
  /** This claim's lease token: every write of the run checks it (a later claim makes a new one). */
  token: string;
}

/**
 * Takes runs that are due and not leased: in PostgreSQL with FOR UPDATE SKIP
 * LOCKED, so several workers never take the same run. A run left `running` by
 * a process that died is taken again once its lease ran out.
 */
export async function claimRuns(deps: WorkflowDeps, owner: string, limit: number): Promise<ClaimedRun[]> {
  const { db, dialect } = deps.context.store;
  const now = deps.now();
  return db.transaction().execute(async (trx) => {
    let select = trx
      .selectFrom('workflow_runs')
      .selectAll()
      .where('state', 'in', ['queued', 'waiting', 'running'])
      .where('due_at', '<=', now)
      .where('lease_until', '<', now)
      .orderBy('due_at')
      .limit(limit);
    if (dialect === 'postgres') select = select.forUpdate().skipLocked();
    const runs = await select.execute();
    const claimed: ClaimedRun[] = [];
    for (const run of runs) {
      const token = `${owner}:${randomUUID()}`;
      await trx
        .updateTable('workflow_runs')
        .set({ lease_owner: token, lease_until: now + RUN_LEASE_MS, state: 'running', updated_at: now })
        .where('id', '=', run.id)
        .execute();
      claimed.push({ run: { ...run, lease_owner: token, state: 'running' }, token });
    }
    return claimed;
  });
}

/** The embedded store has one engine: at its start, the runs its dead predecessor held are free at once. */
export async function releaseLeasesOf(db: Kysely<Database>, owner: string): Promise<void> {
  await db.updateTable('workflow_runs').set({ lease_until: 0 }).where('lease_owner', 'like', `${owner}:%`).execute();
}

/** Performs a claimed run's steps in order, from where it stands, until it ends or waits. */
export async function executeRun(deps: WorkflowDeps, claimed: ClaimedRun): Promise<void> {
  const { db } = deps.context.store;
  const { run, token } = claimed;
  const workflow = await db.selectFrom('workflows').selectAll().where('id', '=', run.workflow_id).executeTakeFirst();
  if (!workflow) return;
  const { actions, stopOnReply } = definitionOf(workflow);
  const owner = await ownerViewer(db, workflow);
  const fenced = <T>(work: (trx: Kysely<Database>) => Promise<T>) => inLease(deps, run.id, token, work);
  // A step may outlast a lease (a slow SMTP server): the lease is renewed meanwhile, as long as it is still ours.
  const renewal = setInterval(() => {
    renewLease(deps, run.id, token).catch(() => undefined);
  }, RUN_LEASE_MS / 3);
  try {
    for (let index = run.next_step; index < actions.length; index += 1) {
      const action = actions[index] as Action;
      const step = await fenced((trx) => claimStep(trx, run.id, index, action, deps.now()));
      if (step.state === 'done' || step.state === 'skipped') continue;
      if (step.state === 'failed' || step.state === 'uncertain') {
        await fenced((trx) => endRun(trx, run.id, step.state as WorkflowRunState, step.error, deps.now()));
        return;
      }
      const facts = await loadFacts(db, { recordId: run.record_id, messageId: run.message_id });
      const ctx: StepContext = {
        deps,
        run,
        step,
        facts,
        owner,
        stopOnReply: stopOnReply ?? false,
        completeWith: (work) =>
          fenced(async (trx) => {
            const outcome = await work(trx);
            await completeStep(trx, run.id, index, outcome, undefined, deps.now());
            return { kind: 'done', outcome, recorded: true };
          }),
      };
      const result = await perform(ctx, action);
      const now = deps.now();
      if (result.kind === 'done') {
        if (!result.recorded)
          await fenced((trx) => completeStep(trx, run.id, index, result.outcome, result.resumeAt, now));
        if (result.resumeAt !== undefined && result.resumeAt > now) return;
        continue;
      }
      if (result.kind === 'retry') {
        await fenced(async (trx) => {
          await trx
            .updateTable('workflow_steps')
            .set({ error: result.error, updated_at: now })
            .where('run_id', '=', run.id)
            .where('step_index', '=', index)
            .execute();
          await trx
            .updateTable('workflow_runs')
            .set({ state: 'waiting', due_at: result.at, lease_until: 0, updated_at: now })
            .where('id', '=', run.id)
            .execute();
        });
        return;
      }
      await fenced(async (trx) => {
        await trx
          .updateTable('workflow_steps')
          .set({ state: result.kind === 'stopped' ? 'skipped' : result.kind, error: result.error, updated_at: now })
          .where('run_id', '=', run.id)
          .where('step_index', '=', index)
          .execute();
        await endRun(trx, run.id, result.kind, result.error, now);
      });
      return;
    }
    await fenced((trx) => endRun(trx, run.id, 'done', null, deps.now()));
  } catch (error) {
    if (error instanceof RunLeaseLost) return; // another process has the run now
    throw error;
  } finally {
    clearInterval(renewal);
  }
}

async function renewLease(deps: WorkflowDeps, runId: string, token: string): Promise<void> {
  await deps.context.store.db
    .updateTable('workflow_runs')
    .set({ lease_until: deps.now() + RUN_LEASE_MS })
    .where('id', '=', runId)
    .where('lease_owner', '=', token)
    .where('state', '=', 'running')
    .execute();
}

function perform(ctx: StepContext, action: Action): Promise<StepResult> {
  switch (action.type) {
    case 'send_email':
      return sendEmailStep(ctx, action);
    case 'webhook':
      return webhookStep(ctx, action);
    case 'update_fields':
    case 'create_record':
    case 'add_comment':
      return recordStep(ctx, action);
    case 'wait':
      return Promise.resolve(waitStep(ctx, action));
  }
}

function waitStep(ctx: StepContext, action: Extract<Action, { type: 'wait' }>): StepResult {
  const now = ctx.deps.now();
  const date = action.untilField ? Number(ctx.facts.record?.[action.untilField] ?? now) : now;
  const until = action.minutes !== undefined ? now + action.minutes * 60_000 : Math.max(now, date);
  return { kind: 'done', outcome: { until: new Date(until).toISOString() }, resumeAt: until };
}

/**
 * The claim: the (run, step) row is inserted before the step acts, once
 * (its key is unique); Send Email's send id is chosen here and kept for every
 * attempt. Each claim counts an attempt.
 */
async function claimStep(
  trx: Kysely<Database>,
  runId: string,
  index: number,
  action: Action,
  now: number,
): Promise<StepRow> {
  await trx
    .insertInto('workflow_steps')
    .values({
      run_id: runId,
      step_index: index,
      type: action.type,
      state: 'running',
      send_id: action.type === 'send_email' ? randomUUID() : null,
      outcome: null,
      error: null,
      started_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['run_id', 'step_index']).doNothing())
    .execute();
  await trx
    .updateTable('workflow_steps')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), updated_at: now }))
    .where('run_id', '=', runId)
    .where('step_index', '=', index)
    .where('state', '=', 'running')
    .execute();
  return trx
    .selectFrom('workflow_steps')
    .selectAll()
    .where('run_id', '=', runId)
    .where('step_index', '=', index)
    .executeTakeFirstOrThrow();
}

async function completeStep(
  trx: Kysely<Database>,
  runId: string,
  index: number,
  outcome: Record<string, unknown>,
  resumeAt: number | undefined,
  now: number,
): Promise<void> {
  await trx
    .updateTable('workflow_steps')
    .set({ state: 'done', outcome: JSON.stringify(outcome), error: null, updated_at: now })
    .where('run_id', '=', runId)
    .where('step_index', '=', index)
    .execute();
  const waiting = resumeAt !== undefined && resumeAt > now;
  await trx
    .updateTable('workflow_runs')
    .set({
      next_step: index + 1,
      updated_at: now,
      ...(waiting ? { state: 'waiting' as const, due_at: resumeAt, lease_until: 0 } : {}),
    })
    .where('id', '=', runId)
    .execute();
}

async function endRun(
  trx: Kysely<Database>,
  runId: string,
  state: WorkflowRunState,
  error: string | null,
  now: number,
): Promise<void> {
  await trx
    .updateTable('workflow_runs')
    .set({ state, error, lease_until: 0, updated_at: now })
    .where('id', '=', runId)
    .execute();
}

/** A transaction in which the run is still this claim's (else RunLeaseLost); the lease is renewed. */
async function inLease<T>(
  deps: WorkflowDeps,
  runId: string,
  token: string,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  const { db, dialect } = deps.context.store;
  return db.transaction().execute(async (trx) => {
    let select = trx.selectFrom('workflow_runs').select('id').where('id', '=', runId).where('lease_owner', '=', token);
    if (dialect === 'postgres') select = select.forUpdate();
    if (!(await select.executeTakeFirst())) throw new RunLeaseLost(`run ${runId} is no longer this process's`);
    await trx
      .updateTable('workflow_runs')
      .set({ lease_until: deps.now() + RUN_LEASE_MS })
      .where('id', '=', runId)
      .where('state', '=', 'running')
      .execute();
    return work(trx);
  });
}
