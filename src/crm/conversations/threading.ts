import type { Kysely } from 'kysely';
import type { Database, ThreadSignal } from '../../db/index.ts';

/** What threading looks at in an email. */
export interface ThreadClues {
  /** Its own Message-ID, normalized. */
  messageId: string | null;
  /** In-Reply-To first, then References from the newest back. */
  referenced: string[];
  subject: string;
}

export interface ThreadMatch {
  conversationId: number;
  signal: Exclude<ThreadSignal, 'new' | 'cap'>;
  /** The member who sent it from Tandem, when it is (a copy of) one of our replies. */
  actorUserId: string | null;
}

/**
 * The conversation an email of a group mailbox belongs to, by these signals in
 * this order, and never by subject alone:
 * 1. our own replies: its Message-ID, or one it refers to, is one Tandem sent from a conversation;
 * 2. In-Reply-To / References naming an email already in a conversation of this mailbox;
 * 3. the conversation's token in the subject (`[#1234]`, the prefix per mailbox), which
 *    survives clients that drop the headers.
 */
export async function findConversation(
  trx: Kysely<Database>,
  mailbox: { id: string; case_token_prefix: string },
  clues: ThreadClues,
): Promise<ThreadMatch | null> {
  const own = clues.messageId === null ? [] : [clues.messageId];
  const ids = [...own, ...clues.referenced];
  if (ids.length > 0) {
    const sent = await trx
      .selectFrom('conversation_sends')
      .innerJoin('conversations', 'conversations.id', 'conversation_sends.conversation_id')
      .select([
        'conversation_sends.conversation_id',
        'conversation_sends.user_id',
        'conversation_sends.message_id_header',
      ])
      .where('conversations.mailbox_id', '=', mailbox.id)
      .where('conversation_sends.message_id_header', 'in', ids)
      .execute();
    const mine = sent.find((s) => s.message_id_header === clues.messageId);
    const first = mine ?? sent.sort((a, b) => ids.indexOf(a.message_id_header) - ids.indexOf(b.message_id_header))[0];
    if (first)
      return { conversationId: first.conversation_id, signal: 'sent', actorUserId: mine ? mine.user_id : null };
  }
  if (clues.referenced.length > 0) {
    const known = await trx
      .selectFrom('conversation_messages')
      .innerJoin('messages', 'messages.id', 'conversation_messages.message_id')
      .select(['conversation_messages.conversation_id', 'messages.message_id'])
      .where('messages.mailbox_id', '=', mailbox.id)
      .where('messages.message_id', 'in', clues.referenced)
      .execute();
    const first = known.sort(
      (a, b) => clues.referenced.indexOf(a.message_id ?? '') - clues.referenced.indexOf(b.message_id ?? ''),
    )[0];
    if (first) return { conversationId: first.conversation_id, signal: 'references', actorUserId: null };
  }
  const number = tokenNumber(clues.subject, mailbox.case_token_prefix);
  if (number !== null) {
    const row = await trx
      .selectFrom('conversations')
      .select('id')
      .where('id', '=', number)
      .where('mailbox_id', '=', mailbox.id)
      .executeTakeFirst();
    if (row) return { conversationId: row.id, signal: 'token', actorUserId: null };
  }
  return null;
}

/** The subject token of a conversation: `[#1234]` with the default prefix. */
export function subjectToken(prefix: string, conversationId: number): string {
  return `[${prefix}${conversationId}]`;
}

/** The conversation number in a subject's token, or null. */
export function tokenNumber(subject: string, prefix: string): number | null {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const match = new RegExp(`\\[${escaped}(\\d{1,9})\\]`, 'i').exec(subject);
  return match ? Number(match[1]) : null;
}

/** The subject with the token added when it does not carry it yet. */
export function withToken(subject: string, prefix: string, conversationId: number): string {
  return tokenNumber(subject, prefix) === conversationId
    ? subject
    : `${subject} ${subjectToken(prefix, conversationId)}`.trim();
}
