export { connectMailbox, createMailbox, deleteMailbox, disconnectMailbox, serverFolders, updateMailbox } from './manage.ts';
export type { MailboxChanges, NewMailbox, SyncControl } from './manage.ts';
export { mailboxView } from './view.ts';
export type { FolderView, MailboxView } from './view.ts';
export { syncSince } from './sync-period.ts';
export { testConnection } from './verify.ts';
export type { ConnectionCheck, SmtpSettings } from './verify.ts';
