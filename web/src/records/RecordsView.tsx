import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { CrmRecord, Mailbox, RecordKind, User } from '../contract.ts';
import { KIND_LABELS, KIND_PATHS, RECORD_KINDS, statusLabel } from './kinds.ts';
import type { RecordsPlace } from './kinds.ts';
import { RecordForm } from './RecordForm.tsx';
import { RecordPage } from './RecordPage.tsx';

/** Where the Records area is: a kind's list, a new record, or one record's page. */

/** Records: one list per kind with search, the create form, and each record's page. */
export function RecordsView({
  place,
  mailbox,
  user,
  revision,
  onNavigate,
}: {
  place: RecordsPlace;
  mailbox: Mailbox | null;
  user: User;
  revision: number;
  onNavigate: (place: RecordsPlace) => void;
}) {
  const { kind } = place;
  return (
    <div className="records">
      <nav className="kinds" aria-label="Record kinds">
        {RECORD_KINDS.map((k) => (
          <button
            key={k}
            className={k === kind ? 'folder active' : 'folder'}
            aria-current={k === kind ? 'true' : undefined}
            onClick={() => onNavigate({ kind: k, id: null })}
          >
            {KIND_LABELS[k].many}
          </button>
        ))}
      </nav>
      <main className="record-main">
        {place.creating ? (
          <div className="card">
            <RecordForm
              kind={kind}
              record={null}
              onSaved={(r) => onNavigate({ kind, id: r.id })}
              onCancel={() => onNavigate({ kind, id: null })}
            />
          </div>
        ) : place.id ? (
          <RecordPage
            key={place.id}
            kind={kind}
            id={place.id}
            mailbox={mailbox}
            user={user}
            revision={revision}
            onNavigate={onNavigate}
          />
        ) : (
          <RecordList
            key={kind}
            kind={kind}
            revision={revision}
            onOpen={(id) => onNavigate({ kind, id })}
            onCreate={() => onNavigate({ kind, id: null, creating: true })}
          />
        )}
      </main>
    </div>
  );
}

function RecordList({
  kind,
  revision,
  onOpen,
  onCreate,
}: {
  kind: RecordKind;
  revision: number;
  onOpen: (id: string) => void;
  onCreate: () => void;
}) {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [items, setItems] = useState<CrmRecord[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ok(api.GET(`/${KIND_PATHS[kind]}`, { params: { query: { q: q || undefined, limit: 100 } } })).then(
      (page) => {
        setItems(page.items);
        setCursor(page.nextCursor);
        setError(null);
      },
      (e: unknown) => setError(describeError(e)),
    );
  }, [kind, q, revision]);

  const more = async () => {
    if (!cursor) return;
    const page = await ok(
      api.GET(`/${KIND_PATHS[kind]}`, { params: { query: { q: q || undefined, limit: 100, cursor } } }),
    );
    setItems((current) => [...(current ?? []), ...page.items]);
    setCursor(page.nextCursor);
  };

  return (
    <section className="card" aria-label={KIND_LABELS[kind].many}>
      <div className="record-head">
        <h1>{KIND_LABELS[kind].many}</h1>
        <button className="primary" onClick={onCreate}>
          New {KIND_LABELS[kind].one.toLowerCase()}
        </button>
      </div>
      <form
        role="search"
        className="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(search.trim());
        }}
      >
        <input
          type="search"
          aria-label={`Search ${KIND_LABELS[kind].many.toLowerCase()}`}
          placeholder="Search by name, company or email"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            if (e.target.value === '') setQ('');
          }}
        />
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items === null ? (
        <p aria-busy="true">Loading…</p>
      ) : items.length === 0 ? (
        <p className="empty">{q ? 'Nothing matches.' : `No ${KIND_LABELS[kind].many.toLowerCase()} yet.`}</p>
      ) : (
        <table className="record-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>
                  <button className="link" onClick={() => onOpen(r.id)}>
                    {r.name || '(no name)'}
                  </button>
                </td>
                <td>{r.emails.join(', ')}</td>
                <td>
                  {statusLabel(r.status)}
                  {r.priority ? ` · ${r.priority}` : ''}
                  {r.amount != null ? ` · ${r.amount} ${r.currency ?? ''}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && <button onClick={() => void more()}>More</button>}
    </section>
  );
}
