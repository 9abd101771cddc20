import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { Database, WorkflowsTable } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import type { Viewer } from './viewer.ts';

/** A workflow is seen and changed by the user who made it, and by admins. */
export function workflowOf(viewer: Viewer) {
  return (eb: ExpressionBuilder<Database, 'workflows'>) =>
    viewer.isAdmin ? eb('workflows.id', 'is not', null) : eb('workflows.owner_user_id', '=', viewer.id);
}

/** The viewer's workflow with this id, or not_found. */
export async function ownedWorkflow(
  db: Kysely<Database>,
  viewer: Viewer,
  id: string,
): Promise<Selectable<WorkflowsTable>> {
  const row = await db
    .selectFrom('workflows')
    .selectAll()
    .where('workflows.id', '=', id)
    .where(workflowOf(viewer))
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', 'No such workflow');
  return row;
}

/**
 * A workflow acts for its owner: it may send from a record owner's mailbox only
 * when that is its own owner's, or its owner is an admin.
 */
export function workflowMaySendAs(workflowOwner: Viewer, recordOwnerId: string): boolean {
  return workflowOwner.isAdmin || workflowOwner.id === recordOwnerId;
}
