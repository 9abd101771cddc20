import type { Kysely } from 'kysely';
import type { TandemContext } from '../context/index.ts';
import type { Database } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import { deleteMailbox } from '../mail/mailboxes/index.ts';
import type { SyncControl } from '../mail/sync/index.ts';
import { userView } from '../users/index.ts';

export interface DeletedUser {
  mailboxes: number;
  /** Records handed to `recordsTo`, their sharing unchanged. */
  records: number;
  recordsTo: string;
}

/**
 * Deletes a user. At once: they cannot sign in, every session and API token
 * ends. Then their mailboxes go as `DELETE /mailboxes/:id` removes one (the
 * synced mail, drafts, its links and every comment on it; the mail server keeps
 * its mail), then the user with what is theirs alone: mailroom rules, OAuth2
 * sign-ins, and the comments they wrote. The team's records they own stay and
 * pass to `recordsTo` (the administrator deleting them, or one the CLI names);
 * links they made stay.
 */
export async function deleteUser(
  context: TandemContext,
  sync: SyncControl,
  userId: string,
  options: { actorId: string | null; recordsTo: string | null },
): Promise<DeletedUser> {
  const { db } = context.store;
  const user = await userView(db, userId);
  if (userId === options.actorId) throw new TandemError('conflict', 'You cannot delete yourself; another admin can');
  if (user.admin && user.active && (await activeAdmins(db)) <= 1)
    throw new TandemError('conflict', 'This is the last administrator: make another user an admin first');
  const heir = await heirOf(db, userId, options.recordsTo ?? options.actorId);

  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ active: 0 }).where('id', '=', userId).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    await trx.deleteFrom('api_tokens').where('user_id', '=', userId).execute();
    await trx.deleteFrom('password_resets').where('user_id', '=', userId).execute();
  });
  const mailboxes = await db.selectFrom('mailboxes').select('id').where('owner_user_id', '=', userId).execute();
  for (const { id } of mailboxes) await deleteMailbox(context, sync, userId, id);
  const records = await db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('records')
      .set({ owner_user_id: heir })
      .where('owner_user_id', '=', userId)
      .executeTakeFirst();
    await trx.deleteFrom('users').where('id', '=', userId).execute();
    return Number(moved.numUpdatedRows);
  });
  return { mailboxes: mailboxes.length, records, recordsTo: heir };
}

/** Who takes the records: the given user (active, not the one deleted), else the oldest other active admin. */
async function heirOf(db: Kysely<Database>, userId: string, wanted: string | null): Promise<string> {
  let query = db
    .selectFrom('users')
    .select('id')
    .where('active', '=', 1)
    .where('id', '!=', userId)
    .orderBy('created_at')
    .limit(1);
  query = wanted ? query.where('id', '=', wanted) : query.where('is_admin', '=', 1);
  const heir = await query.executeTakeFirst();
  if (!heir)
    throw new TandemError(
      'validation_failed',
      wanted ? 'recordsTo: no other active user with that id' : 'No other active administrator to take the records',
    );
  return heir.id;
}

async function activeAdmins(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_admin', '=', 1)
    .where('active', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
