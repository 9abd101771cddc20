import type { ImapFlow } from 'imapflow';
import { decodePath, encodePath } from 'imapflow/lib/tools.js';

/**
 * IMAP NOTIFY (RFC 5465): the server pushes a STATUS line when a watched folder
 * gets a message, loses one or has a flag changed, and a LIST line when it is
 * created, deleted or renamed — no polling. ImapFlow has no NOTIFY command, so
 * this uses its internal `exec` and global untagged handlers (pinned version).
 */
interface ImapFlowInternals {
  /** The answer's `next` must be called, or the connection reads nothing more. */
  exec(command: string, attributes: unknown[], options?: object): Promise<{ next(): void }>;
  untaggedHandlers: Record<string, ((untagged: Untagged) => void | Promise<void>) | null | undefined>;
}

interface Untagged {
  attributes?: { type?: string; value?: unknown }[] | undefined;
}

const atom = (value: string) => ({ type: 'ATOM', value });
const EVENTS = [atom('MessageNew'), atom('MessageExpunge'), atom('FlagChange')];

/**
 * Asks for events of the selected folder (as IDLE reports them) and of `paths`;
 * `changed` gets the path of a folder that changed. Returns false when the
 * server has no NOTIFY or refuses the request: the caller then polls.
 */
export async function startNotify(
  client: ImapFlow,
  paths: string[],
  changed: (path: string) => void,
): Promise<boolean> {
  if (!client.capabilities.has('NOTIFY') || paths.length === 0) return false;
  const internals = client as unknown as ImapFlowInternals;
  const watched = new Set(paths);
  const report = (name: unknown) => {
    if (typeof name !== 'string') return;
    const path = decodePath(client, name);
    if (watched.has(path)) changed(path);
  };
  internals.untaggedHandlers.STATUS = (untagged) => report(untagged.attributes?.[0]?.value);
  // LIST (flags) delimiter name: a watched folder created, deleted or renamed.
  internals.untaggedHandlers.LIST = (untagged) => report(untagged.attributes?.[2]?.value);
  const names = paths.map((path) => ({ type: 'STRING', value: encodePath(client, path) }));
  try {
    const answer = await internals.exec('NOTIFY', [
      atom('SET'),
      [atom('selected'), EVENTS],
      [atom('mailboxes'), names, [...EVENTS, atom('MailboxName')]],
    ]);
    answer.next();
    return true;
  } catch {
    internals.untaggedHandlers.STATUS = null;
    internals.untaggedHandlers.LIST = null;
    return false;
  }
}
