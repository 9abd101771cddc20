import { useEffect, useRef } from 'react';
import { formatDate, who } from '../format.ts';
import type { MessageSummary } from '../contract.ts';

interface Thread {
  latest: MessageSummary;
  count: number;
  unread: boolean;
  flagged: boolean;
  attachments: boolean;
}

/** Newest first, one row per thread (its newest message), more loaded on scrolling down. */
export function MessageList({
  items,
  selected,
  onSelect,
  showRecipients = false,
  hasMore,
  onMore,
}: {
  items: MessageSummary[];
  selected: string | null;
  onSelect: (message: MessageSummary) => void;
  /** In Sent and Drafts a row names whom the email is to, as mail apps do. */
  showRecipients?: boolean;
  hasMore: boolean;
  onMore: () => Promise<void>;
}) {
  const sentinel = useRef<HTMLLIElement>(null);
  const loading = useRef(false);

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

  const threads = groupThreads(items);
  if (threads.length === 0) return <p className="empty">No emails here.</p>;
  return (
    <ul className="messages">
      {threads.map(({ latest, count, unread, flagged, attachments }) => (
        <li key={latest.id}>
          <button
            className={['message-row', unread ? 'unread' : '', latest.id === selected ? 'selected' : ''].join(' ')}
            aria-current={latest.id === selected ? 'true' : undefined}
            onClick={() => onSelect(latest)}
            data-subject={latest.subject}
          >
            <span className="from">
              {latest.draft && <em>Draft </em>}
              {showRecipients ? recipients(latest) : latest.draft ? null : who(latest.from)}
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
                  ★
                </span>
              )}
              {attachments && (
                <span aria-label="Has attachments" title="Has attachments">
                  📎
                </span>
              )}
              {latest.syncState === 'pending' && (
                <span className="pending" title="Being saved to the mail server">
                  ↻
                </span>
              )}
            </span>
            <span className="date">{formatDate(latest.date)}</span>
            <span className="subject">{latest.subject || '(no subject)'}</span>
            <span className="snippet">{latest.snippet}</span>
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

/** "To: Ann, bob@example.com" (or "(no recipients)"). */
function recipients(message: MessageSummary): string {
  const all = [...message.to, ...message.cc];
  return all.length === 0 ? '(no recipients)' : `To: ${all.map((a) => who(a)).join(', ')}`;
}

function groupThreads(items: MessageSummary[]): Thread[] {
  const byThread = new Map<string, Thread>();
  for (const message of items) {
    const thread = byThread.get(message.threadId);
    if (!thread) {
      byThread.set(message.threadId, {
        latest: message,
        count: 1,
        unread: !message.seen,
        flagged: message.flagged,
        attachments: message.hasAttachments,
      });
    } else {
      thread.count += 1;
      thread.unread ||= !message.seen;
      thread.flagged ||= message.flagged;
      thread.attachments ||= message.hasAttachments;
    }
  }
  return [...byThread.values()];
}
