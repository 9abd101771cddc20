import type { ImapFlow } from 'imapflow';

export interface ServerFolder {
  path: string;
  name: string;
  delimiter: string | null;
  /** \Inbox, \Sent, \Drafts, \Trash, \Junk, \Archive, \All, \Flagged — from SPECIAL-USE or, failing that, the name. */
  specialUse: string | null;
  specialUseSource: 'extension' | 'name' | 'user' | null;
  /** \Noselect folders hold only sub-folders. */
  selectable: boolean;
  subscribed: boolean;
}

/** Every folder on the server, custom and nested ones included, in LIST order. */
export async function listServerFolders(client: ImapFlow): Promise<ServerFolder[]> {
  const entries = await client.list();
  return entries.map((entry) => ({
    path: entry.path,
    name: entry.name,
    delimiter: entry.delimiter || null,
    specialUse: entry.path.toUpperCase() === 'INBOX' ? '\\Inbox' : (entry.specialUse ?? null),
    specialUseSource: entry.path.toUpperCase() === 'INBOX' ? 'extension' : (entry.specialUseSource ?? null),
    selectable: !entry.flags.has('\\Noselect') && !entry.flags.has('\\NonExistent'),
    subscribed: entry.subscribed === true, // ImapFlow leaves it unset for a folder not in LSUB
  }));
}

/** The folders synced when the user picks none: Inbox, Sent, Drafts and Archive. */
export const DEFAULT_FOLDER_ROLES = ['\\Inbox', '\\Sent', '\\Drafts', '\\Archive'];
