import { useEffect, useRef, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import { addressList, folderLabel, formatSize, who } from '../format.ts';
import type { Body, Folder, Mailbox, MessageWithCrm, RecordKind, User } from '../contract.ts';
import { EmailCrm } from './EmailCrm.tsx';
import type { ComposeStart } from './Compose.tsx';
import { MailFrame } from './MailFrame.tsx';

type MessageChange = Body<'/messages/{id}', 'patch'>;

export function ReadingPane({
  id,
  revision,
  folders,
  trash,
  mailbox,
  onClose,
  onChanged,
  onGone,
  onCompose,
  onOpenRecord,
}: {
  id: string;
  revision: number;
  folders: Folder[];
  trash: string | null;
  user: User;
  mailbox: Mailbox;
  onClose: () => void;
  onChanged: () => void;
  onGone: () => void;
  onCompose: (start: ComposeStart) => void;
  onOpenRecord: (kind: RecordKind, id: string) => void;
}) {
  const [message, setMessage] = useState<MessageWithCrm | null>(null);
  const read = () => ok(api.GET('/messages/{id}', { params: { path: { id } } }));
  const update = (body: MessageChange) => ok(api.PATCH('/messages/{id}', { params: { path: { id } }, body }));
  const [error, setError] = useState<string | null>(null);
  // Set while this email is being deleted: the live updates its deletion causes must not read it again.
  const deleting = useRef(false);

  useEffect(() => {
    let live = true;
    read().then(
      async (detail) => {
        if (!live) return;
        setMessage(detail);
        if (!detail.seen && revision >= 0) {
          setMessage(await update({ seen: true }));
          onChanged();
        }
      },
      (e: unknown) => live && setError(describeError(e)),
    );
    return () => {
      live = false;
    };
    // Re-read on live changes, but mark read only once: `seen` is checked on the first read.
  }, [id]);

  useEffect(() => {
    if (revision === 0 || deleting.current) return;
    read().then(setMessage, () => onGone());
  }, [revision]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!message) return <p aria-busy="true">Loading…</p>;

  const change = async (body: MessageChange) => {
    try {
      setMessage(await update(body));
      onChanged();
      if (body.folder) onGone();
    } catch (e) {
      setError(describeError(e));
    }
  };
  const remove = async (permanent: boolean) => {
    if (permanent && !window.confirm('Delete this email forever? It is removed from the mail server too.')) return;
    deleting.current = true;
    try {
      await ok(
        api.DELETE('/messages/{id}', { params: { path: { id }, query: permanent ? { permanent: 'true' } : {} } }),
      );
      onGone();
    } catch (e) {
      deleting.current = false;
      setError(describeError(e));
    }
  };
  const inTrash = trash !== null && message.folder === trash;
  const files = message.attachments.filter((a) => !a.inline || !message.html?.includes(`/api/v1/attachments/${a.id}`));

  return (
    <article className="reading" aria-label={message.subject || '(no subject)'}>
      <div className="toolbar" role="toolbar" aria-label="Email actions">
        <button className="link back" onClick={onClose}>
          ← Back
        </button>
        <button onClick={() => onCompose({ kind: 'reply', message, all: false, own: mailbox.address })}>Reply</button>
        <button onClick={() => onCompose({ kind: 'reply', message, all: true, own: mailbox.address })}>
          Reply all
        </button>
        <button onClick={() => onCompose({ kind: 'forward', message })}>Forward</button>
        <button onClick={() => void change({ seen: !message.seen })}>
          {message.seen ? 'Mark unread' : 'Mark read'}
        </button>
        <button aria-pressed={message.flagged} onClick={() => void change({ flagged: !message.flagged })}>
          {message.flagged ? '★ Starred' : '☆ Star'}
        </button>
        <label className="inline move">
          <span className="visually-hidden">Move to folder</span>
          <select
            value=""
            onChange={(e) => e.target.value && void change({ folder: e.target.value })}
            aria-label="Move to folder"
          >
            <option value="">Move to…</option>
            {folders
              .filter((f) => f.path !== message.folder)
              .map((f) => (
                <option key={f.path} value={f.path}>
                  {folderLabel(f.path, f.specialUse)}
                </option>
              ))}
          </select>
        </label>
        {inTrash ? (
          <button className="danger" onClick={() => void remove(true)}>
            Delete forever
          </button>
        ) : (
          <button onClick={() => void remove(false)}>Delete</button>
        )}
      </div>
      <h2>{message.subject || '(no subject)'}</h2>
      <dl className="headers">
        <dt>From</dt>
        <dd>
          {who(message.from)} {message.from && <span className="address">&lt;{message.from.address}&gt;</span>}
        </dd>
        <dt>To</dt>
        <dd>{addressList(message.to)}</dd>
        {message.cc.length > 0 && (
          <>
            <dt>Cc</dt>
            <dd>{addressList(message.cc)}</dd>
          </>
        )}
        <dt>Date</dt>
        <dd>{new Date(message.date).toLocaleString()}</dd>
      </dl>
      {message.syncState === 'failed' && (
        <p className="error" role="alert">
          The mail server did not take the last change: {message.syncError}
        </p>
      )}
      {message.problems.length > 0 && <p className="warning">{message.problems.join(' ')}</p>}
      {message.html ? (
        <MailFrame html={message.html} title={message.subject} />
      ) : (
        <pre className="text-body">{message.text}</pre>
      )}
      {files.length > 0 && (
        <ul className="attachments" aria-label="Attachments">
          {files.map((a) => (
            <li key={a.id}>
              <a href={`/api/v1/attachments/${a.id}`} download={a.filename ?? undefined}>
                📎 {a.filename ?? 'attachment'}
              </a>{' '}
              <span className="size">{formatSize(a.size)}</span>
            </li>
          ))}
        </ul>
      )}
      <EmailCrm
        message={message}
        onPrivate={(value) => change({ private: value })}
        onChanged={async () => setMessage(await read())}
        onOpenRecord={onOpenRecord}
      />
    </article>
  );
}
