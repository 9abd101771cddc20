import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { visibleMessage } from '../access/index.ts';
import type { Database } from '../db/index.ts';
import { publishMailEvent } from '../events/index.ts';

/** What a user is told in the app. `kind` names what happened ('mention', 'reply'; later kinds may be added). */
export interface NotificationView {
  id: string;
  kind: string;
  summary: string;
  /** The email it is about, when the user can still see it. */
  messageId: string | null;
  actor: { id: string; name: string } | null;
  createdAt: string;
  read: boolean;
}

export const NOTIFICATIONS_PAGE = 50;

/**
 * Tells `userId` something, about an email they can see (or none). The
 * user's open views hear of it at once; a notice about an email the user
 * cannot see is never made, so nothing of a private email reaches them.
 */
export async function notify(
  db: Kysely<Database>,
  notice: { userId: string; kind: string; summary: string; messageId: number | null; actorUserId: string | null },
): Promise<void> {
  if (notice.messageId !== null) {
    const visible = await visibleMessage(db, { id: notice.userId, isAdmin: false }, notice.messageId).then(
      () => true,
      () => false,
    );
    if (!visible) return;
  }
  await insertNotification(db, notice);
  publishMailEvent({ type: 'notifications.changed', userId: notice.userId });
}

/** The row alone, for callers inside a transaction (their views re-read on the mail event that follows). */
export async function insertNotification(
  db: Kysely<Database>,
  notice: { userId: string; kind: string; summary: string; messageId: number | null; actorUserId: string | null },
): Promise<void> {
  await db
    .insertInto('notifications')
    .values({
      id: randomUUID(),
      user_id: notice.userId,
      kind: notice.kind,
      message_id: notice.messageId,
      actor_user_id: notice.actorUserId,
      summary: notice.summary,
      created_at: Date.now(),
      read_at: null,
    })
    .execute();
}

/** The user's newest notifications and how many are unread. */
export async function listNotifications(
  db: Kysely<Database>,
  userId: string,
): Promise<{ items: NotificationView[]; unread: number }> {
  const rows = await db
    .selectFrom('notifications')
    .leftJoin('users', 'users.id', 'notifications.actor_user_id')
    .select([
      'notifications.id',
      'notifications.kind',
      'notifications.summary',
      'notifications.message_id',
      'notifications.actor_user_id',
      'notifications.created_at',
      'notifications.read_at',
      'users.name as actor_name',
    ])
    .where('notifications.user_id', '=', userId)
    .orderBy('notifications.created_at', 'desc')
    .orderBy('notifications.id')
    .limit(NOTIFICATIONS_PAGE)
    .execute();
  const { unread } = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('unread'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      summary: r.summary,
      messageId: r.message_id === null ? null : String(r.message_id),
      actor: r.actor_user_id ? { id: r.actor_user_id, name: r.actor_name ?? '' } : null,
      createdAt: new Date(r.created_at).toISOString(),
      read: r.read_at !== null,
    })),
    unread: Number(unread),
  };
}

/** Marks the given notifications of the user read (all of them when `ids` is undefined). */
export async function markNotificationsRead(db: Kysely<Database>, userId: string, ids?: string[]): Promise<void> {
  if (ids !== undefined && ids.length === 0) return;
  await db
    .updateTable('notifications')
    .set({ read_at: Date.now() })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .$if(ids !== undefined, (q) => q.where('id', 'in', ids ?? []))
    .execute();
  publishMailEvent({ type: 'notifications.changed', userId });
}

/**
 * Inside the transaction that stores a batch: a reply to an email the mailbox
 * sent tells the mailbox's owner (their views re-read on the mail event that follows).
 */
export async function notifyReplies(
  trx: Kysely<Database>,
  mailbox: { id: string; address: string; owner_user_id: string },
  messageIds: number[],
): Promise<void> {
  if (messageIds.length === 0) return;
  const replies = await trx
    .selectFrom('messages as reply')
    .innerJoin('messages as sent', (join) =>
      join.onRef('sent.message_id', '=', 'reply.in_reply_to').onRef('sent.mailbox_id', '=', 'reply.mailbox_id'),
    )
    .select(['reply.id', 'reply.from_name', 'reply.from_address', 'sent.subject'])
    .where('reply.id', 'in', messageIds)
    .where('sent.from_address', '=', mailbox.address)
    .where('reply.from_address', '!=', mailbox.address)
    .execute();
  for (const reply of replies)
    await insertNotification(trx, {
      userId: mailbox.owner_user_id,
      kind: 'reply',
      summary: `${reply.from_name || reply.from_address || 'Someone'} replied to “${reply.subject || '(no subject)'}”`,
      messageId: reply.id,
      actorUserId: null,
    });
}
