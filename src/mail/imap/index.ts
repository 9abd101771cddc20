export { checkedTarget, closeQuietly, connectImap, imapOptions } from './connect.ts';
export type { AccessTokenSource, ConnectOptions, ImapSettings, Security } from './connect.ts';
export { classifyImapError, connectFailure, loginRefused, MailServerError, throttleDelay } from './errors.ts';
export type { MailServerFailure } from './errors.ts';
export { DEFAULT_FOLDER_ROLES, listServerFolders } from './folders.ts';
export type { ServerFolder } from './folders.ts';
