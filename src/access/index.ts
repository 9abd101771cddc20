// Access: who may see and change what. Every route and query asks here; the
// model is described in docs/access.md.
export type { Viewer } from './viewer.ts';
export { mailboxOf, managedMailbox, ownedMailbox, ownedMailboxIds } from './mailboxes.ts';
export {
  messageNotFound,
  messageVisibleTo,
  ownedLocation,
  ownedMessage,
  parseRowId,
  visibleMessage,
} from './messages.ts';
export type { OwnedLocation, VisibleMessage } from './messages.ts';
export { ownedDraft } from './drafts.ts';
export { isGroupMember, visibleConversation } from './conversations.ts';
export { ownedGrant } from './grants.ts';
export { ownedRule, ruleOf } from './rules.ts';
export { canManageRecord, checkNewOwner, recordVisibleTo } from './records.ts';
export { ownedWorkflow, workflowMaySendAs, workflowOf } from './workflows.ts';
