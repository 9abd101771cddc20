export { SyncEngine } from './engine.ts';
export type { EngineDeps } from './engine.ts';
export { accessTokenOf, mailboxSecretsSchema, imapSettingsOf } from './account.ts';
export type { MailboxSecrets } from './account.ts';
export { hintingSyncControl, listenForHints, receiveMailEvents, relayMailEvents } from './hints.ts';
export type { HintListener } from './hints.ts';
