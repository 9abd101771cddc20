import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { api, describeError, ok } from '../api.ts';
import type { Conversation, ConversationFilter, Mailbox, User } from '../contract.ts';
import { formatDate } from '../format.ts';
import { teamPath } from '../paths.ts';
import { useShortcuts } from '../ui/shortcuts.ts';
import { ConversationPane } from './ConversationPane.tsx';

const FILTERS: { id: ConversationFilter; label: string }[] = [
  { id: 'mine', label: 'Mine' },
  { id: 'unassigned', label: 'Unassigned' },
  { id: 'all', label: 'All open' },
  { id: 'snoozed', label: 'Snoozed' },
  { id: 'closed', label: 'Closed' },
];

/**
 * A group mailbox as its team works it: conversations under a filter (mine,
 * unassigned, all, snoozed, closed), latest activity first, and the one open.
 * Re-read on every live change of the mailbox (`revision`).
 */
export function TeamView({ groups, user, revision }: { groups: Mailbox[]; user: User; revision: number }) {
  const params = useParams();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const mailbox = groups.find((g) => g.id === params.mailboxId) ?? groups[0];
  const filter = (FILTERS.find((f) => f.id === search.get('filter'))?.id ?? 'all') as ConversationFilter;
  const openId = params.conversationId ?? null;
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (!mailbox) return;
    try {
      const page = await ok(
        api.GET('/mailboxes/{id}/conversations', {
          params: { path: { id: mailbox.id }, query: { filter, limit: 100 } },
        }),
      );
      setItems(page.items);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, [mailbox?.id, filter]);

  useEffect(() => {
    void load();
  }, [load, revision]);

  const go = (conversationId: string | null, nextFilter: ConversationFilter = filter) =>
    mailbox && void navigate(teamPath(mailbox.id, conversationId, nextFilter));
  // j / k open the next / previous conversation, u goes back to the list.
  const step = (delta: number) => {
    const list = items ?? [];
    const at = list.findIndex((c) => c.id === openId);
    const next = list[at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + delta))];
    if (next) go(next.id);
  };
  useShortcuts({ j: () => step(1), k: () => step(-1), u: () => openId && go(null) });

  if (!mailbox) return <p className="empty">You are not a member of any group mailbox.</p>;

  return (
    <div className="mailbox team">
      <aside className="folders" aria-label="Group mailboxes">
        {groups.map((g) => (
          <button
            key={g.id}
            className={g.id === mailbox.id ? 'folder active' : 'folder'}
            onClick={() => void navigate(teamPath(g.id))}
          >
            {g.group?.name ?? g.address}
          </button>
        ))}
        <nav aria-label="Filters" className="filters">
          {FILTERS.map((f) => (
            <button
              key={f.id}
              className={f.id === filter ? 'folder active' : 'folder'}
              aria-pressed={f.id === filter}
              onClick={() => go(null, f.id)}
            >
              {f.label}
            </button>
          ))}
        </nav>
      </aside>
      <section className="list-pane" aria-label="Conversations">
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {items?.length === 0 && <p className="empty">No conversations here.</p>}
        <ul className="messages">
          {(items ?? []).map((c) => (
            <li key={c.id}>
              <button
                className={c.id === openId ? 'message-row conversation-row selected' : 'message-row conversation-row'}
                onClick={() => go(c.id)}
              >
                <span className="from">{c.customer ?? '(unknown)'}</span>
                <span className="subject">
                  {c.subject} <span className="token">{c.token}</span>
                </span>
                <span className="meta">
                  <span className={`badge status-${c.status}`}>{c.status}</span>{' '}
                  <span className="assignee">{c.assignee ? c.assignee.name || 'member' : 'Unassigned'}</span>{' '}
                  <time dateTime={c.lastActivityAt}>{formatDate(c.lastActivityAt)}</time>
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className={openId ? 'reading-pane open' : 'reading-pane'} aria-label="Conversation">
        {openId && (
          <button className="link back phone-only" onClick={() => go(null)}>
            ← Back
          </button>
        )}
        {openId ? (
          <ConversationPane
            key={openId}
            id={openId}
            mailbox={mailbox}
            user={user}
            revision={revision}
            onChanged={load}
          />
        ) : (
          <p className="empty">Select a conversation.</p>
        )}
      </section>
    </div>
  );
}
