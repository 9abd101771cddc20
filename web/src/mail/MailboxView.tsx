import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNotice } from '../ui/notice.ts';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { api, describeError, ok } from '../api.ts';
import { folderLabel, plainMailboxError } from '../format.ts';
import { mailPath } from '../paths.ts';
import type { Mailbox, MessageSummary, RecordKind, User } from '../contract.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { ShortcutHelp } from '../ui/ShortcutHelp.tsx';
import { useShortcuts } from '../ui/shortcuts.ts';
import { UndoToast } from '../ui/UndoToast.tsx';
import { BulkBar } from './BulkBar.tsx';
import { changeMessages, moveBack } from './bulk.ts';
import type { BulkChange, Moved } from './bulk.ts';
import { FolderList } from './FolderList.tsx';
import { useComposeDock } from './ComposeDock.tsx';
import { ScheduledSends } from './ScheduledSends.tsx';
import { groupThreads, MessageList } from './MessageList.tsx';
import type { Thread } from './MessageList.tsx';
import { PendingSends } from './PendingSends.tsx';
import { ReadingPane } from './ReadingPane.tsx';

const PAGE = 50;

/** A move or delete that can still be undone: the emails as they were before it. */
interface Undoable {
  text: string;
  messages: Moved[];
}

/**
 * My Mailbox: folders, the message list and the reading pane; live through `revision`.
 * Rows can be ticked for bulk actions; the keyboard shortcuts are those of ui/shortcuts.ts.
 */
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
  const [pageCursor, setPageCursor] = useState<string | null>(null);
  /** While bodies are still being read after a first sync, a search says how much of the mail it covers. */
  const [indexing, setIndexing] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useNotice();
  /** Bumped when a compose window closes: a send may have just been made. */
  const [composed, setComposed] = useState(0);
  /** Bumped when a bulk or keyboard action changed emails here: the open conversation reads them again. */
  const [changed, setChanged] = useState(0);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [undoable, setUndoable] = useState<Undoable | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<MessageSummary[] | null>(null);
  const [help, setHelp] = useState(false);
  const searchBox = useRef<HTMLInputElement>(null);
  const threads = useMemo(() => groupThreads(items), [items]);
  useEffect(() => {
    setChecked(new Set());
    setCursor(null);
  }, [folder, q]);

  // A search covers every folder of every mailbox the user has; a folder lists its own emails.
  const base = q ? { q } : { mailboxId: mailbox.id, folder };
  const { open: setCompose, dock } = useComposeDock({
    mailbox,
    senderName: user.name,
    onNotice: (message) => {
      setComposed((n) => n + 1);
      setNotice(message);
      void load(items.length);
    },
  });
  const load = useCallback(
    async (limit: number) => {
      try {
        const page = await ok(
          api.GET('/messages', { params: { query: { ...base, limit: Math.min(200, Math.max(PAGE, limit)) } } }),
        );
        setItems(page.items);
        setPageCursor(page.nextCursor);
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
    if (!pageCursor) return;
    const page = await ok(api.GET('/messages', { params: { query: { ...base, limit: PAGE, cursor: pageCursor } } }));
    setItems((current) => [...current, ...page.items.filter((m) => !current.some((c) => c.id === m.id))]);
    setPageCursor(page.nextCursor);
  };

  // The first sync's bar: shown while a folder's first sync runs, never while sync is stopped or failing.
  const syncing =
    (mailbox.state === 'syncing' || mailbox.state === 'idle') &&
    mailbox.progress.done < mailbox.progress.total &&
    mailbox.folders.some((f) => f.enabled && !f.firstSyncDone);
  const sent = mailbox.folders.find((f) => f.specialUse === '\\Sent')?.path ?? null;
  const trash = mailbox.folders.find((f) => f.specialUse === '\\Trash')?.path ?? null;
  const drafts = mailbox.folders.find((f) => f.specialUse === '\\Drafts')?.path ?? null;
  const archive = mailbox.folders.find((f) => f.specialUse === '\\Archive')?.path ?? null;
  const inbox = folders.find((f) => f.path.toUpperCase() === 'INBOX')?.path ?? 'INBOX';

  const open = (message: MessageSummary) => {
    setCursor(message.threadId);
    if (message.draft && message.folder === drafts) setCompose({ kind: 'draft', draftId: message.id });
    else setSelected(message.id);
  };
  const openThread = selected ? threads.find((t) => t.messages.some((m) => m.id === selected)) : undefined;
  const checkedThreads = threads.filter((t) => checked.has(t.latest.threadId));
  /** What a keyboard action acts on: the open conversation, else the ticked rows, else the row under the cursor. */
  const targets = (): Thread[] =>
    openThread
      ? [openThread]
      : checkedThreads.length > 0
        ? checkedThreads
        : threads.filter((t) => t.latest.threadId === cursor);

  const apply = async (targetThreads: Thread[], change: BulkChange) => {
    const messages = targetThreads.flatMap((t) => t.messages);
    if (messages.length === 0) return;
    if (change.delete && !q && folder === trash) return setConfirmDelete(messages);
    setBusy(true);
    try {
      await changeMessages(messages, change);
      if (change.folder !== undefined || change.delete) {
        setChecked(new Set());
        if (openThread && targetThreads.includes(openThread)) setSelected(null, true);
        setUndoable({ text: movedText(targetThreads.length, change, mailbox.folders), messages });
      }
      setChanged((n) => n + 1);
      await load(items.length);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const undo = async (moved: Undoable) => {
    setUndoable(null);
    setBusy(true);
    try {
      await moveBack(moved.messages);
      setNotice('Moved back.');
      setChanged((n) => n + 1);
      await load(items.length);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const step = (delta: number) => {
    const at = threads.findIndex((t) => t.latest.threadId === (openThread?.latest.threadId ?? cursor));
    const next = threads[at < 0 ? 0 : Math.min(threads.length - 1, Math.max(0, at + delta))];
    if (!next) return;
    setCursor(next.latest.threadId);
    if (selected) open(next.latest);
  };
  const check = (threadId: string, on: boolean) =>
    setChecked((current) => {
      const next = new Set(current);
      if (on) next.add(threadId);
      else next.delete(threadId);
      return next;
    });
  const openCursor = () => {
    const row = threads.find((t) => t.latest.threadId === cursor) ?? threads[0];
    if (row) open(row.latest);
  };
  const everyFlagged = (list: Thread[]) => list.length > 0 && list.every((t) => t.flagged);

  useShortcuts({
    j: () => step(1),
    k: () => step(-1),
    o: openCursor,
    Enter: openCursor,
    u: () => selected && setSelected(null),
    e: () => {
      if (!archive) return setNotice('This mailbox has no Archive folder.');
      if (folder !== archive || q) void apply(targets(), { folder: archive });
    },
    '#': () => void apply(targets(), { delete: true }),
    s: () => void apply(targets(), { flagged: !everyFlagged(targets()) }),
    x: () => {
      const thread = openThread?.latest.threadId ?? cursor;
      if (thread) check(thread, !checked.has(thread));
    },
    I: () => void apply(targets(), { seen: true }),
    U: () => void apply(targets(), { seen: false }),
    '/': () => searchBox.current?.focus(),
    c: () => setCompose({ kind: 'new' }),
    'g i': () => void navigate(mailPath(inbox)),
    '?': () => setHelp(true),
  });

  return (
    <div className="mailbox">
      <FolderList
        folders={folders}
        folder={folder}
        searching={q !== ''}
        onFolder={setFolder}
        onCompose={() => setCompose({ kind: 'new' })}
        onHelp={() => setHelp(true)}
      />
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
            ref={searchBox}
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
        {undoable && (
          <UndoToast text={undoable.text} onUndo={() => void undo(undoable)} onExpire={() => setUndoable(null)} />
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {!q && folder === sent && (
          <>
            <ScheduledSends mailboxId={mailbox.id} revision={revision + composed} onEdit={setCompose} />
            <PendingSends mailboxId={mailbox.id} revision={revision + composed} />
          </>
        )}
        <BulkBar
          checked={checkedThreads.length}
          total={threads.length}
          folders={folders}
          folder={q ? null : folder}
          busy={busy}
          onSelectAll={(on) => setChecked(new Set(on ? threads.map((t) => t.latest.threadId) : []))}
          onChange={(change) => void apply(checkedThreads, change)}
        />
        <MessageList
          threads={threads}
          selected={selected}
          onSelect={open}
          checked={checked}
          onCheck={check}
          cursor={cursor}
          showRecipients={!q && (folder === sent || folder === drafts)}
          search={q}
          folderOf={
            q ? (m) => folderLabel(m.folder, folders.find((f) => f.path === m.folder)?.specialUse ?? null) : undefined
          }
          hasMore={pageCursor !== null}
          onMore={more}
        />
      </section>
      <section className={selected ? 'reading-pane open' : 'reading-pane'} aria-label="Reading pane">
        {selected ? (
          <ReadingPane
            key={selected}
            id={selected}
            revision={revision + changed}
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
            onUndoable={(text, messages) => setUndoable({ text, messages })}
          />
        ) : (
          <p className="empty">Select an email to read it.</p>
        )}
      </section>
      {dock}
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete ${confirmDelete.length === 1 ? 'this email' : `${confirmDelete.length} emails`} forever?`}
          confirm="Delete forever"
          danger
          onCancel={() => setConfirmDelete(null)}
          onConfirm={() => {
            setConfirmDelete(null);
            void changeMessages(confirmDelete, { delete: true }).then(
              () => {
                setChecked(new Set());
                setChanged((n) => n + 1);
                void load(items.length);
              },
              (e: unknown) => setError(describeError(e)),
            );
          }}
        >
          <p>They are removed from the mail server too. This cannot be undone.</p>
        </ConfirmDialog>
      )}
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </div>
  );
}

/** "2 conversations moved to Archive." / "1 conversation deleted." */
function movedText(count: number, change: BulkChange, all: Mailbox['folders']): string {
  const what = count === 1 ? '1 conversation' : `${count} conversations`;
  if (change.delete) return `${what} deleted.`;
  const target = all.find((f) => f.path === change.folder);
  return `${what} moved to ${folderLabel(change.folder ?? '', target?.specialUse ?? null)}.`;
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
