import type { Kysely, Selectable } from 'kysely';
import type { ChangeEventsTable, Database, Dialect, WorkflowsTable } from '../db/index.ts';
import type { StoredBatch } from '../mail/run/index.ts';
import { recordVisibleTo } from '../access/index.ts';
import type { Facts } from './conditions.ts';
import type { Trigger, WorkflowDefinition } from './definition.ts';
import { enrol } from './enrol.ts';
import { loadFacts } from './facts.ts';
import { nextScheduleTime } from './schedule.ts';
import { definitionOf } from './store.ts';

type Event = Selectable<ChangeEventsTable>;
type Workflow = Selectable<WorkflowsTable>;
type Snapshot = Record<string, string | number | boolean | null>;

/** Events taken per transaction. */
const EVENT_BATCH = 200;

/**
 * The workflows' part of storing synced mail (composed with the CRM's as
 * hooks.onStored): a new email in INBOX-like folders is noted for the engine in
 * the batch's transaction, when some workflow waits for email.
 */
export async function onMessagesStoredForWorkflows(trx: Kysely<Database>, batch: StoredBatch): Promise<void> {
  if (batch.folder.special_use !== null && batch.folder.special_use !== '\\Inbox') return;
  const low = batch.folder.first_sync_low_uid;
  const fresh = batch.messages.filter((m) => m.created && (low === null || m.uid >= low));
  if (fresh.length === 0) return;
  const waiting = await trx
    .selectFrom('workflows')
    .select('id')
    .where('trigger_type', '=', 'email_received')
    .where('enabled', '=', 1)
    .where('owner_user_id', '=', batch.mailbox.owner_user_id)
    .executeTakeFirst();
  if (!waiting) return;
  const now = Date.now();
  await trx
    .insertInto('change_events')
    .values(
      fresh.map((m) => ({
        type: 'email_received' as const,
        record_id: null,
        message_id: m.id,
        mailbox_id: batch.mailbox.id,
        before_json: null,
        after_json: null,
        cause_run_id: null,
        created_at: now,
      })),
    )
    .execute();
}

/**
 * Turns a batch of change events into runs and deletes them, in one
 * transaction: each event is looked at once, whichever worker takes it.
 * Returns how many events were consumed.
 */
export async function consumeEvents(db: Kysely<Database>, dialect: Dialect, now: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let select = trx.selectFrom('change_events').selectAll().orderBy('id').limit(EVENT_BATCH);
    if (dialect === 'postgres') select = select.forUpdate().skipLocked();
    const events = await select.execute();
    if (events.length === 0) return 0;
    const workflows = await trx.selectFrom('workflows').selectAll().where('enabled', '=', 1).execute();
    for (const event of events) await consumeEvent(trx, dialect, event, workflows, now);
    await trx
      .deleteFrom('change_events')
      .where(
        'id',
        'in',
        events.map((e) => e.id),
      )
      .execute();
    return events.length;
  });
}

async function consumeEvent(
  trx: Kysely<Database>,
  dialect: Dialect,
  event: Event,
  workflows: Workflow[],
  now: number,
): Promise<void> {
  const concerned = workflows.filter((w) => w.trigger_type === event.type);
  if (concerned.length === 0) return;
  if (event.type === 'email_received') return consumeEmail(trx, dialect, event, concerned, now);
  const after = JSON.parse(event.after_json ?? '{}') as Snapshot;
  const before = event.before_json ? (JSON.parse(event.before_json) as Snapshot) : null;
  const recordId = event.record_id as string;
  let facts: Facts | undefined;
  for (const workflow of concerned) {
    const definition = definitionOf(workflow);
    if (!recordTriggerFires(definition.trigger, after, before)) continue;
    // A workflow's own change does not trigger it again (no loops); other workflows see it.
    if (event.cause_run_id && (await runOf(trx, event.cause_run_id)) === workflow.id) continue;
    if (!(await ownerSees(trx, workflow, recordId))) continue;
    facts ??= await loadFacts(trx, { recordId, before });
    await enrol(trx, dialect, {
      workflow,
      definition,
      recordId,
      dedupeKey: `event:${event.id}`,
      trigger: before ? describeChange(definition.trigger, before, after) : `${String(after.kind)} created`,
      facts: { ...facts, record: { ...facts.record, ...after } },
      now,
    });
  }
}

