import { useEffect, useRef, useState } from 'react';
import { Clock, List, Maximize2, Minus, Paperclip, X } from 'lucide-react';
import { useBouncing } from './bouncing.ts';
import { api, ApiError, describeError, ok } from '../api.ts';
import { addressList, formatSize, who } from '../format.ts';
import type { Draft, DraftFields, HeldSend, Mailbox, MessageDetail, NewAttachment, RecordKind } from '../contract.ts';
import { RecipientInput } from './RecipientInput.tsx';
import { editorHtml, holdsPlainText, keepInlineImages, showInlineImages } from './draft-body.ts';

export type ComposeStart =
  | { kind: 'new' }
  | { kind: 'reply'; message: MessageDetail; all: boolean; own: string }
  | { kind: 'forward'; message: MessageDetail }
  | { kind: 'draft'; draftId: string };

const AUTOSAVE_MS = 1500;
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/**
 * Compose, reply, forward: a docked, non-modal window (ComposeDock). The draft
 * is created on the server when the window opens (with the user's signature)
 * and autosaved there, so it is in the mail server's Drafts too. Send hands the
 * draft to Tandem, which holds it for the undo delay (or until the time chosen
 * with Schedule) before sending it; with `linkTo` (a reply from a record's
 * page) the sent email is linked to that record.
 */
