import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { managedMailbox } from '../../access/index.ts';
import type { AssignRule, Database, MailboxState } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';

export interface GroupMember {
  userId: string;
  /** May change the mailbox's folders and options, connect, disconnect and delete it. */
  canManage?: boolean | undefined;
  /** Takes part in round-robin assignment (default true). */
  available?: boolean | undefined;
}

export interface GroupView {
  id: string;
  name: string;
  members: { id: string; name: string; email: string; canManage: boolean; available: boolean }[];
}

/** Members must be distinct, existing, active users. */
export async function checkMembers(db: Kysely<Database>, members: GroupMember[]): Promise<void> {
  const ids = members.map((m) => m.userId);
  if (new Set(ids).size !== ids.length) throw new TandemError('validation_failed', 'members: a user is listed twice');
  if (ids.length === 0) return;
  const found = await db.selectFrom('users').select('id').where('id', 'in', ids).where('active', '=', 1).execute();
  const missing = ids.filter((id) => !found.some((u) => u.id === id));
  if (missing.length > 0) throw new TandemError('validation_failed', `members: no such user: ${missing.join(', ')}`);
}

export async function insertGroup(
  trx: Kysely<Database>,
  group: { name: string; members: GroupMember[] },
  now: number,
): Promise<string> {
  const id = randomUUID();
  await trx.insertInto('groups').values({ id, name: group.name.trim(), created_at: now }).execute();
  await insertMembers(trx, id, group.members, now);
  return id;
}

async function insertMembers(trx: Kysely<Database>, groupId: string, members: GroupMember[], now: number) {
  if (members.length === 0) return;
  await trx
    .insertInto('group_members')
    .values(
      members.map((m) => ({
        group_id: groupId,
        user_id: m.userId,
        can_manage: m.canManage ? 1 : 0,
        available: m.available === false ? 0 : 1,
        created_at: now,
      })),
    )
    .execute();
}

/** A group goes with its last mailbox. */
export async function removeGroupIfEmpty(trx: Kysely<Database>, groupId: string): Promise<void> {
  const left = await trx.selectFrom('mailboxes').select('id').where('group_id', '=', groupId).executeTakeFirst();
  if (!left) await trx.deleteFrom('groups').where('id', '=', groupId).execute();
}

export async function groupView(db: Kysely<Database>, groupId: string): Promise<GroupView> {
  const group = await db.selectFrom('groups').selectAll().where('id', '=', groupId).executeTakeFirstOrThrow();
  const members = await db
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .select(['users.id', 'users.name', 'users.email', 'group_members.can_manage', 'group_members.available'])
    .where('group_members.group_id', '=', groupId)
    .orderBy('users.name')
    .execute();
  return {
    id: group.id,
    name: group.name,
    members: members.map((m) => ({
      id: m.id,
      name: m.name,
      email: m.email,
      canManage: m.can_manage === 1,
      available: m.available === 1,
    })),
  };
}

/**
 * Replaces a group mailbox's name and members. Administrators may (they set
 * group mailboxes up, member or not), and members allowed to manage it.
 */
export async function setGroup(
  db: Kysely<Database>,
  viewer: { id: string; isAdmin: boolean },
  mailboxId: string,
  change: { name?: string | undefined; members?: GroupMember[] | undefined },
): Promise<void> {
  const mailbox = viewer.isAdmin
    ? await db.selectFrom('mailboxes').selectAll().where('id', '=', mailboxId).executeTakeFirst()
    : await managedMailbox(db, viewer.id, mailboxId);
  if (!mailbox) throw new TandemError('not_found', 'No such mailbox');
  const groupId = mailbox.group_id;
  if (groupId === null) throw new TandemError('validation_failed', 'A personal mailbox has no members');
  if (change.members) await checkMembers(db, change.members);
  await db.transaction().execute(async (trx) => {
    if (change.name !== undefined)
      await trx.updateTable('groups').set({ name: change.name.trim() }).where('id', '=', groupId).execute();
    if (change.members === undefined) return;
    const kept = await trx
      .selectFrom('group_members')
      .select(['user_id', 'last_assigned_at'])
      .where('group_id', '=', groupId)
      .execute();
    await trx.deleteFrom('group_members').where('group_id', '=', groupId).execute();
    await insertMembers(trx, groupId, change.members, Date.now());
    for (const k of kept)
      await trx
        .updateTable('group_members')
        .set({ last_assigned_at: k.last_assigned_at })
        .where('group_id', '=', groupId)
        .where('user_id', '=', k.user_id)
        .execute();
  });
}

/** A member says whether round-robin may give them conversations. */
export async function setAvailability(
  db: Kysely<Database>,
  userId: string,
  mailboxId: string,
  available: boolean,
): Promise<void> {
  const mailbox = await db.selectFrom('mailboxes').select('group_id').where('id', '=', mailboxId).executeTakeFirst();
  const result = await db
    .updateTable('group_members')
    .set({ available: available ? 1 : 0 })
    .where('group_id', '=', mailbox?.group_id ?? '')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new TandemError('not_found', 'No such mailbox');
}

export interface EditableGroupMailbox {
  mailboxId: string;
  address: string;
  state: MailboxState;
  /** The viewer is a member allowed to manage it: they also change its account, folders and options. */
  manages: boolean;
  group: GroupView & { emailToCase: boolean; caseTokenPrefix: string; assignRule: AssignRule };
}

/**
 * The group mailboxes whose name and members the viewer may change: every one
 * for an administrator (they set them up, member or not), else those of which
 * they are a member allowed to manage it. Oldest first.
 */
export async function editableGroupMailboxes(
  db: Kysely<Database>,
  viewer: { id: string; isAdmin: boolean },
): Promise<EditableGroupMailbox[]> {
  const rows = await db
    .selectFrom('mailboxes')
    .leftJoin('group_members', (join) =>
      join.onRef('group_members.group_id', '=', 'mailboxes.group_id').on('group_members.user_id', '=', viewer.id),
    )
    .select([
      'mailboxes.id',
      'mailboxes.address',
      'mailboxes.state',
      'mailboxes.group_id',
      'mailboxes.email_to_case',
      'mailboxes.case_token_prefix',
      'mailboxes.assign_rule',
      'group_members.can_manage',
    ])
    .where('mailboxes.group_id', 'is not', null)
    .$if(!viewer.isAdmin, (q) => q.where('group_members.can_manage', '=', 1))
    .orderBy('mailboxes.created_at')
    .execute();
  return Promise.all(
    rows.map(async (row) => ({
      mailboxId: row.id,
      address: row.address,
      state: row.state,
      manages: row.can_manage === 1,
      group: {
        ...(await groupView(db, row.group_id ?? '')),
        emailToCase: row.email_to_case === 1,
        caseTokenPrefix: row.case_token_prefix,
        assignRule: row.assign_rule,
      },
    })),
  );
}