function recordTriggerFires(trigger: Trigger, after: Snapshot, before: Snapshot | null): boolean {
  if (trigger.type === 'record_created') return before === null && after.kind === trigger.recordType;
  if (trigger.type !== 'record_updated' || before === null || after.kind !== trigger.recordType) return false;
  if (trigger.field === undefined) return true;
  const was = text(before[trigger.field]);
  const is = text(after[trigger.field]);
  if (was === is) return false;
  if (trigger.from !== undefined && was !== trigger.from.trim().toLowerCase()) return false;
  if (trigger.to !== undefined && is !== trigger.to.trim().toLowerCase()) return false;
  return true;
}

function describeChange(trigger: Trigger, before: Snapshot, after: Snapshot): string {
  if (trigger.type === 'record_updated' && trigger.field)
    return `${String(after.kind)} ${trigger.field} changed from ${String(before[trigger.field] ?? '(empty)')} to ${String(after[trigger.field] ?? '(empty)')}`;
  return `${String(after.kind)} saved`;
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value).trim().toLowerCase();
}

async function consumeEmail(
  trx: Kysely<Database>,
  dialect: Dialect,
  event: Event,
  workflows: Workflow[],
  now: number,
): Promise<void> {
  const mailbox = await trx
    .selectFrom('mailboxes')
    .select(['owner_user_id'])
    .where('id', '=', event.mailbox_id ?? '')
    .executeTakeFirst();
  if (!mailbox || event.message_id === null) return;
  const owner = await trx
    .selectFrom('users')
    .select(['id', 'is_admin'])
    .where('id', '=', mailbox.owner_user_id)
    .executeTakeFirstOrThrow();
  // The contact (else lead) the email was filed to, among those the owner sees: the run's record.
  const linked = await trx
    .selectFrom('email_links')
    .innerJoin('records', 'records.id', 'email_links.record_id')
    .select('records.id')
    .where('email_links.message_id', '=', event.message_id)
    .where('email_links.state', '=', 'linked')
    .where('records.kind', 'in', ['contact', 'lead'])
    .where(recordVisibleTo({ id: owner.id, isAdmin: owner.is_admin === 1 }))
    .orderBy('records.kind')
    .executeTakeFirst();
  const facts = await loadFacts(trx, { recordId: linked?.id ?? null, messageId: event.message_id });
  for (const workflow of workflows) {
    if (workflow.owner_user_id !== mailbox.owner_user_id) continue; // only its owner's own mail
    const definition = definitionOf(workflow);
    const trigger = definition.trigger;
    if (trigger.type !== 'email_received') continue;
    if (trigger.mailboxId && trigger.mailboxId !== event.mailbox_id) continue;
    await enrol(trx, dialect, {
      workflow,
      definition,
      perCause: true, // every email is its own cause
      recordId: linked?.id ?? null,
      messageId: event.message_id,
      dedupeKey: `event:${event.id}`,
      trigger: `email received: ${String(facts.email?.subject ?? '')}`.slice(0, 300),
      facts,
      now,
    });
  }
}

/**
 * Schedules whose time came: each record of the kind that meets the
 * conditions gets a run for that slot; then the next time is set. Missed slots
 * (the process was down) fire once, late, not once each.
 */
export async function fireSchedules(
  db: Kysely<Database>,
  dialect: Dialect,
  timeZone: string,
  now: number,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let select = trx
      .selectFrom('workflows')
      .selectAll()
      .where('enabled', '=', 1)
      .where('trigger_type', 'in', ['schedule', 'date_field'])
      .where('next_fire_at', '<=', now);
    if (dialect === 'postgres') select = select.forUpdate().skipLocked();
    let fired = 0;
    for (const workflow of await select.execute()) {
      const definition = definitionOf(workflow);
      const { trigger } = definition;
      if (trigger.type === 'schedule') {
        fired += await fireSchedule(trx, dialect, workflow, definition, now);
        await trx
          .updateTable('workflows')
          .set({ next_fire_at: nextScheduleTime(trigger, timeZone, now) })
          .where('id', '=', workflow.id)
          .execute();
      } else if (trigger.type === 'date_field') {
        fired += await fireDates(trx, dialect, workflow, definition, now);
        await trx.updateTable('workflows').set({ next_fire_at: now }).where('id', '=', workflow.id).execute();
      }
    }
    return fired;
  });
}

