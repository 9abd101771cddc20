export { accessTokenOf, imapSettingsOf, mailboxSecretsSchema, syncConnectOptions } from './settings.ts';
export type { MailboxRow, MailboxSecrets } from './settings.ts';
export { inspectImap, smtpTransportOptions, testConnection, verifyImap, verifySmtp, xoauth2Login } from './verify.ts';
export type { ConnectionCheck, SmtpSettings } from './verify.ts';
