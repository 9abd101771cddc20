export { checkedTarget, closeQuietly, connectImap, imapOptions } from './connect.ts';
export type { AccessTokenSource, ConnectOptions, ImapSettings, Security } from './connect.ts';
export {
  addFlags,
  appendMessage,
  copyMessages,
  expungeUids,
  moveMessages,
  removeFlags,
  searchUids,
} from './commands.ts';
export {
  classifyImapError,
  connectFailure,
  loginRefused,
  MailServerError,
  policyFor,
  throttleDelay,
} from './errors.ts';
export type { FailurePolicy, MailServerFailure } from './errors.ts';
export { DEFAULT_FOLDER_ROLES, listServerFolders } from './folders.ts';
export type { ServerFolder } from './folders.ts';
