import { useNavigate, useParams } from 'react-router';
import { settingsPath } from '../paths.ts';
import type { Mailbox } from '../contract.ts';
import { AutomateTasks } from './AutomateTasks.tsx';
import { MailboxAccount } from './MailboxAccount.tsx';

/** Mailbox settings: the My Mailbox tab (state, folders, disconnect, delete) and Automate Tasks (mailroom rules). */
export function MailboxSettings({
  mailbox,
  onChanged,
  onDeleted,
}: {
  mailbox: Mailbox;
  revision: number;
  onChanged: () => Promise<void>;
  onDeleted: () => Promise<void>;
}) {
  const tab = useParams().tab === 'rules' ? 'rules' : 'mailbox';
  const navigate = useNavigate();
  const setTab = (next: typeof tab) => void navigate(settingsPath(next));
  return (
    <main className="settings">
      <div className="card">
        <h1>Mailbox settings</h1>
        <div role="tablist" aria-label="Mailbox settings">
          <button
            role="tab"
            aria-selected={tab === 'mailbox'}
            className={tab === 'mailbox' ? 'tab active' : 'tab'}
            onClick={() => setTab('mailbox')}
          >
            My Mailbox
          </button>
          <button
            role="tab"
            aria-selected={tab === 'rules'}
            className={tab === 'rules' ? 'tab active' : 'tab'}
            onClick={() => setTab('rules')}
          >
            Automate Tasks
          </button>
        </div>
        {tab === 'rules' ? (
          <AutomateTasks mailbox={mailbox} />
        ) : (
          <section role="tabpanel" aria-label="My Mailbox">
            <MailboxAccount mailbox={mailbox} onChanged={onChanged} onDeleted={onDeleted} />
          </section>
        )}
      </div>
    </main>
  );
}
