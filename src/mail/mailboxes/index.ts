export {
  connectMailbox,
  createMailbox,
  deleteMailbox,
  disconnectMailbox,
  serverFolders,
  updateMailbox,
} from './manage.ts';
export type { MailboxChanges, NewGroup, NewMailbox } from './manage.ts';
export { editableGroupMailboxes, groupView, setAvailability, setGroup } from './groups.ts';
export type { EditableGroupMailbox, GroupMember, GroupView } from './groups.ts';
export { deletionSummary } from './deletion.ts';
export type { DeletionSummary } from './deletion.ts';
export { mailboxView } from './view.ts';
export type { FolderView, MailboxView } from './view.ts';
export { syncSince } from './sync-period.ts';
export { oauthMailboxSettings } from './provider-settings.ts';
export type { OAuthServerChoice } from './provider-settings.ts';
export { changeMailboxPassword, reauthorizeMailbox } from './reauthorize.ts';
