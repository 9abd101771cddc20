import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { mailPath } from '../paths.ts';
import { useNotice } from '../ui/notice.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { api, describeError, ok } from '../api.ts';
import { formatDate, who } from '../format.ts';
import { useComposeDock } from '../mail/ComposeDock.tsx';
import type { CrmRecord, Mailbox, MessageSummary, RecordKind, User } from '../contract.ts';
import { KIND_LABELS, KIND_PATHS, isAbout, statusLabel } from './kinds.ts';
import type { RecordsPlace } from './kinds.ts';
import { RecordForm } from './RecordForm.tsx';
import { Touchpoints } from './Touchpoints.tsx';

/** One record: its fields, and its email history as threads, newest first; replies from here are linked to it. */
export function RecordPage({
  kind,
  id,
  mailbox,
  user,
  revision,
  onNavigate,
}: {
  kind: RecordKind;
  id: string;
  mailbox: Mailbox | null;
  user: User;
  revision: number;
  onNavigate: (place: RecordsPlace) => void;
}) {
  const path = `/${KIND_PATHS[kind]}/{id}` as const;
  const params = { path: { id } };
  const [record, setRecord] = useState<CrmRecord | null>(null);
  const [related, setRelated] = useState<{ contact: CrmRecord | null; organization: CrmRecord | null }>({
    contact: null,
    organization: null,
  });
  const [emails, setEmails] = useState<MessageSummary[] | null>(null);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useNotice();
  const { open: setCompose, dock } = useComposeDock({
    mailbox,
    senderName: user.name,
    linkTo: { recordType: kind, recordId: id },
    onNotice: setNotice,
  });
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ok(api.GET(path, { params })).then(setRecord, (e: unknown) => setError(describeError(e)));
    ok(api.GET(`/${KIND_PATHS[kind]}/{id}/emails`, { params: { ...params, query: { limit: 200 } } })).then(
      (p) => setEmails(p.items),
      (e: unknown) => setError(describeError(e)),
    );
  }, [path, revision]);

  useEffect(() => {
    if (!record) return;
    const fetchOne = (p: '/contacts/{id}' | '/organizations/{id}', rid: string | null) =>
      rid ? ok(api.GET(p, { params: { path: { id: rid } } })).catch(() => null) : Promise.resolve(null);
    void Promise.all([
      fetchOne('/contacts/{id}', record.contactId),
      fetchOne('/organizations/{id}', record.organizationId),
    ]).then(([contact, organization]) => setRelated({ contact, organization }));
  }, [record?.contactId, record?.organizationId]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!record) return <p aria-busy="true">Loading…</p>;
  if (editing) {
    return (
      <div className="card">
        <RecordForm
          kind={kind}
          record={record}
          onSaved={(r) => {
            setRecord(r);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      </div>
    );
  }

  const remove = async () => {
    setConfirmingDelete(false);
    try {
      await ok(api.DELETE(path, { params }));
      onNavigate({ kind, id: null });
    } catch (e) {
      setError(describeError(e));
    }
  };
  const reply = async (messageId: string) => {
    if (!mailbox) return;
    try {
      const message = await ok(api.GET('/messages/{id}', { params: { path: { id: messageId } } }));
      setCompose({ kind: 'reply', message, all: false, own: mailbox.address });
    } catch (e) {
      setError(describeError(e));
    }
  };

  const label = KIND_LABELS[kind].one;
  return (
    <div className="record-page">
      <section className="card" aria-label={`${label}: ${record.name}`}>
        <button className="link" onClick={() => onNavigate({ kind, id: null })}>
          ← {KIND_LABELS[kind].many}
        </button>
        <div className="record-head">
          <h1>{record.name || '(no name)'}</h1>
          <span className="badge">{label}</span>
          <span className="spacer" />
          <button onClick={() => setEditing(true)}>Edit</button>
          {(record.ownerId === user.id || user.isAdmin) && (
            <button className="danger" onClick={() => setConfirmingDelete(true)}>
              Delete
            </button>
          )}
        </div>
        <dl className="headers">
          {record.emails.length > 0 && (
            <>
              <dt>Email</dt>
              <dd>
                {record.emails.map((e) => (
                  <div key={e}>{e}</div>
                ))}
              </dd>
            </>
          )}
          {record.phone && (
            <>
              <dt>Phone</dt>
              <dd>{record.phone}</dd>
            </>
          )}
          {record.jobTitle && (
            <>
              <dt>Job title</dt>
              <dd>{record.jobTitle}</dd>
            </>
          )}
          {record.company && (
            <>
              <dt>Company</dt>
              <dd>{record.company}</dd>
            </>
          )}
          {record.website && (
            <>
              <dt>Website</dt>
              <dd>{record.website}</dd>
            </>
          )}
          {related.contact && (
            <>
              <dt>Contact</dt>
              <dd>
                <button
                  className="link"
                  onClick={() => onNavigate({ kind: 'contact', id: related.contact?.id ?? null })}
                >
                  {related.contact.name}
                </button>
              </dd>
            </>
          )}
          {related.organization && (
            <>
              <dt>Organization</dt>
              <dd>
                <button
                  className="link"
                  onClick={() => onNavigate({ kind: 'organization', id: related.organization?.id ?? null })}
                >
                  {related.organization.name}
                </button>
              </dd>
            </>
          )}
          <dt>{kind === 'deal' ? 'Stage' : 'Status'}</dt>
          <dd>
            {statusLabel(record.status)}
            {record.open ? '' : ' (closed)'}
          </dd>
          {record.amount != null && (
            <>
              <dt>Amount</dt>
              <dd>
                {record.amount.toLocaleString()} {record.currency ?? ''}
              </dd>
            </>
          )}
          {record.dueDate && (
            <>
              <dt>{kind === 'deal' ? 'Expected close' : 'Due'}</dt>
              <dd>{new Date(record.dueDate).toLocaleDateString()}</dd>
            </>
          )}
          {record.priority && (
            <>
              <dt>Priority</dt>
              <dd>{record.priority}</dd>
            </>
          )}
          <dt>Owner</dt>
          <dd>
            {record.ownerId === user.id ? 'You' : 'Another user'}
            {record.shared ? ' · shared with every user' : ' · private to the owner'}
          </dd>
        </dl>
        {record.description && <p className="text-body">{record.description}</p>}
      </section>
      <Touchpoints kind={kind} id={record.id} revision={revision} />
      <section className="card" aria-label="Email history">
        <h2>Email history</h2>
        {notice && (
          <p className="ok" role="status">
            {notice}
          </p>
        )}
        {isAbout(kind) && mailbox && (
          <p className="note">A reply sent from here is linked to this {label.toLowerCase()}.</p>
        )}
        {emails === null ? (
          <p aria-busy="true">Loading…</p>
        ) : emails.length === 0 ? (
          <p className="empty">No emails linked yet.</p>
        ) : (
          <ol className="threads">
            {threadsOf(emails).map((thread) => (
              <li key={thread[0]?.threadId} className="thread">
                <h3>
                  {thread[0]?.subject || '(no subject)'}{' '}
                  {thread.length > 1 && <span className="thread-count">({thread.length})</span>}
                </h3>
                <ul className="thread-emails">
                  {thread.map((m) => (
                    <li key={m.id} className="thread-email">
                      <span className="from">{who(m.from)}</span> <span className="date">{formatDate(m.date)}</span>
                      {m.private && <span className="badge">private</span>}
                      <p className="snippet">{m.snippet}</p>
                    </li>
                  ))}
                </ul>
                {thread[0] && (
                  <button onClick={() => void navigate(mailPath(thread[0]?.folder ?? 'INBOX', thread[0]?.id ?? null))}>
                    Open conversation
                  </button>
                )}{' '}
                {mailbox && thread[0] && <button onClick={() => void reply(thread[0]?.id ?? '')}>Reply</button>}
              </li>
            ))}
          </ol>
        )}
      </section>
      {confirmingDelete && (
        <ConfirmDialog
          title={`Delete ${record.name || 'this record'}?`}
          confirm="Delete"
          danger
          onCancel={() => setConfirmingDelete(false)}
          onConfirm={() => void remove()}
        >
          <p>Its emails stay in the mailbox.</p>
        </ConfirmDialog>
      )}
      {dock}
    </div>
  );
}

/** Emails (newest first) grouped into threads, the thread with the newest email first. */
function threadsOf(emails: MessageSummary[]): MessageSummary[][] {
  const threads = new Map<string, MessageSummary[]>();
  for (const m of emails) threads.set(m.threadId, [...(threads.get(m.threadId) ?? []), m]);
  return [...threads.values()];
}
