import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { StoredBatch } from '../../mail/run/index.ts';
import { automaticReason } from './automatic.ts';
import { openCase, linkToCase } from './cases.ts';
import { findConversation } from './threading.ts';
import type { ThreadMatch } from './threading.ts';

/** Folders whose mail is no conversation's: unfinished, thrown away, or spam. */
const NOT_FILED = ['\\Drafts', '\\Trash', '\\Junk'];

/** A sender may open this many conversations per mailbox per hour; more join their latest one (a runaway exchange). */
export const NEW_CONVERSATIONS_PER_SENDER_PER_HOUR = 10;
const HOUR_MS = 60 * 60 * 1000;

type Mailbox = { id: string; address: string; owner_user_id: string; group_id: string | null } & {
  email_to_case: number;
  case_token_prefix: string;
  assign_rule: string;
};

interface Email {
  id: number;
  message_id: string | null;
  in_reply_to: string | null;
  references: string;
  subject: string;
  from_address: string | null;
  date: number;
  headers_json: string;
  partTypes: string[];
}

/**
 * Files the newly stored emails of a group mailbox into conversations, inside
 * the batch's transaction (docs/group-mailboxes.md): each joins the
 * conversation its signals name, or a mail from a customer opens a new one
 * (assigned by the mailbox's rule, with a case when email-to-case is on). A
 * customer's mail reopens a closed or pending conversation. Automatic mail and
 * mail from the group's own address never open, reopen or file anything.
 */
export async function fileConversations(trx: Kysely<Database>, batch: StoredBatch): Promise<void> {
  if (batch.mailbox.group_id === null) return;
  if (batch.folder.special_use !== null && NOT_FILED.includes(batch.folder.special_use)) return;
  const fresh = batch.messages.filter((m) => m.created).map((m) => m.id);
  if (fresh.length === 0) return;
  const mailbox = await trx
    .selectFrom('mailboxes')
    .select(['id', 'address', 'owner_user_id', 'group_id', 'email_to_case', 'case_token_prefix', 'assign_rule'])
    .where('id', '=', batch.mailbox.id)
    .executeTakeFirstOrThrow();
  for (const email of await emailsOf(trx, fresh)) await fileOne(trx, mailbox, email);
}

async function emailsOf(trx: Kysely<Database>, ids: number[]): Promise<Email[]> {
  const filed = new Set(
    (await trx.selectFrom('conversation_messages').select('message_id').where('message_id', 'in', ids).execute()).map(
      (r) => r.message_id,
    ),
  );
  const todo = ids.filter((id) => !filed.has(id));
  if (todo.length === 0) return [];
  const rows = await trx
    .selectFrom('messages')
    .select(['id', 'message_id', 'in_reply_to', 'references', 'subject', 'from_address', 'date', 'headers_json'])
    .where('id', 'in', todo)
    .orderBy('date')
    .orderBy('id')
    .execute();
  const parts = await trx
    .selectFrom('attachments')
    .select(['message_id', 'content_type'])
    .where('message_id', 'in', todo)
    .execute();
  return rows.map((r) => ({
    ...r,
    partTypes: parts.filter((p) => p.message_id === r.id).map((p) => p.content_type),
  }));
}

async function fileOne(trx: Kysely<Database>, mailbox: Mailbox, email: Email): Promise<void> {
  const from = (email.from_address ?? '').toLowerCase();
  const ours = from === mailbox.address.toLowerCase();
  const automatic =
    !ours && automaticReason({ fromAddress: from, headers: headersOf(email), partTypes: email.partTypes }) !== null;
  const match = await findConversation(trx, mailbox, {
    messageId: email.message_id,
    referenced: referencedIds(email),
    subject: email.subject,
  });
  if (match) return join(trx, email, match, { customer: !ours && !automatic, automatic });
  if (ours || automatic || from === '') return;
  const latest = await overCap(trx, mailbox.id, from, email.date);
  if (latest !== null)
    return join(
      trx,
      email,
      { conversationId: latest, signal: 'cap', actorUserId: null },
      { customer: false, automatic: false },
    );
  await open(trx, mailbox, email, from);
}