async function fireSchedule(
  trx: Kysely<Database>,
  dialect: Dialect,
  workflow: Workflow,
  definition: WorkflowDefinition,
  now: number,
): Promise<number> {
  if (definition.trigger.type !== 'schedule') return 0;
  const slot = Number(workflow.next_fire_at);
  const records = await trx
    .selectFrom('records')
    .select('id')
    .where('kind', '=', definition.trigger.recordType)
    .where(recordVisibleTo(await ownerViewer(trx, workflow)))
    .orderBy('created_at')
    .execute();
  let fired = 0;
  for (const { id } of records) {
    const queued = await enrol(trx, dialect, {
      workflow,
      definition,
      recordId: id,
      dedupeKey: `schedule:${slot}:${id}`,
      trigger: `schedule ${new Date(slot).toISOString()}`,
      facts: await loadFacts(trx, { recordId: id }),
      now,
    });
    if (queued) fired += 1;
  }
  return fired;
}

const DATE_COLUMNS = { dueDate: 'due_at', createdAt: 'created_at', updatedAt: 'updated_at' } as const;

/** Records whose date (plus the offset) was reached since the last look. */
async function fireDates(
  trx: Kysely<Database>,
  dialect: Dialect,
  workflow: Workflow,
  definition: WorkflowDefinition,
  now: number,
): Promise<number> {
  const trigger = definition.trigger;
  if (trigger.type !== 'date_field') return 0;
  const since = Number(workflow.next_fire_at);
  const offset = trigger.offsetMinutes * 60_000;
  const column = DATE_COLUMNS[trigger.field];
  const records = await trx
    .selectFrom('records')
    .select(['id', column])
    .where('kind', '=', trigger.recordType)
    .where(column, '>', since - offset)
    .where(column, '<=', now - offset)
    .where(recordVisibleTo(await ownerViewer(trx, workflow)))
    .execute();
  let fired = 0;
  for (const record of records) {
    const date = Number((record as Record<string, unknown>)[column]);
    const queued = await enrol(trx, dialect, {
      workflow,
      definition,
      recordId: record.id,
      dedupeKey: `date:${record.id}:${date}`,
      trigger: `${trigger.field} ${trigger.offsetMinutes >= 0 ? '+' : ''}${trigger.offsetMinutes} min reached`,
      facts: await loadFacts(trx, { recordId: record.id }),
      now,
    });
    if (queued) fired += 1;
  }
  return fired;
}

async function runOf(trx: Kysely<Database>, runId: string): Promise<string | undefined> {
  return (await trx.selectFrom('workflow_runs').select('workflow_id').where('id', '=', runId).executeTakeFirst())
    ?.workflow_id;
}

export async function ownerViewer(
  trx: Kysely<Database>,
  workflow: Workflow,
): Promise<{ id: string; isAdmin: boolean }> {
  const user = await trx
    .selectFrom('users')
    .select(['id', 'is_admin'])
    .where('id', '=', workflow.owner_user_id)
    .executeTakeFirstOrThrow();
  return { id: user.id, isAdmin: user.is_admin === 1 };
}

/** A workflow acts only on records its owner sees. */
async function ownerSees(trx: Kysely<Database>, workflow: Workflow, recordId: string): Promise<boolean> {
  const viewer = await ownerViewer(trx, workflow);
  const found = await trx
    .selectFrom('records')
    .select('id')
    .where('id', '=', recordId)
    .where(recordVisibleTo(viewer))
    .executeTakeFirst();
  return found !== undefined;
}
