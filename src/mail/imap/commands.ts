import type { AppendResponseObject, CopyResponseObject, ImapFlow, SearchObject } from 'imapflow';
import { classifyImapError, MailServerError } from './errors.ts';
import { clearRefusal, lastRefusal } from './refusals.ts';

/**
 * Strict forms of the ImapFlow commands the sync, outbox and send code use: a
 * command the server refuses throws a classified MailServerError (with the
 * server's own words) instead of returning `false`. Every UID argument is a UID
 * (never a sequence number).
 */
async function strict<T>(client: ImapFlow, what: string, command: () => Promise<T | false | undefined>): Promise<T> {
  clearRefusal(client);
  let result: T | false | undefined;
  try {
    result = await command();
  } catch (error) {
    throw refusal(what, error); // some commands (APPEND) throw the NO instead of returning false
  }
  if (result !== false && result !== undefined) return result;
  const cause = lastRefusal(client);
  throw cause === undefined ? new MailServerError('other', `The server refused to ${what}`) : refusal(what, cause);
}

function refusal(what: string, cause: unknown): MailServerError {
  const classified = classifyImapError(cause);
  if (!classified.refusedByServer) return classified;
  return new MailServerError(
    classified.failure,
    `The server refused to ${what}: ${classified.message}`,
    cause,
    classified.retryAfterMs,
  );
}

const where = (client: ImapFlow) => (client.mailbox ? client.mailbox.path : 'a folder');

/** UID SEARCH in the selected folder. */
export function searchUids(client: ImapFlow, query: SearchObject): Promise<number[]> {
  return strict(client, `search ${where(client)}`, () => client.search(query, { uid: true }));
}

export function appendMessage(
  client: ImapFlow,
  path: string,
  raw: string | Buffer,
  flags: string[],
  date?: Date,
): Promise<AppendResponseObject> {
  return strict(client, `save a message in ${path}`, () => client.append(path, raw, flags, date));
}

export function addFlags(client: ImapFlow, uids: string, flags: string[]): Promise<true> {
  return strict(
    client,
    `add ${flags.join(' ')} in ${where(client)}`,
    async () => (await client.messageFlagsAdd(uids, flags, { uid: true })) || undefined,
  );
}

export function removeFlags(client: ImapFlow, uids: string, flags: string[]): Promise<true> {
  return strict(
    client,
    `remove ${flags.join(' ')} in ${where(client)}`,
    async () => (await client.messageFlagsRemove(uids, flags, { uid: true })) || undefined,
  );
}

export function moveMessages(client: ImapFlow, uids: string, toPath: string): Promise<CopyResponseObject> {
  return strict(client, `move messages from ${where(client)} to ${toPath}`, () =>
    client.messageMove(uids, toPath, { uid: true }),
  );
}

export function copyMessages(client: ImapFlow, uids: string, toPath: string): Promise<CopyResponseObject> {
  return strict(client, `copy messages from ${where(client)} to ${toPath}`, () =>
    client.messageCopy(uids, toPath, { uid: true }),
  );
}

/** UID EXPUNGE of these UIDs only (RFC 4315): never a plain EXPUNGE (docs/sync.md invariant 7). Needs UIDPLUS. */
export function expungeUids(client: ImapFlow, uids: string): Promise<true> {
  return strict(
    client,
    `expunge messages in ${where(client)}`,
    async () => (await client.messageDelete(uids, { uid: true })) || undefined,
  );
}
