import { useCallback, useEffect, useState } from 'react';
import { describeError, get } from './api.ts';
import { useMailEvents } from './live.ts';
import { MailboxView } from './mail/MailboxView.tsx';
import { RecordsView } from './records/RecordsView.tsx';
import type { RecordsPlace } from './records/RecordsView.tsx';
import { MailboxSettings } from './settings/MailboxSettings.tsx';
import { SetupWizard } from './setup/SetupWizard.tsx';
import type { Mailbox, RecordKind, User } from './types.ts';

type Screen = 'mail' | 'records' | 'setup' | 'settings';

export function Workspace({ user, onSignOut }: { user: User; onSignOut: () => void }) {
  const [mailbox, setMailbox] = useState<Mailbox | null | undefined>(undefined);
  const [screen, setScreen] = useState<Screen>('mail');
  const [revision, setRevision] = useState(0);
  const [records, setRecords] = useState<RecordsPlace>({ kind: 'contact', id: null });
  const openRecords = (place: RecordsPlace) => {
    setRecords(place);
    setScreen('records');
  };
  const openRecord = (kind: RecordKind, id: string) => openRecords({ kind, id });
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const { items } = await get<{ items: Mailbox[] }>('/mailboxes');
      setMailbox(items[0] ?? null);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  useMailEvents((event) => {
    if (event.type === 'ready' || event.type === 'mailbox.changed' || event.type === 'messages.added' || event.type === 'messages.removed') void reload();
    setRevision((r) => r + 1);
  });

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Tandem</span>
        <nav aria-label="Main">
          <button className={screen === 'mail' ? 'tab active' : 'tab'} onClick={() => setScreen('mail')} aria-label="Inbox" title="Inbox">
            <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18"><path d="M3 5h18v14H3z M3 13h5l2 3h4l2-3h5" fill="none" stroke="currentColor" strokeWidth="2" /></svg>
            <span>Inbox</span>
          </button>
          <button className={screen === 'records' ? 'tab active' : 'tab'} onClick={() => setScreen('records')}>Records</button>
          {mailbox && (
            <button className={screen === 'settings' ? 'tab active' : 'tab'} onClick={() => setScreen('settings')}>Mailbox settings</button>
          )}
        </nav>
        <span className="who" title={user.email}>{user.name || user.email}</span>
        <button className="link" onClick={onSignOut}>Sign out</button>
      </header>
      {error && <p role="alert" className="error banner">{error}</p>}
      {mailbox === undefined ? (
        <main className="centered" aria-busy="true"><p>Loading…</p></main>
      ) : screen === 'setup' ? (
        <SetupWizard
          hasMailbox={mailbox !== null}
          onCancel={() => setScreen('mail')}
          onDone={async () => {
            await reload();
            setScreen('mail');
          }}
        />
      ) : screen === 'records' ? (
        <RecordsView place={records} mailbox={mailbox} user={user} revision={revision} onNavigate={openRecords} />
      ) : screen === 'settings' && mailbox ? (
        <MailboxSettings mailbox={mailbox} revision={revision} onChanged={reload} onDeleted={async () => { await reload(); setScreen('mail'); }} />
      ) : mailbox ? (
        <MailboxView mailbox={mailbox} user={user} revision={revision} onOpenRecord={openRecord} />
      ) : (
        <main className="centered">
          <div className="card narrow">
            <h1>My Mailbox</h1>
            <p>Connect your email account: Tandem keeps it in two-way sync with your usual mail app.</p>
            <button className="primary" onClick={() => setScreen('setup')}>Setup My Mailbox</button>
          </div>
        </main>
      )}
    </div>
  );
}
