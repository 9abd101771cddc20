import { addComment, changeRecord, insertRecord, recordFieldsSchema } from '../crm/index.ts';
import type { RecordKind } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import { fillMergeTags } from '../mail/mime/index.ts';
import type { Action } from './definition.ts';
import { mergeValuesOf } from './facts.ts';
import type { StepContext, StepResult } from './run-context.ts';

/**
 * The steps that only change the store run in one fenced transaction with the
 * step's own bookkeeping (see runner.ts): they happen exactly once, or not at all.
 */
export async function recordStep(
  ctx: StepContext,
  action: Extract<Action, { type: 'update_fields' | 'create_record' | 'add_comment' }>,
): Promise<StepResult> {
  try {
    switch (action.type) {
      case 'update_fields':
        return await updateFields(ctx, action);
      case 'create_record':
        return await createRecordStep(ctx, action);
      case 'add_comment':
        return await commentStep(ctx, action);
    }
  } catch (error) {
    if (error instanceof TandemError) return { kind: 'failed', error: error.message };
    throw error;
  }
}

async function updateFields(ctx: StepContext, action: Extract<Action, { type: 'update_fields' }>): Promise<StepResult> {
  const record = ctx.facts.record;
  if (!record || typeof record.id !== 'string') return { kind: 'failed', error: 'This run has no record to update' };
  const values = await mergeValuesOf(ctx.deps.context.store.db, ctx.facts);
  const raw = Object.fromEntries(
    Object.entries(action.fields).map(([field, value]) => [
      field,
      field === 'amount' && typeof value === 'string'
        ? Number(value)
        : typeof value === 'string'
          ? fillMergeTags(value, values)
          : value,
    ]),
  );
  const parsed = recordFieldsSchema.safeParse(raw);
  if (!parsed.success)
    return {
      kind: 'failed',
      error: `The fields cannot be set: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    };
  const id = record.id;
  return ctx.completeWith(async (trx) => {
    await changeRecord(trx, ctx.owner, record.kind as RecordKind, id, parsed.data, ctx.run.id);
    return { recordId: id, fields: Object.keys(raw) };
  });
}

async function createRecordStep(
  ctx: StepContext,
  action: Extract<Action, { type: 'create_record' }>,
): Promise<StepResult> {
  const values = await mergeValuesOf(ctx.deps.context.store.db, ctx.facts);
  const contactId = typeof ctx.facts.contact?.id === 'string' ? ctx.facts.contact.id : null;
  const organizationId = typeof ctx.facts.organization?.id === 'string' ? ctx.facts.organization.id : null;
  return ctx.completeWith(async (trx) => {
    const id = await insertRecord(
      trx,
      ctx.owner,
      action.recordType,
      {
        name: fillMergeTags(action.name, values),
        description: fillMergeTags(action.description ?? '', values),
        ...(action.status ? { status: action.status } : {}),
        ...(action.priority ? { priority: action.priority } : {}),
        contactId,
        organizationId,
      },
      ctx.run.id,
    );
    return { recordId: id, recordType: action.recordType };
  });
}

async function commentStep(ctx: StepContext, action: Extract<Action, { type: 'add_comment' }>): Promise<StepResult> {
  const { db } = ctx.deps.context.store;
  const messageId = ctx.run.message_id ?? (await sentByThisRun(ctx));
  if (messageId === null) {
    // The email this run sent is stored once its Sent copy is synced: look again shortly.
    if (ctx.step.attempts < 10)
      return { kind: 'retry', at: ctx.deps.now() + 30_000, error: 'waiting for the sent email to be synced' };
    return { kind: 'failed', error: 'No email to comment on: the run was not started by an email and sent none' };
  }
  const body = fillMergeTags(action.body, await mergeValuesOf(db, ctx.facts));
  return ctx.completeWith(async (trx) => {
    const comment = await addComment(trx, ctx.owner, String(messageId), body);
    return { commentId: comment.id, messageId: String(messageId) };
  });
}

/** The stored email an earlier Send Email step of this run sent, when its copy is synced. */
async function sentByThisRun(ctx: StepContext): Promise<number | null> {
  const { db } = ctx.deps.context.store;
  const row = await db
    .selectFrom('workflow_steps')
    .innerJoin('sends', 'sends.id', 'workflow_steps.send_id')
    .innerJoin('messages', (join) =>
      join.onRef('messages.message_id', '=', 'sends.message_id').onRef('messages.mailbox_id', '=', 'sends.mailbox_id'),
    )
    .select('messages.id')
    .where('workflow_steps.run_id', '=', ctx.run.id)
    .where('workflow_steps.state', '=', 'done')
    .orderBy('workflow_steps.step_index', 'desc')
    .executeTakeFirst();
  return row ? Number(row.id) : null;
}
