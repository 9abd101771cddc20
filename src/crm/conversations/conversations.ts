import type { Kysely } from 'kysely';
import { isGroupMember, ownedMailbox, visibleConversation } from '../../access/index.ts';
import type { ConversationStatus, Database } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import { subjectToken } from './threading.ts';
import { nextInTurn } from './file.ts';

export type ConversationFilter = 'all' | 'mine' | 'unassigned' | 'snoozed' | 'closed';

export interface ConversationView {
  id: string;
  mailboxId: string;
  subject: string;
  /** What replies carry in their subject so a reply without headers still finds this conversation. */
  token: string;
  customer: string | null;
  status: ConversationStatus;
  snoozedUntil: string | null;
  assignee: { id: string; name: string } | null;
  caseId: string | null;
  messages: number;
  lastActivityAt: string;
  createdAt: string;
}

export interface ConversationQuery {
  filter: ConversationFilter;
  status?: ConversationStatus | undefined;
  assigneeId?: string | undefined;
  limit: number;
  /** From the previous page's `nextCursor`. */
  cursor?: string | undefined;
}

/**
 * A group mailbox's conversations, latest activity first. `all` is every one
 * not closed and not snoozed; `mine` and `unassigned` narrow it; `snoozed`
 * lists those waiting for their time; `closed` the closed ones.
 */
export async function listConversations(
  db: Kysely<Database>,
  userId: string,
  mailboxId: string,
  query: ConversationQuery,
  now = Date.now(),
): Promise<{ items: ConversationView[]; nextCursor: string | null }> {
  const mailbox = await ownedMailbox(db, userId, mailboxId);
  if (mailbox.group_id === null) throw new TandemError('not_found', 'No such mailbox');
  const after = parseCursor(query.cursor);
  const rows = await base(db)
    .where('conversations.mailbox_id', '=', mailboxId)
    .$call((q) => {
      if (query.filter === 'closed') return q.where('conversations.status', '=', 'closed');
      const active = q.where('conversations.status', '!=', 'closed');
      if (query.filter === 'snoozed') return active.where('conversations.snoozed_until', '>', now);
      const awake = active.where((eb) =>
        eb.or([eb('conversations.snoozed_until', 'is', null), eb('conversations.snoozed_until', '<=', now)]),
      );
      if (query.filter === 'mine') return awake.where('conversations.assignee_user_id', '=', userId);
      if (query.filter === 'unassigned') return awake.where('conversations.assignee_user_id', 'is', null);
      return awake;
    })
    .$if(query.status !== undefined, (q) => q.where('conversations.status', '=', query.status ?? 'open'))
    .$if(query.assigneeId !== undefined, (q) => q.where('conversations.assignee_user_id', '=', query.assigneeId ?? ''))
    .$if(after !== null, (q) =>
      q.where((eb) =>
        eb.or([
          eb('conversations.last_activity_at', '<', after?.at ?? 0),
          eb.and([
            eb('conversations.last_activity_at', '=', after?.at ?? 0),
            eb('conversations.id', '<', after?.id ?? 0),
          ]),
        ]),
      ),
    )
    .orderBy('conversations.last_activity_at', 'desc')
    .orderBy('conversations.id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toView),
    nextCursor: rows.length > query.limit && last ? `${last.last_activity_at}.${last.id}` : null,
  };
}

export async function getConversation(db: Kysely<Database>, userId: string, id: string): Promise<ConversationView> {
  const { id: rowId } = await visibleConversation(db, userId, id);
  return toView(await base(db).where('conversations.id', '=', rowId).executeTakeFirstOrThrow());
}

export interface ConversationChange {
  status?: ConversationStatus | undefined;
  /** A member's id, or null to unassign. */
  assigneeId?: string | null | undefined;
  /** ISO time, or null to wake it now. */
  snoozedUntil?: string | null | undefined;
}

/** Status, assignee and snooze are Tandem's: nothing on the mail server changes. */
export async function changeConversation(
  db: Kysely<Database>,
  userId: string,
  id: string,
  change: ConversationChange,
): Promise<{ mailboxId: string }> {
  const conversation = await visibleConversation(db, userId, id);
  if (change.assigneeId && !(await isGroupMember(db, conversation.groupId, change.assigneeId)))
    throw new TandemError('validation_failed', 'assigneeId: not a member of this group mailbox');
  let snoozedUntil: number | null | undefined;
  if (change.snoozedUntil !== undefined) {
    snoozedUntil = change.snoozedUntil === null ? null : Date.parse(change.snoozedUntil);
    if (Number.isNaN(snoozedUntil)) throw new TandemError('validation_failed', 'snoozedUntil: not a time');
  }
  await db
    .updateTable('conversations')
    .set({
      ...(change.status === undefined ? {} : { status: change.status }),
      ...(change.assigneeId === undefined ? {} : { assignee_user_id: change.assigneeId }),
      ...(snoozedUntil === undefined ? {} : { snoozed_until: snoozedUntil }),
    })
    .where('id', '=', conversation.id)
    .execute();
  return { mailboxId: conversation.mailboxId };
}

/** Assigns by the round-robin rule: the available member who was given one longest ago. */
export async function assignInTurn(db: Kysely<Database>, userId: string, id: string): Promise<{ mailboxId: string }> {
  const conversation = await visibleConversation(db, userId, id);
  await db.transaction().execute(async (trx) => {
    const next = await nextInTurn(trx, conversation.groupId, Date.now());
    if (next === null) throw new TandemError('conflict', 'No member is available for round-robin');
    await trx.updateTable('conversations').set({ assignee_user_id: next }).where('id', '=', conversation.id).execute();
  });
  return { mailboxId: conversation.mailboxId };
}

function base(db: Kysely<Database>) {
  return db
    .selectFrom('conversations')
    .innerJoin('mailboxes', 'mailboxes.id', 'conversations.mailbox_id')
    .leftJoin('users', 'users.id', 'conversations.assignee_user_id')
    .selectAll('conversations')
    .select(['mailboxes.case_token_prefix', 'users.name as assignee_name'])
    .select((eb) =>
      eb
        .selectFrom('conversation_messages')
        .innerJoin('messages', 'messages.id', 'conversation_messages.message_id')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('conversation_messages.conversation_id', '=', 'conversations.id')
        .where('messages.orphaned_at', 'is', null)
        .as('message_count'),
    );
}

type Row = Awaited<ReturnType<ReturnType<typeof base>['executeTakeFirstOrThrow']>>;

function toView(row: Row): ConversationView {
  return {
    id: String(row.id),
    mailboxId: row.mailbox_id,
    subject: row.subject,
    token: subjectToken(row.case_token_prefix, row.id),
    customer: row.customer_address,
    status: row.status,
    snoozedUntil: row.snoozed_until === null ? null : new Date(Number(row.snoozed_until)).toISOString(),
    assignee: row.assignee_user_id ? { id: row.assignee_user_id, name: row.assignee_name ?? '' } : null,
    caseId: row.case_record_id,
    messages: Number(row.message_count ?? 0),
    lastActivityAt: new Date(Number(row.last_activity_at)).toISOString(),
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

function parseCursor(cursor: string | undefined): { at: number; id: number } | null {
  if (cursor === undefined) return null;
  const match = /^(\d{1,15})\.(\d{1,10})$/.exec(cursor);
  if (!match) throw new TandemError('validation_failed', 'cursor: use the nextCursor of the previous page');
  return { at: Number(match[1]), id: Number(match[2]) };
}
