import { useEffect, useRef } from 'react';
import { Paperclip, RefreshCw, Star } from 'lucide-react';
import { formatDate, who } from '../format.ts';
import type { MessageSummary } from '../contract.ts';

/** A row of the list: a thread's emails in the list, shown by its newest. */
export interface Thread {
  latest: MessageSummary;
  /** Every email of the thread in the list, the newest first. */
  messages: MessageSummary[];
  count: number;
  unread: boolean;
  flagged: boolean;
  attachments: boolean;
}

/**
 * Newest first, one row per thread (its newest message), more loaded on scrolling down.
 * Each row has a checkbox for bulk actions; the row under the keyboard cursor has the focus.
 */
export function MessageList({
  threads,
  selected,
  onSelect,
  checked,
  onCheck,
  cursor,
  showRecipients = false,
  search = '',
  folderOf,
  hasMore,
  onMore,
}: {
  threads: Thread[];
  selected: string | null;
  onSelect: (message: MessageSummary) => void;
  /** The threads whose checkboxes are ticked. */
  checked: Set<string>;
  onCheck: (threadId: string, on: boolean) => void;
  /** The thread the keyboard is on: its row takes the focus when this changes. */
  cursor: string | null;
  /** In Sent and Drafts a row names whom the email is to, as mail apps do. */
  showRecipients?: boolean;
  /** The search shown: its words are highlighted. */
  search?: string;
  /** In search results, where each email is. */
  folderOf?: (message: MessageSummary) => string;
  hasMore: boolean;
  onMore: () => Promise<void>;
}) {
  const sentinel = useRef<HTMLLIElement>(null);
  const loading = useRef(false);
  const list = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (cursor === null) return;
    list.current?.querySelector<HTMLElement>(`[data-thread="${CSS.escape(cursor)}"] .message-row`)?.focus();
  }, [cursor]);

  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasMore) return;
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting) || loading.current) return;
      loading.current = true;
      void onMore().finally(() => (loading.current = false));
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasMore, onMore]);

  const terms = highlightTerms(search);
  const mark = (text: string) => <Highlighted text={text} terms={terms} />;
  if (threads.length === 0)
    return <p className="empty">{search ? 'No emails match this search.' : 'No emails here.'}</p>;
  return (
    <ul className="messages" ref={list}>
      {threads.map(({ latest, count, unread, flagged, attachments }) => (
        <li
          key={latest.id}
          data-thread={latest.threadId}
          className={checked.has(latest.threadId) ? 'message-item checked' : 'message-item'}
        >
          <input
            type="checkbox"
            className="row-check"
            checked={checked.has(latest.threadId)}
            onChange={(e) => onCheck(latest.threadId, e.target.checked)}
            aria-label={`Select: ${latest.subject || '(no subject)'}`}
          />
          <button
            className={['message-row', unread ? 'unread' : '', latest.id === selected ? 'selected' : ''].join(' ')}
            aria-current={latest.id === selected ? 'true' : undefined}
            onClick={() => onSelect(latest)}
            data-subject={latest.subject}
          >
            <span className="from">
              {latest.draft && <em>Draft </em>}
              {mark(showRecipients ? recipients(latest) : latest.draft ? '' : who(latest.from))}
              {count > 1 && (
                <span className="thread-count" aria-label={`${count} emails in thread`}>
                  {' '}
                  {count}
                </span>
              )}
            </span>
            <span className="marks">
              {unread && <span className="dot" aria-label="Unread" title="Unread" />}
              {flagged && (
                <span className="star" aria-label="Starred" title="Starred">
                  <Star aria-hidden="true" size={14} className="filled" />
                </span>
              )}
              {attachments && (
                <span aria-label="Has attachments" title="Has attachments">
                  <Paperclip aria-hidden="true" size={14} />
                </span>
              )}
              {latest.syncState === 'pending' && (
                <span className="pending" title="Being saved to the mail server">
                  <RefreshCw aria-hidden="true" size={14} />
                </span>
              )}
            </span>
            <span className="date">{formatDate(latest.date)}</span>
            <span className="subject">
              {folderOf && <span className="badge folder-badge">{folderOf(latest)}</span>}
              {mark(latest.subject || '(no subject)')}
            </span>
            <span className="snippet">{mark(latest.snippet)}</span>
          </button>
        </li>
      ))}
      {hasMore && (
        <li ref={sentinel} className="more" aria-hidden="true">
          Loading more…
        </li>
      )}
    </ul>
  );
}

/** The words of a search worth marking in the rows: free words and the values of from:, to:, subject:, filename:. */
function highlightTerms(search: string): string[] {
  return [...search.matchAll(/(?:(\w+):)?(?:"([^"]*)"|(\S+))/g)].flatMap(([, key, quoted, bare]) => {
    const value = (quoted ?? bare ?? '').trim();
    if (value.length < 2) return [];
    return key === undefined || ['from', 'to', 'subject', 'filename'].includes(key.toLowerCase()) ? [value] : [];
  });
}

/** `text` with every occurrence of the terms (any case) in <mark>. */
function Highlighted({ text, terms }: { text: string; terms: string[] }) {
  if (terms.length === 0 || text === '') return <>{text}</>;
  const pattern = new RegExp(`(${terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  return <>{text.split(pattern).map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part))}</>;
}

/** "To: Ann, bob@example.com" (or "(no recipients)"). */
function recipients(message: MessageSummary): string {
  const all = [...message.to, ...message.cc];
  return all.length === 0 ? '(no recipients)' : `To: ${all.map((a) => who(a)).join(', ')}`;
}

/** The list's rows: its emails (newest first) grouped by thread. */
export function groupThreads(items: MessageSummary[]): Thread[] {
  const byThread = new Map<string, Thread>();
  for (const message of items) {
    const thread = byThread.get(message.threadId);
    if (!thread) {
      byThread.set(message.threadId, {
        latest: message,
        messages: [message],
        count: 1,
        unread: !message.seen,
        flagged: message.flagged,
        attachments: message.hasAttachments,
      });
    } else {
      thread.messages.push(message);
      thread.count += 1;
      thread.unread ||= !message.seen;
      thread.flagged ||= message.flagged;
      thread.attachments ||= message.hasAttachments;
    }
  }
  return [...byThread.values()];
}
