import { useEffect, useRef } from 'react';

/**
 * A key as `KeyboardEvent.key` names it ("j", "#", "I", "Enter", "?"), or two keys
 * pressed one after the other, space-separated ("g i").
 */
export type ShortcutKey = string;
export type ShortcutHandlers = Partial<Record<ShortcutKey, () => void>>;

/** How long the first key of a two-key shortcut waits for the second. */
const SEQUENCE_MS = 1500;

/** The shortcuts of the mail views, as the help overlay lists them. */
export const MAIL_SHORTCUTS: { keys: string[]; what: string }[] = [
  { keys: ['j', 'k'], what: 'Next / previous email' },
  { keys: ['o', 'Enter'], what: 'Open the email' },
  { keys: ['u'], what: 'Back to the list' },
  { keys: ['r'], what: 'Reply' },
  { keys: ['a'], what: 'Reply all' },
  { keys: ['f'], what: 'Forward' },
  { keys: ['e'], what: 'Archive' },
  { keys: ['#'], what: 'Delete' },
  { keys: ['s'], what: 'Star / unstar' },
  { keys: ['x'], what: 'Select / unselect' },
  { keys: ['Shift+I'], what: 'Mark read' },
  { keys: ['Shift+U'], what: 'Mark unread' },
  { keys: ['/'], what: 'Search' },
  { keys: ['c'], what: 'Compose' },
  { keys: ['g', 'i'], what: 'Go to Inbox (g then i)' },
  { keys: ['?'], what: 'Show these shortcuts' },
];

/** Keys pressed into something that takes text are the user's words, never shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(target.type);
}

/** Enter on a button, a link or a checkbox is that control's own. */
function isControl(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('button, a, input, summary') !== null;
}

/**
 * Calls the handler of each shortcut pressed while the component is mounted: never
 * while typing, with Ctrl/Alt/Meta held, or while a modal dialog is open.
 */
export function useShortcuts(handlers: ShortcutHandlers): void {
  // The latest handlers, so that the listener is added once.
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    let first: { key: string; at: number } | null = null;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
      if (isTyping(event.target) || document.querySelector('dialog[open], [aria-modal="true"]')) return;
      if (event.key === 'Enter' && isControl(event.target)) return;
      const sequence = first && Date.now() - first.at < SEQUENCE_MS ? `${first.key} ${event.key}` : null;
      const handler = (sequence && current.current[sequence]) || current.current[event.key];
      const starts = Object.keys(current.current).some((k) => k.startsWith(`${event.key} `));
      first = starts && !sequence ? { key: event.key, at: Date.now() } : null;
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
