import { useEffect, useRef, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import { useShortcuts } from '../ui/shortcuts.ts';
import type { Folder, Mailbox, MessageWithCrm, RecordKind, User } from '../contract.ts';
import { folderLabel } from '../format.ts';
import type { Moved } from './bulk.ts';
import type { ComposeStart } from './Compose.tsx';
import { ConversationMessage } from './ConversationMessage.tsx';
import type { MessageChange } from './ConversationMessage.tsx';

/**
 * An email opened as its conversation: every email of the thread the viewer can
 * see, oldest first; the newest, the one opened and the unread ones expanded,
 * the others one line each. Opening it marks the unread ones read.
 */
export function ReadingPane({
  id,
  revision,
  folders,
  trash,
  mailbox,
  onClose,
  onChanged,
  onGone,
  onShow,
  onCompose,
  onOpenRecord,
  onUndoable,
}: {
  id: string;
  revision: number;
  folders: Folder[];
  trash: string | null;
  user: User;
  mailbox: Mailbox;
  onClose: () => void;
  onChanged: () => void;
  /** Nothing of the conversation is left to show. */
  onGone: () => void;
  /** The opened email left the conversation (deleted): show it by another of its emails. */
  onShow: (id: string) => void;
  onCompose: (start: ComposeStart) => void;
  onOpenRecord: (kind: RecordKind, id: string) => void;
  /** An email was moved or deleted to Trash here: offer to move it back. */
  onUndoable: (text: string, moved: Moved[]) => void;
}) {
  const [items, setItems] = useState<MessageWithCrm[] | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const read = async () => (await ok(api.GET('/messages/{id}/conversation', { params: { path: { id } } }))).items;
  const update = (messageId: string, body: MessageChange) =>
    ok(api.PATCH('/messages/{id}', { params: { path: { id: messageId } }, body }));
  // Set while an email is being deleted: the live updates its deletion causes must not read it again.
  const deleting = useRef(false);
  // Set for good once the opened email is deleted here: this pane is closing and reads nothing more.
  const closing = useRef(false);

  const replace = (message: MessageWithCrm) =>
    setItems((current) => current?.map((m) => (m.id === message.id ? message : m)) ?? null);

  useEffect(() => {
    let live = true;
    read().then(
      async (conversation) => {
        if (!live) return;
        setItems(conversation);
        const newest = conversation[conversation.length - 1];
        setExpanded(
          new Set([id, ...(newest ? [newest.id] : []), ...conversation.filter((m) => !m.seen).map((m) => m.id)]),
        );
        const unread = conversation.filter((m) => !m.seen && m.mailboxId === mailbox.id);
        if (unread.length === 0) return;
        const marked = await Promise.all(unread.map((m) => update(m.id, { seen: true })));
        if (!live) return;
        for (const message of marked) replace(message);
        onChanged();
      },
      (e: unknown) => live && setError(describeError(e)),
    );
    return () => {
      live = false;
    };
    // Re-read on live changes (below), but mark read only when opened.
  }, [id]);

  useEffect(() => {
    if (revision === 0 || deleting.current || closing.current) return;
    read().then(setItems, () => onGone());
  }, [revision]);

  // r, a, f answer the newest email of the conversation in the viewer's own mailbox.
  const answerable = items?.filter((m) => m.mailboxId === mailbox.id && !m.draft).at(-1);
  useShortcuts({
    r: () => answerable && onCompose({ kind: 'reply', message: answerable, all: false, own: mailbox.address }),
    a: () => answerable && onCompose({ kind: 'reply', message: answerable, all: true, own: mailbox.address }),
    f: () => answerable && onCompose({ kind: 'forward', message: answerable }),
  });

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!items) return <p aria-busy="true">Loading…</p>;
  const subject = items[items.length - 1]?.subject || '(no subject)';

  const change = async (message: MessageWithCrm, body: MessageChange) => {
    try {
      replace(await update(message.id, body));
      onChanged();
      if (body.folder !== undefined && body.folder !== message.folder) {
        const to = folders.find((f) => f.path === body.folder);
        onUndoable(`1 email moved to ${folderLabel(body.folder, to?.specialUse ?? null)}.`, [message]);
      }
    } catch (e) {
      setError(describeError(e));
    }
  };
  const remove = async (message: MessageWithCrm, permanent: boolean) => {
    deleting.current = true;
    try {
      await ok(
        api.DELETE('/messages/{id}', {
          params: { path: { id: message.id }, query: permanent ? { permanent: 'true' } : {} },
        }),
      );
      if (!permanent && message.folder !== trash) onUndoable('1 email deleted.', [message]);
      const left = items.filter((m) => m.id !== message.id);
      const next = left[left.length - 1];
      if (!next || message.id === id) closing.current = true;
      if (!next) return onGone();
      setItems(left);
      onChanged();
      if (message.id === id) onShow(next.id);
    } catch (e) {
      setError(describeError(e));
    } finally {
      deleting.current = false;
    }
  };
  const toggle = (messageId: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(messageId)) next.add(messageId);
      return next;
    });
  const allOpen = items.every((m) => expanded.has(m.id));

  return (
    <article className="conversation" aria-label={`Conversation: ${subject}`}>
      <div className="conversation-head">
        <button className="link back" onClick={onClose}>
          ← Back
        </button>
        <h2>{subject}</h2>
        {items.length > 1 && (
          <>
            <span className="note">{items.length} emails</span>
            <button
              className="link"
              onClick={() =>
                setExpanded(allOpen ? new Set([items[items.length - 1]?.id ?? '']) : new Set(items.map((m) => m.id)))
              }
            >
              {allOpen ? 'Collapse all' : 'Expand all'}
            </button>
          </>
        )}
      </div>
      <ol className="conversation-messages">
        {items.map((message) => (
          <li key={message.id}>
            <ConversationMessage
              message={message}
              expanded={expanded.has(message.id)}
              own={message.mailboxId === mailbox.id}
              folders={folders}
              inTrash={trash !== null && message.folder === trash}
              ownAddress={mailbox.address}
              onToggle={() => toggle(message.id)}
              onChange={(body) => change(message, body)}
              onRemove={(permanent) => remove(message, permanent)}
              onReload={async () => setItems(await read())}
              onCompose={onCompose}
              onOpenRecord={onOpenRecord}
            />
          </li>
        ))}
      </ol>
    </article>
  );
}
