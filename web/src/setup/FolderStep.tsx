import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { NewMailbox, ServerFolderChoice } from '../contract.ts';
import { clearGroupDraft, groupFields } from './group-draft.ts';

const DEFAULT_ROLES = ['\\Inbox', '\\Sent', '\\Drafts', '\\Archive'];
const PERIODS = [
  { value: 'now', label: 'Now' },
  { value: '1m', label: '1 month ago' },
  { value: '3m', label: '3 months ago' },
  { value: '6m', label: '6 months ago' },
] as const;

/** How the mailbox signs in: a password (servers and login) or an OAuth2 grant. */
export type Connection = Pick<NewMailbox, 'address' | 'imap' | 'smtp'>;

/** Which folders to sync, from when, and the mailbox's options; Save connects it. */
export function FolderStep({
  connection,
  folders,
  onBack,
  onSaved,
}: {
  connection: Connection;
  folders: ServerFolderChoice[];
  onBack: () => void;
  onSaved: () => void;
}) {
  const [chosen, setChosen] = useState(
    () =>
      new Set(
        folders
          .filter((f) => f.path.toUpperCase() === 'INBOX' || DEFAULT_ROLES.includes(f.specialUse ?? ''))
          .map((f) => f.path),
      ),
  );
  const [period, setPeriod] = useState<(typeof PERIODS)[number]['value']>('1m');
  const [markPrivate, setMarkPrivate] = useState(false);
  const [consent, setConsent] = useState(false);
  const [archive, setArchive] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const toggle = (path: string) =>
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await ok(
        api.POST('/mailboxes', {
          body: {
            ...connection,
            folders: [...chosen],
            syncPeriod: period,
            markIncomingPrivate: markPrivate,
            fallbackConsent: consent,
            archiveAndCreatePast: archive,
            ...groupFields(),
          },
        }),
      );
      clearGroupDraft();
      onSaved();
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save}>
      <fieldset>
        <legend>Folders to sync</legend>
        <ul className="folder-choices">
          {folders.map((folder) => (
            <li key={folder.path}>
              <label className="inline">
                <input type="checkbox" checked={chosen.has(folder.path)} onChange={() => toggle(folder.path)} />{' '}
                {folder.path}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <fieldset>
        <legend>Sync emails from</legend>
        <div className="radios">
          {PERIODS.map((p) => (
            <label key={p.value} className="inline">
              <input
                type="radio"
                name="period"
                value={p.value}
                checked={period === p.value}
                onChange={() => setPeriod(p.value)}
              />{' '}
              {p.label}
            </label>
          ))}
        </div>
        <p className="note">The sync period cannot be changed later.</p>
      </fieldset>
      <label className="inline">
        <input type="checkbox" checked={markPrivate} onChange={(e) => setMarkPrivate(e.target.checked)} /> Mark incoming
        emails as private
      </label>
      <label className="inline">
        <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} /> I agree that emails
        may be sent through the administrator's outgoing server when mine cannot be used
      </label>
      <label className="inline">
        <input type="checkbox" checked={archive} onChange={(e) => setArchive(e.target.checked)} /> Archive and create
        records for past emails
      </label>
      <p className="note">
        Your mailroom rules (Mailbox settings → Automate Tasks) run on every new email. This option also applies them,
        once, to the past emails the first sync fetches.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onBack}>
          Back
        </button>
        <button className="primary" disabled={busy || chosen.size === 0}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
