import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import { folderLabel, plainMailboxError } from '../format.ts';
import type { DeletionSummary, Mailbox, ServerFolder } from '../contract.ts';

const STATES: Record<Mailbox['state'], string> = {
  syncing: 'Syncing',
  idle: 'Connected — up to date',
  disconnected: 'Disconnected — sync is stopped',
  error: 'Error',
};
const PERIODS: Record<Mailbox['syncPeriod'], string> = {
  now: 'from the day it was set up',
  '1m': 'from 1 month before setup',
  '3m': 'from 3 months before setup',
  '6m': 'from 6 months before setup',
};

/**
 * A mailbox's account: state, folders (Manage Folders), a new password after an
 * error, disconnect / reconnect and delete. My Mailbox shows the user's own; the
 * Group Mailbox settings show a group's to the members allowed to manage it.
 */
export function MailboxAccount({
  mailbox,
  onChanged,
  onDeleted,
}: {
  mailbox: Mailbox;
  onChanged: () => Promise<void>;
  onDeleted: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [managing, setManaging] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const act = async (action: () => Promise<unknown>, after: () => Promise<void> = onChanged) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      await after();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const params = { path: { id: mailbox.id } };
  const problem = plainMailboxError(mailbox.error);
  const account = mailbox.kind === 'group' ? 'the Account' : 'My Account';
  return (
    <>
      <h2>{mailbox.address}</h2>
      <p>
        State: <strong data-testid="mailbox-state">{STATES[mailbox.state]}</strong>
      </p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {mailbox.state === 'error' && mailbox.auth === 'password' && <NewPassword mailbox={mailbox} onDone={onChanged} />}
      <p>
        Emails are synced {PERIODS[mailbox.syncPeriod]}. Incoming emails are {mailbox.markIncomingPrivate ? '' : 'not '}
        marked private.
      </p>
      <p className="note">
        Incoming: {mailbox.imap.host}:{mailbox.imap.port} ({mailbox.imap.security}); outgoing: {mailbox.smtp.host}:
        {mailbox.smtp.port} ({mailbox.smtp.security})
      </p>
      <h3>Folders</h3>
      <ul>
        {mailbox.folders
          .filter((f) => f.enabled)
          .map((f) => (
            <li key={f.path}>
              {folderLabel(f.path, f.specialUse)} — {f.synced} of {f.messages} emails
              {f.firstSyncDone ? '' : ' (first sync running)'}
            </li>
          ))}
      </ul>
      {managing ? (
        <ManageFolders
          mailbox={mailbox}
          onDone={async () => {
            setManaging(false);
            await onChanged();
          }}
        />
      ) : (
        <button onClick={() => setManaging(true)}>Manage Folders</button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions spread">
        {mailbox.state === 'disconnected' ? (
          <button onClick={() => void act(() => ok(api.POST('/mailboxes/{id}/connect', { params })))} disabled={busy}>
            Reconnect {account}
          </button>
        ) : (
          <button
            onClick={() => void act(() => ok(api.POST('/mailboxes/{id}/disconnect', { params })))}
            disabled={busy}
          >
            Disconnect {account}
          </button>
        )}
        {mailbox.state === 'error' && (
          <button onClick={() => void act(() => ok(api.POST('/mailboxes/{id}/connect', { params })))} disabled={busy}>
            Reconnect
          </button>
        )}
        <button className="danger" onClick={() => setConfirmDelete(true)} disabled={busy}>
          Delete Mailbox
        </button>
      </div>
      {confirmDelete && (
        <ConfirmDelete
          mailbox={mailbox}
          busy={busy}
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => void act(() => ok(api.DELETE('/mailboxes/{id}', { params })), onDeleted)}
        />
      )}
    </>
  );
}

function ManageFolders({ mailbox, onDone }: { mailbox: Mailbox; onDone: () => Promise<void> }) {
  const [folders, setFolders] = useState<ServerFolder[] | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ok(api.GET('/mailboxes/{id}/server-folders', { params: { path: { id: mailbox.id } } })).then(
      ({ items }) => {
        setFolders(items);
        setChosen(new Set(items.filter((f) => f.enabled).map((f) => f.path)));
      },
      (e: unknown) => setError(describeError(e)),
    );
  }, [mailbox.id]);

  const save = async () => {
    try {
      await ok(api.PATCH('/mailboxes/{id}', { params: { path: { id: mailbox.id } }, body: { folders: [...chosen] } }));
      await onDone();
    } catch (e) {
      setError(describeError(e));
    }
  };

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!folders) return <p aria-busy="true">Loading folders…</p>;
  return (
    <fieldset>
      <legend>Folders to sync</legend>
      <ul className="folder-choices">
        {folders.map((f) => (
          <li key={f.path}>
            <label className="inline">
              <input
                type="checkbox"
                checked={chosen.has(f.path)}
                onChange={() =>
                  setChosen((c) => {
                    const n = new Set(c);
                    if (n.has(f.path)) n.delete(f.path);
                    else n.add(f.path);
                    return n;
                  })
                }
              />{' '}
              {f.path}
            </label>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button onClick={() => void onDone()}>Cancel</button>
        <button className="primary" onClick={() => void save()} disabled={chosen.size === 0}>
          Save folders
        </button>
      </div>
    </fieldset>
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The confirmation, stating with counts what goes and what stays. */
function ConfirmDelete({
  mailbox,
  busy,
  onCancel,
  onConfirm,
}: {
  mailbox: Mailbox;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const [summary, setSummary] = useState<DeletionSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ok(api.GET('/mailboxes/{id}/deletion', { params: { path: { id: mailbox.id } } })).then(setSummary, (e: unknown) =>
      setError(describeError(e)),
    );
  }, [mailbox.id]);
  return (
    <div className="confirm" role="alertdialog" aria-label="Delete mailbox?">
      <p>
        Delete <strong>{mailbox.address}</strong> from Tandem? The emails on your mail server stay where they are.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {summary === null ? (
        error === null && <p>Counting what would be removed…</p>
      ) : (
        <>
          <p>Removed from Tandem:</p>
          <ul data-testid="deletion-removed">
            <li>
              {plural(summary.emails, 'synced email')} and {plural(summary.drafts, 'draft')}, and the mailbox&apos;s
              settings
            </li>
            {summary.linkedEmails > 0 && (
              <li>
                the links of {plural(summary.linkedEmails, 'email')} to {plural(summary.records, 'record')} (the records
                stay, without these emails)
              </li>
            )}
            {summary.comments > 0 && <li>{plural(summary.comments, 'comment')} on these emails</li>}
          </ul>
          {summary.rulesKept > 0 && (
            <p data-testid="deletion-kept">
              Kept: {plural(summary.rulesKept, 'mailroom rule')} of this mailbox, turned off (Automate Tasks).
            </p>
          )}
        </>
      )}
      <div className="actions">
        <button onClick={onCancel}>Cancel</button>
        <button className="danger" onClick={onConfirm} disabled={busy || summary === null}>
          Delete mailbox
        </button>
      </div>
    </div>
  );
}

/**
 * The password was changed on the mail server: enter the new one, which is tried
 * before it is kept; the mailbox then syncs again with everything it had.
 */
function NewPassword({ mailbox, onDone }: { mailbox: Mailbox; onDone: () => Promise<void> }) {
  const [password, setPassword] = useState('');
  const [smtpPassword, setSmtpPassword] = useState('');
  const [separate, setSeparate] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="confirm"
      aria-label="New password"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        ok(
          api.POST('/mailboxes/{id}/password', {
            params: { path: { id: mailbox.id } },
            body: { password, ...(separate && smtpPassword ? { smtpPassword } : {}) },
          }),
        )
          .then(async () => {
            setPassword('');
            await onDone();
          })
          .catch((e: unknown) => setError(describeError(e)))
          .finally(() => setBusy(false));
      }}
    >
      <p>
        Changed the password of {mailbox.address} on the mail server? Enter the new one: it is tried first, and the
        mailbox then syncs again with all its emails, folders and settings.
      </p>
      <label>
        New password for {mailbox.imap.username}
        <input
          type="password"
          autoComplete="off"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      <label className="inline">
        <input type="checkbox" checked={separate} onChange={(e) => setSeparate(e.target.checked)} /> Outgoing mail
        (SMTP) uses another password
      </label>
      {separate && (
        <label>
          SMTP password
          <input
            type="password"
            autoComplete="off"
            value={smtpPassword}
            onChange={(e) => setSmtpPassword(e.target.value)}
          />
        </label>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="primary" type="submit" disabled={busy || password === ''}>
        Save and reconnect
      </button>
    </form>
  );
}