export function Compose({
  start,
  mailbox,
  senderName,
  linkTo,
  minimized = false,
  onToggleMinimized,
  onHeld,
  onClose,
}: {
  start: ComposeStart;
  mailbox: Mailbox;
  /** The user's name: on From when the mailbox has no display name of its own (as the server does). */
  senderName: string;
  linkTo?: { recordType: RecordKind; recordId: string } | undefined;
  /** Only the window's title bar shows; the draft stays as it is. */
  minimized?: boolean;
  onToggleMinimized?: () => void;
  /** Sent: Tandem holds the email until its time (undo delay, or the time scheduled). */
  onHeld: (send: HeldSend) => void;
  onClose: (notice?: string) => void;
}) {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [to, setTo] = useState('');
  const [cc, setCc] = useState('');
  const [bcc, setBcc] = useState('');
  const [subject, setSubject] = useState('');
  const [attachments, setAttachments] = useState<NewAttachment[]>([]);
  const [kept, setKept] = useState<{ id: string; filename: string; size: number }[]>([]);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  /** The id of the draft when the mail app deleted it: editing waits for a restore. */
  const [deletedElsewhere, setDeletedElsewhere] = useState<string | null>(null);
  /** Edits the server does not have yet (shown when they cannot be saved). */
  const [unsaved, setUnsaved] = useState(false);
  /** Close was asked for while edits could not be saved: closing now drops them, said so. */
  const [closeRefused, setCloseRefused] = useState(false);
  /** A plain-text draft is edited and saved as text until the user adds formatting. */
  const [plainText, setPlainText] = useState(false);
  const [busy, setBusy] = useState(false);
  /** The time picked for Schedule send (a datetime-local value), or null while the picker is closed. */
  const [scheduleAt, setScheduleAt] = useState<string | null>(null);
  /** Open and click marks on what goes out; starts at the workspace's default for one-to-one emails. */
  const [track, setTrack] = useState(false);
  const fromName = mailbox.displayName?.trim() || senderName.trim();
  /** Cc and Bcc are shown on demand, or when the draft has some. */
  const [copiesAsked, setCopiesAsked] = useState(false);
  const showCopies = copiesAsked || cc !== '' || bcc !== '';
  const editor = useRef<HTMLDivElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const changed = useRef(false);
  /** Whether the user changed anything since the window opened. */
  const edited = useRef(false);
  /** The header fields as last loaded from the server: not an edit. */
  const filled = useRef('');
  const base = useRef<Pick<DraftFields, 'inReplyTo' | 'forwardOf'>>({});

  const body = (draftId: string): Pick<DraftFields, 'text' | 'html'> => {
    const element = editor.current;
    if (!element) return { text: '' };
    if (plainText && holdsPlainText(element)) return { text: element.innerText };
    return { html: keepInlineImages(editorHtml(element, plainText), draftId), text: element.innerText };
  };

  const fields = (draftId: string): DraftFields => ({
    to: splitAddresses(to),
    cc: splitAddresses(cc),
    bcc: splitAddresses(bcc),
    subject,
    ...body(draftId),
    attachments: attachments.map(({ filename, contentType, contentBase64 }) => ({
      filename,
      contentType,
      contentBase64,
    })),
    keepAttachments: kept.map((k) => k.id),
    ...base.current,
  });

  const fill = (f: Draft['fields'], draftId: string) => {
    filled.current = snapshotOf(
      f.to.join(', '),
      (f.cc ?? []).join(', '),
      (f.bcc ?? []).join(', '),
      f.subject,
      (f.attachments ?? []).length,
    );
    setTo(f.to.join(', '));
    setCc((f.cc ?? []).join(', '));
    setBcc((f.bcc ?? []).join(', '));
    setSubject(f.subject);
    setPlainText(f.html === undefined);
    if (editor.current) {
      if (f.html === undefined) editor.current.textContent = f.text ?? '';
      else editor.current.innerHTML = showInlineImages(f.html, draftId);
    }
    base.current = {
      ...(f.inReplyTo ? { inReplyTo: f.inReplyTo } : {}),
      ...(f.forwardOf ? { forwardOf: f.forwardOf } : {}),
    };
    setAttachments((f.attachments ?? []).map((a) => ({ ...a, size: Math.floor((a.contentBase64.length * 3) / 4) })));
  };

  useEffect(() => {
    let live = true;
    ok(api.GET('/tracking-settings')).then(
      (policy) => live && setTrack(policy.trackOneToOne),
      () => undefined, // the toggle stays off: nothing is tracked that the sender did not see chosen
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    let live = true;
    const open = async () => {
      try {
        if (start.kind === 'draft') {
          const existing = await openDraft(start.draftId).catch((e: unknown) => {
            if (e instanceof ApiError && e.code === 'draft_deleted') setDeletedElsewhere(start.draftId);
            throw e;
          });
          if (live) {
            setDraft(existing);
            setKept(existing.kept);
            fill(existing.fields, existing.id);
          }
          return;
        }
        const initial = startFields(start, mailbox.address);
        if (start.kind === 'forward')
          setKept(
            start.message.attachments
              .filter((a) => !a.inline)
              .map((a) => ({ id: a.id, filename: a.filename ?? 'attachment', size: a.size })),
          );
        const created = await ok(api.POST('/drafts', { body: { mailboxId: mailbox.id, ...initial } }));
        if (live) {
          setDraft(created);
          fill(created.fields, created.id);
        } else {
          // The window went away (or React ran this effect again) before the draft existed: leave no empty draft.
          await ok(api.DELETE('/drafts/{id}', { params: { path: { id: created.id } } })).catch(() => undefined);
        }
      } catch (e) {
        if (live && !(e instanceof ApiError && e.code === 'draft_deleted')) setError(describeError(e));
      }
    };
    void open();
    return () => {
      live = false;
    };
  }, []);

  const save = async (): Promise<Draft | null> => {
    if (!draft) return null;
    if (timer.current) clearTimeout(timer.current);
    changed.current = false;
    setStatus('Saving draft…');
    try {
      const saved = await ok(api.PUT('/drafts/{id}', { params: { path: { id: draft.id } }, body: fields(draft.id) }));
      setDraft(saved);
      setUnsaved(changed.current);
      setStatus('Draft saved');
      return saved;
    } catch (e) {
      // Not saved: the edits stay in the editor and stay marked as unsaved.
      changed.current = true;
      setUnsaved(true);
      setStatus('');
      if (e instanceof ApiError && e.code === 'draft_deleted') setDeletedElsewhere(draft.id);
      else setError(describeError(e));
      return null;
    }
  };

  const touch = () => {
    changed.current = true;
    edited.current = true;
    setUnsaved(true);
    setError(null);
    if (timer.current) clearTimeout(timer.current);
    // Deleted in the mail app: nothing is saved until the user restores it.
    if (!deletedElsewhere) timer.current = setTimeout(() => void save(), AUTOSAVE_MS);
  };
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  // Field edits (not the editor) change state: autosave after them too.
  const snapshot = snapshotOf(to, cc, bcc, subject, attachments.length);
  useEffect(() => {
    if (draft && snapshot !== filled.current) {
      filled.current = snapshot;
      touch();
    }
  }, [snapshot]);

  const invalid = [...splitAddresses(to), ...splitAddresses(cc), ...splitAddresses(bcc)].filter((a) => !EMAIL.test(a));
  /** Shown as wrong while typing: only the addresses already ended by a comma (the last one may be half typed). */
  const wrongSoFar = [...finished(to), ...finished(cc), ...finished(bcc)].filter((a) => !EMAIL.test(a));
  const bouncing = useBouncing(
    [...splitAddresses(to), ...splitAddresses(cc), ...splitAddresses(bcc)].filter((a) => EMAIL.test(a)),
  );
  const totalSize = attachments.reduce((sum, a) => sum + a.size, 0) + kept.reduce((sum, k) => sum + k.size, 0);

  /** Send (after the undo delay) or, with `sendAt`, schedule: the email is held in Tandem until then. */
  const send = async (sendAt?: number) => {
    if (invalid.length > 0) return setError(`Not an email address: ${invalid.join(', ')}`);
    if (splitAddresses(to).length + splitAddresses(cc).length + splitAddresses(bcc).length === 0)
      return setError('Add at least one recipient');
    setBusy(true);
    setError(null);
    const saved = await save();
    if (!saved) return setBusy(false);
    try {
      setStatus(sendAt === undefined ? 'Sending…' : 'Scheduling…');
      const held = await ok(
        api.POST('/drafts/{id}/hold', {
          params: { path: { id: saved.id } },
          body: { track, ...(linkTo ? { linkTo } : {}), ...(sendAt === undefined ? {} : { sendAt }) },
        }),
      );
      onHeld(held);
    } catch (e) {
      setStatus('');
      setError(`Not sent: ${describeError(e)}`);
      setBusy(false);
    }
  };

  const discard = async () => {
    if (timer.current) clearTimeout(timer.current);
    if (draft) await ok(api.DELETE('/drafts/{id}', { params: { path: { id: draft.id } } })).catch(() => undefined);
    onClose('Draft discarded.');
  };

  const close = async () => {
    if (draft && !edited.current && start.kind !== 'draft') return discard(); // opened and closed: leave no empty draft
    if (deletedElsewhere) return changed.current ? setCloseRefused(true) : onClose();
    // Edits that could not be saved keep the window open, with the reason shown.
    if (changed.current && !(await save())) return;
    onClose(draft ? 'Draft saved.' : undefined);
  };

  /** Puts the last saved version back on the server, then saves the edits made since on top of it. */
  const restore = async () => {
    if (!deletedElsewhere) return;
    try {
      const restored = await ok(api.POST('/drafts/{id}/restore', { params: { path: { id: deletedElsewhere } } }));
      setDeletedElsewhere(null);
      setCloseRefused(false);
      setDraft(restored);
      if (changed.current && draft) await save();
      else fill(restored.fields, restored.id);
    } catch (e) {
      setError(describeError(e));
    }
  };

  const addFiles = async (files: FileList | null) => {
    if (!files) return;
    const added = await Promise.all([...files].map(readAttachment));
    setAttachments((current) => [...current, ...added]);
  };

  const format = (command: string, value?: string) => {
    editor.current?.focus();
    document.execCommand(command, false, value);
    touch();
  };

  return (
    <section
      className={minimized ? 'compose card minimized' : 'compose card'}
      role="dialog"
      aria-modal="false"
      aria-label="Compose email"
      onKeyDown={(e) => e.key === 'Escape' && void close()}
    >
      <header className="compose-title">
        <h2>{subject.trim() || TITLES[start.kind]}</h2>
        {onToggleMinimized && (
          <button
            type="button"
            className="icon"
            onClick={onToggleMinimized}
            aria-label={minimized ? 'Restore' : 'Minimize'}
            title={minimized ? 'Restore' : 'Minimize'}
            aria-expanded={!minimized}
          >
            {minimized ? <Maximize2 aria-hidden="true" size={16} /> : <Minus aria-hidden="true" size={16} />}
          </button>
        )}
      </header>
      <div className="compose-body" hidden={minimized}>
        {deletedElsewhere && (
          <div className="warning deleted-elsewhere" role="alert">
            <p>
              This draft was deleted in your mail app.{' '}
              {unsaved
                ? closeRefused
                  ? 'Restore it to keep your changes, or close without saving them.'
                  : 'Restore it to save your changes.'
                : 'Restore it to keep editing it.'}
            </p>
            <button className="primary" onClick={() => void restore()}>
              Restore it
            </button>{' '}
            {(!unsaved || closeRefused) && (
              <button className="link" onClick={() => onClose()}>
                {unsaved ? 'Close without saving' : 'Close'}
              </button>
            )}
          </div>
        )}
        <label>
          From
          <select value={mailbox.address} disabled>
            <option>{fromName ? `${fromName} <${mailbox.address}>` : mailbox.address}</option>
          </select>
        </label>
        <label>
          To
          <RecipientInput
            value={to}
            disabled={!draft}
            onChange={setTo}
            placeholder="name@example.com, …"
            invalid={finished(to).some((a) => !EMAIL.test(a))}
          />
        </label>
        {showCopies ? (
          <>
            <label>
              Cc
              <RecipientInput
                value={cc}
                disabled={!draft}
                onChange={setCc}
                invalid={finished(cc).some((a) => !EMAIL.test(a))}
              />
            </label>
            <label>
              Bcc
              <RecipientInput
                value={bcc}
                disabled={!draft}
                onChange={setBcc}
                invalid={finished(bcc).some((a) => !EMAIL.test(a))}
              />
            </label>
          </>
        ) : (
          <button type="button" className="link add-copies" onClick={() => setCopiesAsked(true)}>
            Cc/Bcc
          </button>
        )}
        {wrongSoFar.length > 0 && <p className="error">Not an email address: {wrongSoFar.join(', ')}</p>}
        {bouncing.map((b) => (
          <p key={b.address} className="error" role="status">
            Mail to {b.address} bounced: {b.reason}. It may bounce again.
          </p>
        ))}
        <label>
          Subject
          <input value={subject} disabled={!draft} onChange={(e) => setSubject(e.target.value)} />
        </label>
        <div className="format-bar" role="toolbar" aria-label="Formatting">
          <button type="button" onClick={() => format('bold')} aria-label="Bold">
            <b>B</b>
          </button>
          <button type="button" onClick={() => format('italic')} aria-label="Italic">
            <i>I</i>
          </button>
          <button type="button" onClick={() => format('insertUnorderedList')} aria-label="Bulleted list">
            <List aria-hidden="true" size={16} />
          </button>
          <button
            type="button"
            onClick={() => {
              const url = window.prompt('Link address');
              if (url) format('createLink', url);
            }}
            aria-label="Link"
          >
            Link
          </button>
        </div>
        {/* Nothing can be typed before the draft is loaded (or made): loading it would overwrite it. */}
        <div
          ref={editor}
          className={plainText ? 'editor plain-text' : 'editor'}
          contentEditable={draft !== null && !(deletedElsewhere && !unsaved)}
          role="textbox"
          aria-multiline="true"
          aria-label="Message"
          onInput={touch}
        />
        <div className="attach">
          <label className="button">
            Attach files
            <input
              type="file"
              multiple
              className="visually-hidden"
              onChange={(e) => {
                void addFiles(e.target.files);
                e.target.value = '';
              }}
              aria-label="Attach files"
            />
          </label>
          <ul aria-label="Attached files">
            {kept.map((k) => (
              <li key={k.id}>
                <Paperclip aria-hidden="true" size={14} /> {k.filename}{' '}
                <span className="size">{formatSize(k.size)}</span>{' '}
                <button
                  className="link"
                  onClick={() => {
                    setKept((c) => c.filter((x) => x.id !== k.id));
                    touch();
                  }}
                  aria-label={`Remove ${k.filename}`}
                >
                  <X aria-hidden="true" size={14} />
                </button>
              </li>
            ))}
            {attachments.map((a, i) => (
              <li key={`${a.filename}-${i}`}>
                <Paperclip aria-hidden="true" size={14} /> {a.filename}{' '}
                <span className="size">{formatSize(a.size)}</span>{' '}
                <button
                  className="link"
                  onClick={() => setAttachments((c) => c.filter((_, j) => j !== i))}
                  aria-label={`Remove ${a.filename}`}
                >
                  <X aria-hidden="true" size={14} />
                </button>
              </li>
            ))}
          </ul>
          {totalSize > 0 && (
            <span className="size">
              Total {formatSize(totalSize)} (the mail server's size limit is checked before sending)
            </span>
          )}
        </div>
        <label className="inline track-toggle">
          <input type="checkbox" checked={track} onChange={(e) => setTrack(e.target.checked)} /> Track opens and clicks
          <span className="note"> (the copy in your Sent folder never carries tracking)</span>
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <span className="status" role="status">
            {status}
            {draft?.state === 'failed' && draft.error ? ` — the server did not take the draft: ${draft.error}` : ''}
          </span>
          <button onClick={() => void discard()} disabled={busy}>
            Discard
          </button>
          <button onClick={() => void close()} disabled={busy}>
            Close
          </button>
          <button
            onClick={() => setScheduleAt(scheduleAt === null ? inAnHour() : null)}
            disabled={busy || !draft}
            aria-expanded={scheduleAt !== null}
          >
            <Clock aria-hidden="true" size={14} /> Schedule
          </button>
          <button className="primary" onClick={() => void send()} disabled={busy || !draft}>
            Send
          </button>
        </div>
        {scheduleAt !== null && (
          <form
            className="schedule-picker"
            aria-label="Schedule send"
            onSubmit={(e) => {
              e.preventDefault();
              const at = new Date(scheduleAt).getTime();
              if (!Number.isFinite(at) || at <= Date.now()) return setError('Pick a time in the future');
              void send(at);
            }}
          >
            <label>
              Send at
              <input
                type="datetime-local"
                value={scheduleAt}
                min={localDateTime(new Date())}
                onChange={(e) => setScheduleAt(e.target.value)}
                required
              />
            </label>
            <button className="primary" type="submit" disabled={busy}>
              Schedule send
            </button>
          </form>
        )}
      </div>
    </section>
  );
}

const TITLES: Record<ComposeStart['kind'], string> = {
  new: 'New email',
  reply: 'Reply',
  forward: 'Forward',
  draft: 'Draft',
};

/** A datetime-local value (local time, to the minute). */
export function localDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function inAnHour(): string {
  return localDateTime(new Date(Date.now() + 3600_000));
}

/** A draft by id: one made in Tandem, or (by message id) an email in Drafts written in another mail app. */
async function openDraft(id: string): Promise<Draft & { kept: { id: string; filename: string; size: number }[] }> {
  const draft = await ok(api.GET('/drafts/{id}', { params: { path: { id } } }));
  const keep = draft.fields.keepAttachments ?? [];
  if (keep.length === 0 || !/^\d+$/.test(id))
    return { ...draft, kept: keep.map((k) => ({ id: k, filename: 'attachment', size: 0 })) };
  const message = await ok(api.GET('/messages/{id}', { params: { path: { id } } }));
  return {
    ...draft,
    kept: message.attachments
      .filter((a) => keep.includes(a.id))
      .map((a) => ({ id: a.id, filename: a.filename ?? 'attachment', size: a.size })),
  };
}

function startFields(start: ComposeStart, own: string): DraftFields {
  if (start.kind === 'reply') {
    const m = start.message;
    const lower = own.toLowerCase();
    const others = (list: { address: string }[]) => list.map((a) => a.address).filter((a) => a.toLowerCase() !== lower);
    const to = m.from ? [m.from.address] : [];
    return {
      to,
      cc: start.all ? others([...m.to, ...m.cc]).filter((a) => !to.includes(a)) : [],
      subject: /^re:/i.test(m.subject) ? m.subject : `Re: ${m.subject}`,
      html: `<p><br></p><div class="quote"><p>On ${new Date(m.date).toLocaleString()}, ${escapeText(who(m.from))} wrote:</p><blockquote>${quote(m)}</blockquote></div>`,
      inReplyTo: m.id,
    };
  }
  if (start.kind === 'forward') {
    const m = start.message;
    return {
      to: [],
      subject: /^fwd?:/i.test(m.subject) ? m.subject : `Fwd: ${m.subject}`,
      html: `<p><br></p><div class="quote"><p>---------- Forwarded message ----------<br>From: ${escapeText(m.from ? addressList([m.from]) : '')}<br>Subject: ${escapeText(m.subject)}<br>To: ${escapeText(addressList(m.to))}</p>${quote(m)}</div>`,
      keepAttachments: m.attachments.filter((a) => !a.inline).map((a) => a.id),
      forwardOf: m.id,
    };
  }
  return { to: [], subject: '', html: '<p><br></p>' };
}

/** The quoted body: the sanitized HTML without remote images, or the text. */
function quote(m: MessageDetail): string {
  if (m.html) return m.html.replace(/<img\b[^>]*\sdata-remote-src="[^"]*"[^>]*>/gi, '');
  return escapeText(m.text).replace(/\n/g, '<br>');
}

function snapshotOf(...fields: (string | number)[]): string {
  return JSON.stringify(fields);
}

/** The addresses ended by a separator: all but one still being typed. */
function finished(value: string): string[] {
  return splitAddresses(value.replace(/[^,;]*$/, ''));
}

function splitAddresses(value: string): string[] {
  return value
    .split(/[,;]/)
    .map((a) => a.trim())
    .filter(Boolean);
}

function escapeText(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

function readAttachment(file: File): Promise<NewAttachment> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve({
        filename: file.name,
        contentType: file.type || 'application/octet-stream',
        contentBase64: url.slice(url.indexOf(',') + 1),
        size: file.size,
      });
    };
    reader.onerror = () => reject(reader.error ?? new Error(`Cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}
