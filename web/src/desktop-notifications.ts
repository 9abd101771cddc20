import { useEffect, useRef } from 'react';
import { useNavigate } from 'react-router';
import { api, ok } from './api.ts';
import type { Mailbox, MessageSummary } from './contract.ts';
import type { MailEvent } from './live.ts';
import { mailPath } from './paths.ts';

/**
 * Desktop notifications for new mail, opted into per browser (the permission is
 * the browser's): which folders of which mailboxes, kept in this browser's storage.
 */
export interface DesktopPrefs {
  enabled: boolean;
  /** Folder paths per mailbox id. */
  folders: Record<string, string[]>;
}

const KEY = 'tandem.desktopNotifications';
/** Fired in this tab when the preferences change, so the watcher follows at once. */
const CHANGED = 'tandem-desktop-notifications';
/** How many of a folder's newest emails are looked at after each change. */
const NEWEST = 20;

export function readDesktopPrefs(): DesktopPrefs {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as DesktopPrefs | null;
    if (stored && typeof stored.enabled === 'boolean' && typeof stored.folders === 'object') return stored;
  } catch {
    // unreadable: as if never set
  }
  return { enabled: false, folders: {} };
}

export function saveDesktopPrefs(prefs: DesktopPrefs): void {
  localStorage.setItem(KEY, JSON.stringify(prefs));
  window.dispatchEvent(new Event(CHANGED));
}

/** Whether the browser can show them at all (and has not been refused). */
export function desktopSupport(): 'granted' | 'denied' | 'default' | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Shows a desktop notification for each email that arrives in a chosen folder,
 * told by the live events: never for one already there when watching began,
 * one already read, or one the user sent (from the mailbox's own address).
 * Returns the handler the workspace passes every live event to.
 */
export function useDesktopNotifications(mailboxes: Mailbox[]): (event: MailEvent) => void {
  const navigate = useNavigate();
  /** Per mailbox and folder: the ids already seen (or notified), once the folder was first read. */
  const known = useRef(new Map<string, Promise<Set<string>>>());
  const prefs = useRef(readDesktopPrefs());
  const addresses = useRef(new Map<string, string>());
  addresses.current = new Map(mailboxes.map((m) => [m.id, m.address.toLowerCase()]));

  const newest = async (mailboxId: string, folder: string): Promise<MessageSummary[]> =>
    (await ok(api.GET('/messages', { params: { query: { mailboxId, folder, limit: NEWEST } } }))).items;

  // What is there when watching begins is known already: only what arrives after is told.
  const prime = () => {
    prefs.current = readDesktopPrefs();
    known.current = new Map();
    if (!prefs.current.enabled) return;
    for (const [mailboxId, folders] of Object.entries(prefs.current.folders))
      for (const folder of folders)
        known.current.set(
          `${mailboxId}\n${folder}`,
          newest(mailboxId, folder).then(
            (items) => new Set(items.map((m) => m.id)),
            () => new Set<string>(),
          ),
        );
  };
  useEffect(() => {
    prime();
    window.addEventListener(CHANGED, prime);
    return () => window.removeEventListener(CHANGED, prime);
  }, []);

  return (event: MailEvent) => {
    if (event.type !== 'messages.added' || desktopSupport() !== 'granted') return;
    const seen = known.current.get(`${event.mailboxId}\n${event.folder}`);
    if (!seen) return; // not a chosen folder
    void (async () => {
      const ids = await seen;
      const own = addresses.current.get(event.mailboxId);
      for (const m of (await newest(event.mailboxId, event.folder).catch(() => [])).reverse()) {
        if (ids.has(m.id)) continue;
        ids.add(m.id);
        if (m.seen || m.from?.address.toLowerCase() === own) continue;
        const shown = new Notification(m.from?.name || m.from?.address || 'New email', {
          body: m.subject || '(no subject)',
          tag: `tandem-${m.id}`,
        });
        shown.onclick = () => {
          window.focus();
          void navigate(mailPath(m.folder, m.id));
          shown.close();
        };
      }
    })();
  };
}
