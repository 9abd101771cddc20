import type { Kysely } from 'kysely';
import { visibleConversation } from '../../access/index.ts';
import type { Viewer } from '../../access/index.ts';
import type { ConversationEventKind, Database, ThreadSignal } from '../../db/index.ts';
import { addComment, commentsOf } from '../comments.ts';
import type { CommentView } from '../comments.ts';

export interface ConversationMessage {
  id: string;
  fromAddress: string | null;
  fromName: string | null;
  subject: string;
  snippet: string;
  date: string;
  /** Written from the group's address (a reply from Tandem or from a mail app). */
  outbound: boolean;
  automatic: boolean;
  /** How it was threaded: new, sent (our reply), references, token, cap. */
  signal: ThreadSignal;
}

/** Something that happened in a conversation after a given point, by whom. */
export interface ActivityItem {
  kind: ConversationEventKind;
  by: { id: string; name: string } | null;
  messageId: string | null;
  summary: string;
  at: string;
}

/** The conversation's emails, oldest first, and its internal notes. */
export async function conversationThread(
  db: Kysely<Database>,
  viewer: Viewer,
  id: string,
): Promise<{ messages: ConversationMessage[]; notes: CommentView[]; cursor: string }> {
  const conversation = await visibleConversation(db, viewer.id, id);
  const mailbox = await db
    .selectFrom('mailboxes')
    .select('address')
    .where('id', '=', conversation.mailboxId)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('conversation_messages')
    .innerJoin('messages', 'messages.id', 'conversation_messages.message_id')
    .select([
      'messages.id',
      'messages.from_address',
      'messages.from_name',
      'messages.subject',
      'messages.snippet',
      'messages.date',
      'conversation_messages.automatic',
      'conversation_messages.signal',
    ])
    .where('conversation_messages.conversation_id', '=', conversation.id)
    .where('messages.orphaned_at', 'is', null)
    .orderBy('messages.date')
    .orderBy('messages.id')
    .execute();
  const root = rows[0];
  return {
    messages: rows.map((r) => ({
      id: String(r.id),
      fromAddress: r.from_address,
      fromName: r.from_name,
      subject: r.subject,
      snippet: r.snippet,
      date: new Date(Number(r.date)).toISOString(),
      outbound: (r.from_address ?? '').toLowerCase() === mailbox.address.toLowerCase(),
      automatic: r.automatic === 1,
      signal: r.signal,
    })),
    notes: root ? await notesOf(db, viewer, conversation.id) : [],
    cursor: await cursorOf(db, conversation.id),
  };
}

/** Where the conversation stands now: what a later collision check compares with. */
export async function cursorOf(db: Kysely<Database>, conversationId: number): Promise<string> {
  const row = await db
    .selectFrom('conversation_events')
    .select((eb) => eb.fn.max('id').as('last'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return String(row?.last ?? 0);
}

/**
 * What others did in the conversation after `cursor`: a customer's email, a
 * colleague's reply (from Tandem, or from a mail app, found in Sent), a note.
 * The viewer's own replies and notes are not news to them, and the copy in
 * Sent of a reply from Tandem is not news again.
 */
export async function newSince(
  db: Kysely<Database>,
  viewerId: string,
  conversationId: number,
  cursor: string,
): Promise<ActivityItem[]> {
  const after = /^\d{1,10}$/.test(cursor) ? Number(cursor) : 0;
  const rows = await db
    .selectFrom('conversation_events')
    .leftJoin('users', 'users.id', 'conversation_events.actor_user_id')
    .leftJoin('messages', 'messages.id', 'conversation_events.message_id')
    .leftJoin('comments', 'comments.id', 'conversation_events.comment_id')
    .select([
      'conversation_events.kind',
      'conversation_events.actor_user_id',
      'conversation_events.created_at',
      'users.name',
      'messages.id as message_id',
      'messages.message_id as message_id_header',
      'messages.from_address',
      'messages.snippet',
      'comments.body',
    ])
    .where('conversation_events.conversation_id', '=', conversationId)
    .where('conversation_events.id', '>', after)
    .orderBy('conversation_events.id')
    .execute();
  // The copy in Sent of a reply sent from Tandem: its `reply` event already told of it.
  const headers = rows.map((r) => r.message_id_header).filter((h): h is string => h !== null);
  const fromTandem = new Set(
    headers.length === 0
      ? []
      : (
          await db
            .selectFrom('conversation_sends')
            .select('message_id_header')
            .where('message_id_header', 'in', headers)
            .execute()
        ).map((r) => r.message_id_header),
  );
  return rows
    .filter((r) => r.actor_user_id !== viewerId && !(r.message_id_header && fromTandem.has(r.message_id_header)))
    .map((r) => ({
      kind: r.kind,
      by: r.actor_user_id ? { id: r.actor_user_id, name: r.name ?? '' } : null,
      messageId: r.message_id === null ? null : String(r.message_id),
      summary: r.kind === 'note' ? (r.body ?? '').slice(0, 200) : `${r.from_address ?? ''}: ${r.snippet ?? ''}`,
      at: new Date(Number(r.created_at)).toISOString(),
    }));
}

/** Records something a member did in the conversation. */
export async function recordActivity(
  db: Kysely<Database>,
  conversationId: number,
  kind: ConversationEventKind,
  actorUserId: string,
  ref: { messageId?: number; commentId?: number } = {},
): Promise<void> {
  const now = Date.now();
  await db
    .insertInto('conversation_events')
    .values({
      conversation_id: conversationId,
      kind,
      actor_user_id: actorUserId,
      message_id: ref.messageId ?? null,
      comment_id: ref.commentId ?? null,
      created_at: now,
    })
    .execute();
  await db.updateTable('conversations').set({ last_activity_at: now }).where('id', '=', conversationId).execute();
}

/**
 * An internal note: a comment on the conversation's first email (comments
 * stay in Tandem and never reach the mail server), @mentions recorded as for
 * any comment.
 */
export async function addNote(
  db: Kysely<Database>,
  viewer: Viewer,
  id: string,
  body: string,
): Promise<{ note: CommentView; mailboxId: string }> {
  const conversation = await visibleConversation(db, viewer.id, id);
  const root = await rootMessage(db, conversation.id);
  const note = await addComment(db, viewer, String(root), body);
  await recordActivity(db, conversation.id, 'note', viewer.id, { commentId: Number(note.id) });
  return { note, mailboxId: conversation.mailboxId };
}

async function notesOf(db: Kysely<Database>, viewer: Viewer, conversationId: number): Promise<CommentView[]> {
  return commentsOf(db, viewer, await rootMessage(db, conversationId));
}

async function rootMessage(db: Kysely<Database>, conversationId: number): Promise<number> {
  const root = await db
    .selectFrom('conversation_messages')
    .innerJoin('messages', 'messages.id', 'conversation_messages.message_id')
    .select('messages.id')
    .where('conversation_messages.conversation_id', '=', conversationId)
    .orderBy('messages.date')
    .orderBy('messages.id')
    .executeTakeFirstOrThrow();
  return root.id;
}
