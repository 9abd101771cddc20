import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, WorkflowsTable } from '../db/index.ts';
import type { Viewer } from '../access/index.ts';
import { ownedMailbox, ownedWorkflow, workflowOf } from '../access/index.ts';
import { TandemError } from '../errors/index.ts';
import { unknownMergeTags } from '../mail/mime/index.ts';
import type { BlobStore } from '../blobs/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { WorkflowDefinition, WorkflowInput } from './definition.ts';
import { nextScheduleTime } from './schedule.ts';
import { storeTemplateAttachments } from './template-attachments.ts';
import { sealWebhookSecrets, withoutSecrets } from './webhook-secrets.ts';

/** What saving a workflow needs: the workspace time zone, the clock, the box that seals webhook secrets. */
interface SaveContext {
  timeZone: string;
  now: number;
  secrets: SecretBox;
  blobs: BlobStore;
}

export interface WorkflowView extends WorkflowInput {
  id: string;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
}

export async function listWorkflows(db: Kysely<Database>, viewer: Viewer): Promise<WorkflowView[]> {
  const rows = await db.selectFrom('workflows').selectAll().where(workflowOf(viewer)).orderBy('name').execute();
  return rows.map(workflowView);
}

export async function getWorkflow(db: Kysely<Database>, viewer: Viewer, id: string): Promise<WorkflowView> {
  return workflowView(await ownedWorkflow(db, viewer, id));
}

export async function createWorkflow(
  db: Kysely<Database>,
  viewer: Viewer,
  input: WorkflowInput,
  context: SaveContext,
): Promise<WorkflowView> {
  checkDefinition(input);
  await checkSenders(db, viewer, input);
  const id = randomUUID();
  await db
    .insertInto('workflows')
    .values({
      id,
      owner_user_id: viewer.id,
      ...(await columns(input, context, [])),
      created_at: context.now,
      updated_at: context.now,
    })
    .execute();
  return getWorkflow(db, viewer, id);
}

export async function updateWorkflow(
  db: Kysely<Database>,
  viewer: Viewer,
  id: string,
  input: WorkflowInput,
  context: SaveContext,
): Promise<WorkflowView> {
  const current = await ownedWorkflow(db, viewer, id);
  checkDefinition(input);
  await checkSenders(db, viewer, input);
  const next = await columns(input, context, definitionOf(current).actions);
  // A date-field scan keeps its place unless the trigger changed.
  if (input.trigger.type === 'date_field' && current.definition_json.includes('"date_field"'))
    next.next_fire_at = current.next_fire_at;
  await db
    .updateTable('workflows')
    .set({ ...next, updated_at: context.now })
    .where('id', '=', id)
    .execute();
  return getWorkflow(db, viewer, id);
}

export async function deleteWorkflow(db: Kysely<Database>, viewer: Viewer, id: string): Promise<void> {
  await ownedWorkflow(db, viewer, id);
  await db.deleteFrom('workflows').where('id', '=', id).execute();
}

export function definitionOf(row: Pick<Selectable<WorkflowsTable>, 'definition_json'>): WorkflowDefinition {
  return JSON.parse(row.definition_json) as WorkflowDefinition;
}

async function columns(input: WorkflowInput, context: SaveContext, storedActions: readonly unknown[]) {
  const { name, enabled, ...definition } = input;
  const { trigger } = definition;
  const withFiles = await storeTemplateAttachments(context.blobs, definition.actions, storedActions);
  const actions = sealWebhookSecrets(context.secrets, withFiles, storedActions);
  return {
    name,
    enabled: enabled ? (1 as const) : (0 as const),
    definition_json: JSON.stringify({ ...definition, actions }),
    trigger_type: trigger.type,
    next_fire_at:
      trigger.type === 'schedule'
        ? nextScheduleTime(trigger, context.timeZone, context.now)
        : trigger.type === 'date_field'
          ? context.now // dates reached from now on
          : null,
  };
}

/** What the schema cannot say: a template's unknown tags, modes that need a record. */
function checkDefinition(input: WorkflowInput): void {
  for (const [index, action] of input.actions.entries()) {
    const texts =
      action.type === 'send_email'
        ? [action.template.subject, action.template.text ?? '', action.template.html ?? '']
        : action.type === 'create_record'
          ? [action.name, action.description ?? '']
          : action.type === 'add_comment'
            ? [action.body]
            : [];
    const unknown = [...new Set(texts.flatMap(unknownMergeTags))];
    if (unknown.length > 0)
      throw new TandemError(
        'validation_failed',
        `actions.${index}: unknown merge tag${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `{{${t}}}`).join(', ')}`,
      );
    if (action.type === 'wait' && (action.minutes === undefined) === (action.untilField === undefined))
      throw new TandemError('validation_failed', `actions.${index}: a wait takes minutes or untilField, one of them`);
  }
  if (input.trigger.type === 'email_received' && input.mode !== 'every_save')
    throw new TandemError('validation_failed', 'mode: an email trigger runs for every email (mode every_save)');
  if (input.mode === 'first_save' && input.trigger.type !== 'record_created')
    throw new TandemError('validation_failed', 'mode first_save goes with the record_created trigger');
}

/** A Send Email from a group mailbox names one the workflow's owner is a member of. */
async function checkSenders(db: Kysely<Database>, viewer: Viewer, input: WorkflowInput): Promise<void> {
  for (const [index, action] of input.actions.entries()) {
    if (action.type !== 'send_email' || action.mailboxId === undefined) continue;
    const mailbox = await ownedMailbox(db, viewer.id, action.mailboxId).catch(() => null);
    if (mailbox?.kind !== 'group')
      throw new TandemError('validation_failed', `actions.${index}.mailboxId: not a group mailbox you are a member of`);
  }
}

function workflowView(row: Selectable<WorkflowsTable>): WorkflowView {
  const definition = definitionOf(row);
  return {
    id: row.id,
    ownerId: row.owner_user_id,
    name: row.name,
    enabled: row.enabled === 1,
    ...definition,
    actions: withoutSecrets(definition.actions),
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}
