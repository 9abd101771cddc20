import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import type { Viewer } from './viewer.ts';

/** Sharing model: a record is seen (and edited) by its owner, by everyone when shared, and by admins. */
export function recordVisibleTo(viewer: Viewer) {
  return (eb: ExpressionBuilder<Database, 'records'>) =>
    viewer.isAdmin
      ? eb('records.id', 'is not', null)
      : eb.or([eb('records.owner_user_id', '=', viewer.id), eb('records.shared', '=', 1)]);
}

/** Only the owner or an admin deletes a record, hands it to another owner or changes its sharing. */
export function canManageRecord(viewer: Viewer, ownerId: string): boolean {
  return viewer.isAdmin || ownerId === viewer.id;
}

/** A record's new owner: refused unless the viewer may manage it, and the new owner exists. */
export async function checkNewOwner(
  db: Kysely<Database>,
  viewer: Viewer,
  ownerId: string,
  current: string,
): Promise<string> {
  if (ownerId === current) return ownerId;
  if (!canManageRecord(viewer, current))
    throw new TandemError('forbidden', 'Only the record’s owner or an admin can change its owner');
  const user = await db.selectFrom('users').select('id').where('id', '=', ownerId).executeTakeFirst();
  if (!user) throw new TandemError('validation_failed', 'ownerId: no such user');
  return ownerId;
}
