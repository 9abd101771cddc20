import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { ConversationDetail, Mailbox, User } from '../contract.ts';
import { formatDate } from '../format.ts';

const PRESENCE_EVERY_MS = 20_000;

interface News {
  cursor: string;
  items: { kind: string; by: { id: string; name: string } | null; summary: string }[];
}

/**
 * One conversation: its emails, status, assignee and snooze, internal notes,
 * and the reply box. The reply carries the cursor of when the agent started
 * writing; when something came in since, the server refuses and the pane shows
 * what is new, with "Send anyway" (the new cursor) to confirm. While the pane
 * is open it tells the other members who is viewing or replying.
 */
export function ConversationPane(props: {
  id: string;
  mailbox: Mailbox;
  user: User;
  revision: number;
  onChanged: () => Promise<void>;
}) {
  const { id, mailbox, user, revision, onChanged } = props;
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reply, setReply] = useState<{ text: string; seenUpTo: string } | null>(null);
  const [news, setNews] = useState<News | null>(null);
  const [note, setNote] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [snooze, setSnooze] = useState('');

  const load = useCallback(async () => {
    try {
      setDetail(await ok(api.GET('/conversations/{id}', { params: { path: { id } } })));
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load, revision]);

  const replying = reply !== null;
  useEffect(() => {
    const say = (state: 'viewing' | 'replying' | 'gone') =>
      void api.POST('/conversations/{id}/presence', { params: { path: { id } }, body: { state } });
    say(replying ? 'replying' : 'viewing');
    const timer = setInterval(() => say(replying ? 'replying' : 'viewing'), PRESENCE_EVERY_MS);
    return () => {
      clearInterval(timer);
      if (!replying) say('gone');
    };
  }, [id, replying]);

  const change = async (body: {
    status?: 'open' | 'pending' | 'closed';
    assigneeId?: string | null;
    snoozedUntil?: string | null;
  }) => {
    try {
      setDetail({
        ...(detail as ConversationDetail),
        ...(await ok(api.PATCH('/conversations/{id}', { params: { path: { id } }, body }))),
      });
      await onChanged();
    } catch (e) {
      setError(describeError(e));
    }
  };

  const send = async (seenUpTo: string) => {
    if (!reply) return;
    setError(null);
    const { error: failure, response } = await api.POST('/conversations/{id}/reply', {
      params: { path: { id } },
      body: { text: reply.text, seenUpTo },
    });
    if (response.status === 409) {
      const details = (failure as { error?: { details?: News } } | undefined)?.error?.details;
      if (details) setNews(details);
      await load();
      return;
    }
    if (!response.ok) {
      setError((failure as { error?: { message?: string } } | undefined)?.error?.message ?? 'The reply failed');
      return;
    }
    setReply(null);
    setNews(null);
    setNotice('Reply sent');
    await load();
  };

  const addNote = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await ok(api.POST('/conversations/{id}/notes', { params: { path: { id } }, body: { body: note } }));
      setNote('');
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  };

  if (!detail) return error ? <p className="error">{error}</p> : <p aria-busy="true">Loading…</p>;
  const others = detail.presence.filter((p) => p.id !== user.id);
  const members = mailbox.group?.members ?? [];

  return (
    <article className="conversation">
      <header className="headers">
        <h2>
          {detail.subject} <span className="token">{detail.token}</span>
        </h2>
        {others.length > 0 && (
          <p className="note presence" role="status">
            {others.map((p) => `${p.name || 'A member'} is ${p.state}`).join(' · ')}
          </p>
        )}
        <div className="conversation-controls">
          <label>
            Status
            <select
              value={detail.status}
              onChange={(e) => void change({ status: e.target.value as 'open' | 'pending' | 'closed' })}
            >
              <option value="open">Open</option>
              <option value="pending">Pending</option>
              <option value="closed">Closed</option>
            </select>
          </label>
          <label>
            Assignee
            <select
              value={detail.assignee?.id ?? ''}
              onChange={(e) => void change({ assigneeId: e.target.value || null })}
            >
              <option value="">Unassigned</option>
              {members.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name || m.email}
                </option>
              ))}
            </select>
          </label>
          <label>
            Snooze until
            <input type="datetime-local" value={snooze} onChange={(e) => setSnooze(e.target.value)} />
          </label>
          <button disabled={!snooze} onClick={() => void change({ snoozedUntil: new Date(snooze).toISOString() })}>
            Snooze
          </button>
          {detail.snoozedUntil && (
            <button onClick={() => void change({ snoozedUntil: null })}>
              Wake (snoozed until {formatDate(detail.snoozedUntil)})
            </button>
          )}
        </div>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="ok" role="status">
          {notice}
        </p>
      )}
      <ol className="thread-emails" aria-label="Emails">
        {detail.thread.map((m) => (
          <li key={m.id} className={m.outbound ? 'thread-email outbound' : 'thread-email'}>
            <strong>{m.fromName || m.fromAddress}</strong> <time dateTime={m.date}>{formatDate(m.date)}</time>
            {m.automatic && <span className="badge">automatic</span>}
            <p>{m.snippet}</p>
          </li>
        ))}
      </ol>
      {news && (
        <div className="warning collision" role="alert">
          <p>New in this conversation since you started your reply:</p>
          <ul>
            {news.items.map((item, i) => (
              <li key={i}>
                {item.kind === 'reply'
                  ? `${item.by?.name || 'A colleague'} replied`
                  : item.kind === 'note'
                    ? `${item.by?.name || 'A colleague'} added a note: ${item.summary}`
                    : `New email — ${item.summary}`}
              </li>
            ))}
          </ul>
          <div className="actions">
            <button onClick={() => setNews(null)}>Review first</button>
            <button className="primary" onClick={() => void send(news.cursor)}>
              Send anyway
            </button>
          </div>
        </div>
      )}
      {reply ? (
        <form
          className="reply"
          onSubmit={(event) => {
            event.preventDefault();
            void send(reply.seenUpTo);
          }}
        >
          <label>
            Reply
            <textarea value={reply.text} onChange={(e) => setReply({ ...reply, text: e.target.value })} rows={6} />
          </label>
          <div className="actions">
            <button type="button" onClick={() => setReply(null)}>
              Cancel
            </button>
            <button className="primary" disabled={!reply.text.trim()}>
              Send reply
            </button>
          </div>
        </form>
      ) : (
        <button className="primary" onClick={() => setReply({ text: '', seenUpTo: detail.cursor })}>
          Reply
        </button>
      )}
      <section className="comments" aria-label="Internal notes">
        <h3>Internal notes</h3>
        {detail.notes.map((n) => (
          <p key={n.id} className="comment">
            <strong>{n.author.name || n.author.email}</strong>: {n.body}
          </p>
        ))}
        <form onSubmit={addNote}>
          <label>
            Note
            <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="@name@example.com to mention" />
          </label>
          <button disabled={!note.trim()}>Add note</button>
        </form>
      </section>
    </article>
  );
}
