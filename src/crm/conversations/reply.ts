import type { Viewer } from '../../access/index.ts';
import { visibleConversation } from '../../access/index.ts';
import type { TandemContext } from '../../context/index.ts';
import type { ConversationStatus } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import { sendMessage } from '../../mail/send/index.ts';
import type { SendInput, SendResult } from '../../mail/send/index.ts';
import { mergeValuesFor } from '../merge-values.ts';
import { cursorOf, newSince, recordActivity } from './activity.ts';
import { withToken } from './threading.ts';

export interface ConversationReply {
  text?: string | undefined;
  html?: string | undefined;
  cc?: string[] | undefined;
  attachments?: SendInput['attachments'];
  /** The `cursor` of the conversation as the agent last saw it. */
  seenUpTo: string;
  /** Set the conversation's status once sent (e.g. pending: waiting for the customer). */
  status?: ConversationStatus | undefined;
  /** Open and click marks on the copy that goes out; undefined: the admin's default for one-to-one emails. */
  track?: boolean | undefined;
}

/**
 * Replies to the customer from the group's address, as "<agent> at <group>",
 * with the conversation's token in the subject; filed once in the mailbox's
 * Sent by the sync (which files that copy into the conversation and its
 * case by its Message-ID). Refused with `conversation_changed` (409) when something
 * the agent has not seen happened since `seenUpTo`: the answer lists it and
 * gives the new cursor, with which the agent confirms.
 */
export async function replyToConversation(
  context: TandemContext,
  viewer: Viewer,
  id: string,
  reply: ConversationReply,
): Promise<SendResult> {
  const { db } = context.store;
  const conversation = await visibleConversation(db, viewer.id, id);
  const news = await newSince(db, viewer.id, conversation.id, reply.seenUpTo);
  if (news.length > 0)
    throw new TandemError(
      'conversation_changed',
      'The conversation changed since you opened it: read what is new, then send again with the new cursor',
      { cursor: await cursorOf(db, conversation.id), items: news },
    );
  const row = await db
    .selectFrom('conversations')
    .innerJoin('mailboxes', 'mailboxes.id', 'conversations.mailbox_id')
    .select([
      'conversations.subject',
      'conversations.customer_address',
      'mailboxes.address',
      'mailboxes.case_token_prefix',
    ])
    .where('conversations.id', '=', conversation.id)
    .executeTakeFirstOrThrow();
  const original = await db
    .selectFrom('conversation_messages')
    .innerJoin('messages', 'messages.id', 'conversation_messages.message_id')
    .select(['messages.id', 'messages.from_address'])
    .where('conversation_messages.conversation_id', '=', conversation.id)
    .where('conversation_messages.automatic', '=', 0)
    .where('messages.orphaned_at', 'is', null)
    .where('messages.from_address', '!=', row.address)
    .orderBy('messages.date', 'desc')
    .orderBy('messages.id', 'desc')
    .executeTakeFirst();
  const to = original?.from_address ?? row.customer_address;
  if (!to) throw new TandemError('validation_failed', 'This conversation has no customer address to reply to');
  const subject = withToken(
    /^re:/i.test(row.subject) ? row.subject : `Re: ${row.subject}`,
    row.case_token_prefix,
    conversation.id,
  );
  const sent = await sendMessage(
    context,
    viewer.id,
    {
      mailboxId: conversation.mailboxId,
      to: [to],
      cc: reply.cc,
      subject,
      text: reply.text,
      html: reply.html,
      attachments: reply.attachments,
      inReplyTo: original ? String(original.id) : undefined,
      track: reply.track,
    },
    (recipient) => mergeValuesFor(db, viewer.id, recipient),
  );
  await db
    .insertInto('conversation_sends')
    .values({
      message_id_header: sent.messageId,
      conversation_id: conversation.id,
      user_id: viewer.id,
      created_at: Date.now(),
    })
    .onConflict((oc) => oc.column('message_id_header').doNothing())
    .execute();
  await recordActivity(db, conversation.id, 'reply', viewer.id);
  if (reply.status)
    await db.updateTable('conversations').set({ status: reply.status }).where('id', '=', conversation.id).execute();
  return sent;
}
