import type { ImapFlow, StatusObject } from 'imapflow';

/** What the watcher reads of a folder: a change in any of these means the folder changed. */
const STATUS_QUERY = { messages: true, uidNext: true, uidValidity: true, highestModseq: true, unseen: true };

/** A folder missing or refused has a signature too: when it comes back that is a change. */
export const UNAVAILABLE = 'unavailable';

function signature(status: Partial<StatusObject> | false | undefined): string {
  if (!status || status.uidValidity === undefined) return UNAVAILABLE;
  return `${status.uidValidity}/${status.uidNext}/${status.messages}/${status.unseen}/${status.highestModseq ?? ''}`;
}

/** One LIST-STATUS (RFC 5819) for every folder of the account. */
async function listed(client: ImapFlow, paths: readonly string[]): Promise<Map<string, string>> {
  const entries = await client.list({ statusQuery: STATUS_QUERY });
  const byPath = new Map(entries.map((entry) => [entry.path, entry.status]));
  return new Map(paths.map((path) => [path, signature(byPath.get(path))]));
}

/** A STATUS per folder, for servers without LIST-STATUS. */
async function eachStatus(client: ImapFlow, paths: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const path of paths) {
    const status = await client.status(path, STATUS_QUERY).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'NotFound') return undefined;
      throw error;
    });
    out.set(path, signature(status));
  }
  return out;
}

/**
 * The signature of each of `paths` (uidvalidity, uidnext, messages, unseen,
 * highestmodseq): one command for all of them where the server has
 * LIST-STATUS, else one STATUS each. Without CONDSTORE only UNSEEN reveals
 * flag changes; other flags wait for the sync's periodic full check.
 */
export function folderSignatures(client: ImapFlow, paths: readonly string[]): Promise<Map<string, string>> {
  if (paths.length === 0) return Promise.resolve(new Map());
  return client.capabilities.has('LIST-STATUS') ? listed(client, paths) : eachStatus(client, paths);
}