/** An email joins a conversation; a customer's reopens it (and ends a snooze). */
async function join(
  trx: Kysely<Database>,
  email: Email,
  match: ThreadMatch | { conversationId: number; signal: 'cap'; actorUserId: null },
  how: { customer: boolean; automatic: boolean },
): Promise<void> {
  await trx
    .insertInto('conversation_messages')
    .values({
      message_id: email.id,
      conversation_id: match.conversationId,
      signal: match.signal,
      automatic: how.automatic ? 1 : 0,
    })
    .execute();
  await trx
    .insertInto('conversation_events')
    .values({
      conversation_id: match.conversationId,
      kind: 'message',
      actor_user_id: match.actorUserId,
      message_id: email.id,
      comment_id: null,
      created_at: Date.now(),
    })
    .execute();
  const conversation = await trx
    .selectFrom('conversations')
    .select(['last_activity_at', 'case_record_id'])
    .where('id', '=', match.conversationId)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('conversations')
    .set({
      last_activity_at: Math.max(conversation.last_activity_at, email.date),
      ...(how.customer ? { status: 'open' as const, snoozed_until: null } : {}),
    })
    .where('id', '=', match.conversationId)
    .execute();
  if (conversation.case_record_id && !how.automatic) await linkToCase(trx, email.id, conversation.case_record_id);
}

async function open(trx: Kysely<Database>, mailbox: Mailbox, email: Email, from: string): Promise<void> {
  const now = Date.now();
  const assignee = mailbox.assign_rule === 'round_robin' ? await nextInTurn(trx, mailbox.group_id ?? '', now) : null;
  const { id } = await trx
    .insertInto('conversations')
    .values({
      mailbox_id: mailbox.id,
      subject: email.subject,
      customer_address: from,
      status: 'open',
      snoozed_until: null,
      assignee_user_id: assignee,
      case_record_id: null,
      last_activity_at: email.date,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('conversation_messages')
    .values({ message_id: email.id, conversation_id: id, signal: 'new', automatic: 0 })
    .execute();
  await trx
    .insertInto('conversation_events')
    .values({
      conversation_id: id,
      kind: 'message',
      actor_user_id: null,
      message_id: email.id,
      comment_id: null,
      created_at: now,
    })
    .execute();
  if (mailbox.email_to_case === 1) {
    const caseId = await openCase(trx, mailbox, {
      conversationId: id,
      messageId: email.id,
      subject: email.subject,
      from,
    });
    await trx.updateTable('conversations').set({ case_record_id: caseId }).where('id', '=', id).execute();
  }
}

/** The sender's latest conversation when they opened too many in the last hour, else null. */
async function overCap(trx: Kysely<Database>, mailboxId: string, from: string, date: number): Promise<number | null> {
  const recent = await trx
    .selectFrom('conversations')
    .select('id')
    .where('mailbox_id', '=', mailboxId)
    .where('customer_address', '=', from)
    .where('created_at', '>', Math.min(Date.now(), date) - HOUR_MS)
    .orderBy('id', 'desc')
    .execute();
  return recent.length >= NEW_CONVERSATIONS_PER_SENDER_PER_HOUR ? (recent[0]?.id ?? null) : null;
}

/** Round-robin: the available, active member who was given a conversation longest ago. */
export async function nextInTurn(trx: Kysely<Database>, groupId: string, now: number): Promise<string | null> {
  const next = await trx
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .select('group_members.user_id')
    .where('group_members.group_id', '=', groupId)
    .where('group_members.available', '=', 1)
    .where('users.active', '=', 1)
    .orderBy('group_members.last_assigned_at')
    .orderBy('group_members.created_at')
    .orderBy('group_members.user_id')
    .executeTakeFirst();
  if (!next) return null;
  await trx
    .updateTable('group_members')
    .set({ last_assigned_at: now })
    .where('group_id', '=', groupId)
    .where('user_id', '=', next.user_id)
    .execute();
  return next.user_id;
}

function headersOf(email: Email): Record<string, string> {
  try {
    return JSON.parse(email.headers_json) as Record<string, string>;
  } catch {
    return {};
  }
}

function referencedIds(email: Email): string[] {
  let references: string[] = [];
  try {
    references = JSON.parse(email.references) as string[];
  } catch {
    references = [];
  }
  const ids = [...(email.in_reply_to ? [email.in_reply_to] : []), ...references.slice().reverse()];
  return [...new Set(ids)];
}
