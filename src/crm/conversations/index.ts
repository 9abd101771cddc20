// Group mailboxes as a team works them: conversations (threads) with status,
// assignee and snooze, email-to-case, collision checks, internal notes.
export { assignInTurn, changeConversation, getConversation, listConversations } from './conversations.ts';
export type { ConversationChange, ConversationFilter, ConversationQuery, ConversationView } from './conversations.ts';
export { addNote, conversationThread, cursorOf } from './activity.ts';
export type { ActivityItem, ConversationMessage } from './activity.ts';
export { replyToConversation } from './reply.ts';
export type { ConversationReply } from './reply.ts';
export { fileConversations, NEW_CONVERSATIONS_PER_SENDER_PER_HOUR } from './file.ts';
export { automaticReason } from './automatic.ts';
export { tokenNumber, withToken } from './threading.ts';
