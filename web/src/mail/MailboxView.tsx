import { useCallback, useEffect, useState } from 'react';
import { useNotice } from '../ui/notice.ts';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { api, describeError, ok } from '../api.ts';
import { folderLabel, plainMailboxError } from '../format.ts';
import { mailPath } from '../paths.ts';
import type { Mailbox, MessageSummary, RecordKind, User } from '../contract.ts';
import { Compose } from './Compose.tsx';
import type { ComposeStart } from './Compose.tsx';
import { MessageList } from './MessageList.tsx';
import { PendingSends } from './PendingSends.tsx';
import { ReadingPane } from './ReadingPane.tsx';

const PAGE = 50;

/** My Mailbox: folders, the message list and the reading pane; live through `revision`. */
export function MailboxView({
  mailbox,
  user,
  revision,
  onOpenRecord,
}: {
  mailbox: Mailbox;
  user: User;
  revision: number;
  onOpenRecord: (kind: RecordKind, id: string) => void;
}) {
  const folders = sortFolders(mailbox.folders.filter((f) => f.enabled));
  // The URL says which folder, email and search are shown (paths.ts).
  const params = useParams();
  const q = useSearchParams()[0].get('q') ?? '';
  const navigate = useNavigate();
  const folder = params.folder ?? folders[0]?.path ?? 'INBOX';
  const selected = params.messageId ?? null;
  const setFolder = (path: string) => (path !== folder || selected || q) && void navigate(mailPath(path));
  const setSelected = (id: string | null, replace = false) => void navigate(mailPath(folder, id, q), { replace });
  const setQ = (value: string) => value !== q && void navigate(mailPath(folder, null, value));
  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);
  const [items, setItems] = useState<MessageSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  /** While bodies are still being read after a first sync, a search says how much of the mail it covers. */
  const [indexing, setIndexing] = useState<{ done: number; total: number } | null>(null);
  const [compose, setCompose] = useState<ComposeStart | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useNotice();
  /** Bumped when a compose window closes: a send may have just been made. */
  const [composed, setComposed] = useState(0);

  // A search covers every folder of every mailbox the user has; a folder lists its own emails.
  const base = q ? { q } : { mailboxId: mailbox.id, folder };
  const load = useCallback(
    async (limit: number) => {
      try {
        const page = await ok(
          api.GET('/messages', { params: { query: { ...base, limit: Math.min(200, Math.max(PAGE, limit)) } } }),
        );
        setItems(page.items);
        setCursor(page.nextCursor);
        setIndexing(page.indexing ?? null);
        setError(null);
      } catch (e) {
        setError(describeError(e));
      }
    },
    [mailbox.id, folder, q],
  );

  useEffect(() => {
    void load(PAGE);
  }, [load]);

  // A change on the server (or ours reaching it): re-read what is shown.
  useEffect(() => {
    if (revision > 0) void load(items.length);
  }, [revision]);

  const more = async () => {
    if (!cursor) return;
    const page = await ok(api.GET('/messages', { params: { query: { ...base, limit: PAGE, cursor } } }));
    setItems((current) => [...current, ...page.items.filter((m) => !current.some((c) => c.id === m.id))]);
    setCursor(page.nextCursor);
  };

  // The first sync's bar: shown while a folder's first sync runs, never while sync is stopped or failing.
  const syncing =
    (mailbox.state === 'syncing' || mailbox.state === 'idle') &&
    mailbox.progress.done < mailbox.progress.total &&
    mailbox.folders.some((f) => f.enabled && !f.firstSyncDone);
  const sent = mailbox.folders.find((f) => f.specialUse === '\\Sent')?.path ?? null;
  const trash = mailbox.folders.find((f) => f.specialUse === '\\Trash')?.path ?? null;
  const drafts = mailbox.folders.find((f) => f.specialUse === '\\Drafts')?.path ?? null;

  return (
    <div className="mailbox">
      <aside className="folders" aria-label="Folders">
        <button className="primary compose-button" onClick={() => setCompose({ kind: 'new' })}>
          Compose
        </button>
        <ul>
          {folders.map((f) => (
            <li key={f.path}>
              <button
                className={f.path === folder ? 'folder active' : 'folder'}
                aria-current={f.path === folder ? 'true' : undefined}
                onClick={() => setFolder(f.path)}
              >
                <span>{folderLabel(f.path, f.specialUse)}</span>
                {f.unread > 0 && (
                  <span className="count" aria-label={`${f.unread} unread`}>
                    {f.unread}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section className="list-pane" aria-label="Messages">
        {syncing && (
          <div className="sync-progress">
            <progress max={mailbox.progress.total} value={mailbox.progress.done} aria-label="First sync" />
            <span>
              Syncing: {mailbox.progress.done} of {mailbox.progress.total} emails
            </span>
          </div>
        )}
        {mailbox.state === 'disconnected' && (
          <p className="warning" role="status">
            Sync is stopped: reconnect in Mailbox settings.
          </p>
        )}
        {mailbox.state === 'error' && (
          <p className="error" role="alert">
            {plainMailboxError(mailbox.error)}
          </p>
        )}
        <form
          className="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setQ(search.trim());
          }}
        >
          <input
            type="search"
            placeholder="Search all mail — from: to: subject: has:attachment is:unread before: after:"
            aria-label="Search emails"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              if (e.target.value === '') setQ('');
            }}
          />
        </form>
        {q && indexing && (
          <p className="indexing" role="status">
            Indexing: {Math.floor((100 * indexing.done) / Math.max(1, indexing.total))}% — the search covers the emails
            read so far
          </p>
        )}
        {notice && (
          <p className="ok" role="status">
            {notice}
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {!q && folder === sent && <PendingSends mailboxId={mailbox.id} revision={revision + composed} />}
        <MessageList
          items={items}
          selected={selected}
          onSelect={(m) =>
            m.draft && m.folder === drafts ? setCompose({ kind: 'draft', draftId: m.id }) : setSelected(m.id)
          }
          showRecipients={!q && (folder === sent || folder === drafts)}
          search={q}
          folderOf={
            q ? (m) => folderLabel(m.folder, folders.find((f) => f.path === m.folder)?.specialUse ?? null) : undefined
          }
          hasMore={cursor !== null}
          onMore={more}
        />
      </section>
      <section className={selected ? 'reading-pane open' : 'reading-pane'} aria-label="Reading pane">
        {selected ? (
          <ReadingPane
            key={selected}
            id={selected}
            revision={revision}
            folders={folders}
            trash={trash}
            user={user}
            mailbox={mailbox}
            onClose={() => setSelected(null)}
            onChanged={() => void load(items.length)}
            onGone={() => {
              setSelected(null, true);
              void load(items.length);
            }}
            onShow={(id) => setSelected(id, true)}
            onCompose={setCompose}
            onOpenRecord={onOpenRecord}
          />
        ) : (
          <p className="empty">Select an email to read it.</p>
        )}
      </section>
      {compose && (
        <Compose
          start={compose}
          mailbox={mailbox}
          senderName={user.name}
          onClose={(message) => {
            setCompose(null);
            setComposed((n) => n + 1);
            setNotice(message ?? null);
            void load(items.length);
          }}
        />
      )}
    </div>
  );
}

const ORDER = ['\\Inbox', '\\Drafts', '\\Sent', '\\Archive', '\\Junk', '\\Trash'];

function sortFolders<T extends { path: string; specialUse: string | null }>(folders: T[]): T[] {
  const rank = (f: T) =>
    f.path.toUpperCase() === 'INBOX'
      ? -1
      : f.specialUse && ORDER.includes(f.specialUse)
        ? ORDER.indexOf(f.specialUse)
        : ORDER.length;
  return [...folders].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}
