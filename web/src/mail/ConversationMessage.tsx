import { useMemo, useState } from 'react';
import { Ellipsis, Forward, Mail, MailOpen, Paperclip, Reply, ReplyAll, Star, Trash2 } from 'lucide-react';
import { addressList, folderLabel, formatDate, formatSize, who } from '../format.ts';
import type { Body, Folder, MessageWithCrm, RecordKind } from '../contract.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import type { ComposeStart } from './Compose.tsx';
import { EmailCrm } from './EmailCrm.tsx';
import { EngagementPanel } from './EngagementPanel.tsx';
import { MailFrame } from './MailFrame.tsx';
import { htmlWithoutQuote, textWithoutQuote } from './quoted.ts';

export type MessageChange = Body<'/messages/{id}', 'patch'>;

/** One email of a conversation: a line when collapsed; headers, body, actions and its CRM side when expanded. */
export function ConversationMessage({
  message,
  expanded,
  own,
  folders,
  inTrash,
  ownAddress,
  onToggle,
  onChange,
  onRemove,
  onReload,
  onCompose,
  onOpenRecord,
}: {
  message: MessageWithCrm;
  expanded: boolean;
  /** In the viewer's own mailbox: it can be replied to, moved and deleted. */
  own: boolean;
  folders: Folder[];
  inTrash: boolean;
  ownAddress: string;
  onToggle: () => void;
  onChange: (body: MessageChange) => Promise<void>;
  onRemove: (permanent: boolean) => Promise<void>;
  onReload: () => Promise<void>;
  onCompose: (start: ComposeStart) => void;
  onOpenRecord: (kind: RecordKind, id: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [showQuote, setShowQuote] = useState(false);
  const folded = useMemo(
    () => (message.html ? htmlWithoutQuote(message.html) : textWithoutQuote(message.text)),
    [message.html, message.text],
  );
  const label = `${who(message.from)}, ${formatDate(message.date)}`;

  if (!expanded)
    return (
      <button className="conversation-line" onClick={onToggle} aria-expanded="false">
        <span className="from">
          <span className="visually-hidden">Show email from </span>
          {who(message.from)}
        </span>
        <span className="snippet">{message.snippet}</span>
        {message.hasAttachments && <Paperclip aria-label="Has attachments" size={14} />}
        <span className="date">{formatDate(message.date)}</span>
      </button>
    );

  const files = message.attachments.filter((a) => !a.inline || !message.html?.includes(`/api/v1/attachments/${a.id}`));
  const body = showQuote || folded === null ? null : folded;
  return (
    <section className="conversation-message" aria-label={`Email from ${label}`}>
      <button className="conversation-line open" onClick={onToggle} aria-expanded="true">
        <span className="from">
          <span className="visually-hidden">Collapse email from </span>
          {who(message.from)} {message.from && <span className="address">&lt;{message.from.address}&gt;</span>}
        </span>
        <span className="date">{new Date(message.date).toLocaleString()}</span>
      </button>
      <dl className="headers">
        <dt>To</dt>
        <dd>{addressList(message.to) || '(no recipients)'}</dd>
        {message.cc.length > 0 && (
          <>
            <dt>Cc</dt>
            <dd>{addressList(message.cc)}</dd>
          </>
        )}
        <dt>Folder</dt>
        <dd>
          {message.folders.map((f) => folderLabel(f, folders.find((x) => x.path === f)?.specialUse ?? null)).join(', ')}
        </dd>
      </dl>
      {own && (
        <div className="toolbar" role="toolbar" aria-label="Email actions">
          <button onClick={() => onCompose({ kind: 'reply', message, all: false, own: ownAddress })}>
            <Reply aria-hidden="true" size={16} /> Reply
          </button>
          <button onClick={() => onCompose({ kind: 'reply', message, all: true, own: ownAddress })}>
            <ReplyAll aria-hidden="true" size={16} /> Reply all
          </button>
          <button onClick={() => onCompose({ kind: 'forward', message })}>
            <Forward aria-hidden="true" size={16} /> Forward
          </button>
          <button onClick={() => void onChange({ seen: !message.seen })}>
            {message.seen ? <Mail aria-hidden="true" size={16} /> : <MailOpen aria-hidden="true" size={16} />}{' '}
            {message.seen ? 'Mark unread' : 'Mark read'}
          </button>
          <button aria-pressed={message.flagged} onClick={() => void onChange({ flagged: !message.flagged })}>
            <Star aria-hidden="true" size={16} className={message.flagged ? 'star filled' : 'star'} />{' '}
            {message.flagged ? 'Starred' : 'Star'}
          </button>
          <label className="inline move">
            <span className="visually-hidden">Move to folder</span>
            <select
              value=""
              onChange={(e) => e.target.value && void onChange({ folder: e.target.value })}
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
            <button className="danger" onClick={() => setConfirming(true)}>
              <Trash2 aria-hidden="true" size={16} /> Delete forever
            </button>
          ) : (
            <button onClick={() => void onRemove(false)}>
              <Trash2 aria-hidden="true" size={16} /> Delete
            </button>
          )}
        </div>
      )}
      {message.syncState === 'failed' && (
        <p className="error" role="alert">
          The mail server did not take the last change: {message.syncError}
        </p>
      )}
      {message.problems.length > 0 && <p className="warning">{message.problems.join(' ')}</p>}
      {message.html ? (
        <MailFrame html={body ?? message.html} title={message.subject} />
      ) : (
        <pre className="text-body">{body ?? message.text}</pre>
      )}
      {folded !== null && (
        <button
          className="quote-toggle"
          onClick={() => setShowQuote((v) => !v)}
          aria-expanded={showQuote}
          aria-label={showQuote ? 'Hide quoted text' : 'Show quoted text'}
          title={showQuote ? 'Hide quoted text' : 'Show quoted text'}
        >
          <Ellipsis aria-hidden="true" size={16} />
        </button>
      )}
      {files.length > 0 && (
        <ul className="attachments" aria-label="Attachments">
          {files.map((a) => (
            <li key={a.id}>
              <a href={`/api/v1/attachments/${a.id}`} download={a.filename ?? undefined}>
                <Paperclip aria-hidden="true" size={14} /> {a.filename ?? 'attachment'}
              </a>{' '}
              <span className="size">{formatSize(a.size)}</span>
            </li>
          ))}
        </ul>
      )}
      <EngagementPanel messageId={message.id} />
      <EmailCrm
        message={message}
        onPrivate={(value) => onChange({ private: value })}
        onChanged={onReload}
        onOpenRecord={onOpenRecord}
      />
      {confirming && (
        <ConfirmDialog
          title="Delete this email forever?"
          confirm="Delete forever"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void onRemove(true);
          }}
        >
          <p>It is removed from the mail server too. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
