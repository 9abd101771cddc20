import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, MailroomRulesTable } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import { ownedMailboxIds, ownedRule, ruleOf } from '../../access/index.ts';
import type { Viewer } from '../../access/index.ts';
import type { RuleAction, RuleCondition, RuleInput, RulePatch } from './rule-schema.ts';

export interface RuleView {
  id: string;
  name: string;
  mailboxId: string | null;
  position: number;
  enabled: boolean;
  match: 'all' | 'any';
  conditions: RuleCondition[];
  actions: RuleAction[];
  createdAt: string;
  updatedAt: string;
}

/** A user's mailroom rules (Automate Tasks), in the order they run. */
export async function listRules(db: Kysely<Database>, viewer: Viewer): Promise<RuleView[]> {
  const rows = await db
    .selectFrom('mailroom_rules')
    .selectAll()
    .where(ruleOf(viewer.id))
    .orderBy('position')
    .orderBy('created_at')
    .execute();
  return rows.map(toView);
}

export async function createRule(db: Kysely<Database>, viewer: Viewer, input: RuleInput): Promise<RuleView> {
  await checkMailbox(db, viewer, input.mailboxId ?? null);
  const last = await db
    .selectFrom('mailroom_rules')
    .select((eb) => eb.fn.max('position').as('max'))
    .where(ruleOf(viewer.id))
    .executeTakeFirst();
  const now = Date.now();
  const row: Selectable<MailroomRulesTable> = {
    id: randomUUID(),
    owner_user_id: viewer.id,
    mailbox_id: input.mailboxId ?? null,
    name: input.name,
    position: input.position ?? (last?.max === null || last?.max === undefined ? 0 : Number(last.max) + 1),
    enabled: input.enabled === false ? 0 : 1,
    match: input.match,
    conditions: JSON.stringify(input.conditions),
    actions: JSON.stringify(input.actions),
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('mailroom_rules').values(row).execute();
  return toView(row);
}

export async function updateRule(
  db: Kysely<Database>,
  viewer: Viewer,
  id: string,
  patch: RulePatch,
): Promise<RuleView> {
  const row = await ownedRule(db, viewer.id, id);
  if (patch.mailboxId !== undefined) await checkMailbox(db, viewer, patch.mailboxId);
  const next: Selectable<MailroomRulesTable> = {
    ...row,
    mailbox_id: patch.mailboxId === undefined ? row.mailbox_id : patch.mailboxId,
    name: patch.name ?? row.name,
    position: patch.position ?? row.position,
    enabled: patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
    match: patch.match ?? row.match,
    conditions: patch.conditions ? JSON.stringify(patch.conditions) : row.conditions,
    actions: patch.actions ? JSON.stringify(patch.actions) : row.actions,
    updated_at: Date.now(),
  };
  await db.updateTable('mailroom_rules').set(next).where('id', '=', id).execute();
  return toView(next);
}

export async function deleteRule(db: Kysely<Database>, viewer: Viewer, id: string): Promise<void> {
  await ownedRule(db, viewer.id, id);
  await db.deleteFrom('mailroom_rules').where('id', '=', id).execute();
}

async function checkMailbox(db: Kysely<Database>, viewer: Viewer, mailboxId: string | null): Promise<void> {
  if (mailboxId === null) return;
  // Another user's mailbox answers like a missing one, as on every route naming a mailbox.
  if (!(await ownedMailboxIds(db, viewer.id)).includes(mailboxId))
    throw new TandemError('not_found', 'No such mailbox');
}

export function toView(row: Selectable<MailroomRulesTable>): RuleView {
  return {
    id: row.id,
    name: row.name,
    mailboxId: row.mailbox_id,
    position: row.position,
    enabled: row.enabled === 1,
    match: row.match,
    conditions: JSON.parse(row.conditions) as RuleCondition[],
    actions: JSON.parse(row.actions) as RuleAction[],
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
