// The CRM around the inbox: records, email↔record links, comments, mailroom
// rules, and the hooks the mail layer calls when it stores or sends mail.
export { RECORD_KINDS, KIND_PATHS, STATUSES, PRIORITIES } from './records/kinds.ts';
export { recordFieldsSchema } from './records/input.ts';
export type { RecordFields } from './records/input.ts';
export { snapshotOf } from './records/changes.ts';
export type { RecordSnapshot } from './records/changes.ts';
export {
  changeRecord,
  createRecord,
  getRecord,
  insertRecord,
  listRecords,
  updateRecord,
  deleteRecord,
  visibleRecord,
  RECORD_SORTS,
} from './records/records.ts';
export type { RecordView } from './records/records.ts';
export { linksOf, linkMessage, unlinkMessage } from './links/links.ts';
export type { LinkView } from './links/links.ts';
export { linkSentMessage } from './links/pending.ts';
export { recordEmails } from './timeline.ts';
export { commentsOf, addComment, mentionedAddresses } from './comments.ts';
export type { CommentView } from './comments.ts';
export { ruleInputSchema, rulePatchSchema } from './rules/rule-schema.ts';
export { listRules, createRule, updateRule, deleteRule } from './rules/rules.ts';
export type { RuleView } from './rules/rules.ts';
export { ruleRunsOf } from './rules/runs.ts';
export type { RuleRunView } from './rules/runs.ts';
export { onMessagesIndexed, onMessagesStored } from './on-stored.ts';
export { bouncingAddresses, bouncingFor, noteEngagement, onTrackingEvents, touchpointsOf } from './engagement/index.ts';
export type { BouncingAddress, Touchpoints } from './engagement/index.ts';
export { recordEngagement } from './engagement/record-engagement.ts';
export type { RecordEngagement } from './engagement/record-engagement.ts';
export { listNotifications, markNotificationsRead } from './notifications.ts';
export type { NotificationView } from './notifications.ts';
export { mergeValuesFor } from './merge-values.ts';
export {
  addNote,
  assignInTurn,
  automaticReason,
  changeConversation,
  conversationThread,
  getConversation,
  listConversations,
  replyToConversation,
} from './conversations/index.ts';
export type { ConversationFilter, ConversationView } from './conversations/index.ts';
export { deleteUser } from './delete-user.ts';
export type { DeletedUser } from './delete-user.ts';
export { MAX_SUGGESTIONS, suggestAddresses } from './address-suggestions.ts';
export type { AddressSuggestion } from './address-suggestions.ts';
