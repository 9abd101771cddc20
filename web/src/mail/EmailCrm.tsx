import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { CrmRecord, MessageWithCrm, RecordKind, RuleRun } from '../contract.ts';
import { KIND_LABELS, KIND_PATHS, RECORD_KINDS } from '../records/kinds.ts';

const SOURCES = { auto: 'matched by address', rule: 'by a mailroom rule', manual: 'linked by hand' } as const;

/** The CRM side of an email in the reading pane: privacy, linked records, comments and the mailroom log. */
export function EmailCrm({
  message,
  onPrivate,
  onChanged,
  onOpenRecord,
}: {
  message: MessageWithCrm;
  onPrivate: (value: boolean) => Promise<void>;
  onChanged: () => Promise<void>;
  onOpenRecord: (kind: RecordKind, id: string) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await onChanged();
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <div className="email-crm">
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <section aria-label="Privacy" className="crm-block">
        <p>
          {message.private ? 'Private: only you see this email.' : 'Visible to your team.'}{' '}
          <button onClick={() => void onPrivate(!message.private)}>
            {message.private ? 'Make public' : 'Make private'}
          </button>
        </p>
      </section>
      <section aria-label="Linked records" className="crm-block">
        <h3>Linked records</h3>
        {message.links.length === 0 ? (
          <p className="note">Not linked to any record.</p>
        ) : (
          <ul className="links">
            {message.links.map((link) => (
              <li key={link.id}>
                <span className="badge">{KIND_LABELS[link.recordType].one}</span>{' '}
                <button className="link" onClick={() => onOpenRecord(link.recordType, link.recordId)}>
                  {link.name}
                </button>{' '}
                <span className="note">{SOURCES[link.source]}</span>{' '}
                <button
                  className="link"
                  aria-label={`Unlink ${link.name}`}
                  onClick={() =>
                    void act(() =>
                      ok(
                        api.DELETE('/messages/{id}/links/{linkId}', {
                          params: { path: { id: message.id, linkId: link.id } },
                        }),
                      ),
                    )
                  }
                >
                  Unlink
                </button>
              </li>
            ))}
          </ul>
        )}
        <LinkPicker
          onLink={(recordType, recordId) =>
            act(() =>
              ok(
                api.POST('/messages/{id}/links', {
                  params: { path: { id: message.id } },
                  body: { recordType, recordId },
                }),
              ),
            )
          }
        />
      </section>
      <Comments
        message={message}
        onAdd={(body) =>
          act(() => ok(api.POST('/messages/{id}/comments', { params: { path: { id: message.id } }, body: { body } })))
        }
      />
      {message.mailroom.length > 0 && <MailroomLog runs={message.mailroom} />}
    </div>
  );
}

function LinkPicker({ onLink }: { onLink: (kind: RecordKind, id: string) => Promise<void> }) {
  const [kind, setKind] = useState<RecordKind>('contact');
  const [q, setQ] = useState('');
  const [found, setFound] = useState<CrmRecord[] | null>(null);

  useEffect(() => setFound(null), [kind]);
  const search = async (event: FormEvent) => {
    event.preventDefault();
    setFound(
      (await ok(api.GET(`/${KIND_PATHS[kind]}`, { params: { query: { q: q.trim() || undefined, limit: 10 } } }))).items,
    );
  };

  return (
    <form className="link-picker" onSubmit={(e) => void search(e)} aria-label="Link to a record">
      <select aria-label="Record kind" value={kind} onChange={(e) => setKind(e.target.value as RecordKind)}>
        {RECORD_KINDS.map((k) => (
          <option key={k} value={k}>
            {KIND_LABELS[k].one}
          </option>
        ))}
      </select>
      <input
        type="search"
        aria-label="Find a record to link"
        placeholder="Name or email"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      <button type="submit">Find</button>
      {found &&
        (found.length === 0 ? (
          <p className="note">Nothing found.</p>
        ) : (
          <ul className="links">
            {found.map((r) => (
              <li key={r.id}>
                {r.name}{' '}
                <button
                  type="button"
                  aria-label={`Link to ${r.name}`}
                  onClick={() => void onLink(kind, r.id).then(() => setFound(null))}
                >
                  Link
                </button>
              </li>
            ))}
          </ul>
        ))}
    </form>
  );
}

function Comments({ message, onAdd }: { message: MessageWithCrm; onAdd: (body: string) => Promise<void> }) {
  const [body, setBody] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return;
    await onAdd(body.trim());
    setBody('');
  };
  return (
    <section aria-label="Comments" className="crm-block">
      <h3>Comments</h3>
      <p className="note">
        Comments stay in Tandem: they are never sent, and never reach the mail server. Mention a teammate with @ and
        their address.
      </p>
      <ul className="comments">
        {message.comments.map((c) => (
          <li key={c.id} className="comment">
            <span className="from">{c.author.name || c.author.email}</span>{' '}
            <span className="date">{new Date(c.createdAt).toLocaleString()}</span>
            <p className="text-body">{c.body}</p>
            {c.mentions.length > 0 && (
              <p className="note">
                Mentions: {c.mentions.map((m) => (m.name ? `${m.name} <${m.email}>` : m.email)).join(', ')}
              </p>
            )}
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Add a comment
          <textarea
            value={body}
            onChange={(e) => setBody(e.target.value)}
            rows={2}
            placeholder="@ann@example.com can you take this?"
          />
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={!body.trim()}>
            Comment
          </button>
        </div>
      </form>
    </section>
  );
}

function MailroomLog({ runs }: { runs: RuleRun[] }) {
  return (
    <section aria-label="Mailroom rules" className="crm-block">
      <h3>Mailroom rules run on this email</h3>
      <ul>
        {runs.map((run, i) => (
          <li key={`${run.ruleId ?? 'gone'}-${i}`}>
            <strong>{run.ruleName}</strong> <span className="date">{new Date(run.at).toLocaleString()}</span>:{' '}
            {run.results.map(describeResult).join('; ')}
          </li>
        ))}
      </ul>
    </section>
  );
}

function describeResult(result: Record<string, unknown>): string {
  const linked = Array.isArray(result.linked) ? result.linked.length : 0;
  if (typeof result.error === 'string') return `${String(result.type)} failed: ${result.error}`;
  switch (result.type) {
    case 'archive':
      return `linked to ${linked} record${linked === 1 ? '' : 's'}`;
    case 'create':
      return result.created
        ? `created a ${String(result.recordType)} and linked it`
        : `no ${String(result.recordType)} created${typeof result.skipped === 'string' ? ` (${result.skipped})` : ''}; linked to ${linked}`;
    case 'mark_private':
      return 'marked private';
    case 'wait':
      return typeof result.reason === 'string' ? result.reason : 'waiting for the body of this email';
    default:
      return String(result.type);
  }
}
