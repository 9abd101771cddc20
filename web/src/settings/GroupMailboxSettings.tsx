import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, describeError, ok } from '../api.ts';
import type { EditableGroupMailbox, Mailbox } from '../contract.ts';
import { groupsPath } from '../paths.ts';
import { MailboxAccount } from './MailboxAccount.tsx';
import { TeamForm } from './TeamForm.tsx';

/**
 * One group mailbox's settings (`/groups/<mailbox id>`): its team for an
 * administrator or a member allowed to manage it; for that member also how
 * conversations are worked (email-to-case, token prefix, assignment) and the
 * account (folders, disconnect, delete) as in My Mailbox.
 */
export function GroupMailboxSettings({
  groups,
  onChanged,
}: {
  /** The group mailboxes the user is a member of, in full (kept live by the workspace). */
  groups: Mailbox[];
  onChanged: () => Promise<void>;
}) {
  const mailboxId = useParams().mailboxId ?? '';
  const navigate = useNavigate();
  const [item, setItem] = useState<EditableGroupMailbox | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const { items } = await ok(api.GET('/group-mailboxes'));
      setItem(items.find((i) => i.mailboxId === mailboxId) ?? null);
    } catch (e) {
      setError(describeError(e));
    }
  }, [mailboxId]);

  // Read on opening and after each save, not on every live event: the forms keep what is being typed.
  useEffect(() => {
    void load();
  }, [load]);

  const saved = async () => {
    await load();
    await onChanged();
  };
  const mailbox = groups.find((g) => g.id === mailboxId);
  return (
    <main className="settings">
      <div className="card">
        <button className="link" onClick={() => void navigate(groupsPath())}>
          ← Group mailboxes
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {item === undefined ? (
          error === null && <p aria-busy="true">Loading…</p>
        ) : item === null ? (
          <p>No such group mailbox.</p>
        ) : (
          <>
            <h1>
              {item.group.name} <span className="note">{item.address}</span>
            </h1>
            <TeamForm item={item} onSaved={saved} />
            {item.manages && mailbox ? (
              <>
                <ConversationOptions mailbox={mailbox} onSaved={saved} />
                <h2>Account</h2>
                <MailboxAccount
                  mailbox={mailbox}
                  onChanged={saved}
                  onDeleted={async () => {
                    await onChanged();
                    await navigate(groupsPath());
                  }}
                />
              </>
            ) : (
              <p className="note">
                Its account, folders and how conversations are worked are changed by the members allowed to manage it.
              </p>
            )}
          </>
        )}
      </div>
    </main>
  );
}

/** Email-to-case, the subject token's prefix and the assignment rule (`PATCH /mailboxes/:id`). */
function ConversationOptions({ mailbox, onSaved }: { mailbox: Mailbox; onSaved: () => Promise<void> }) {
  const group = mailbox.group;
  const [emailToCase, setEmailToCase] = useState(group?.emailToCase ?? false);
  const [prefix, setPrefix] = useState(group?.caseTokenPrefix ?? '#');
  const [assignRule, setAssignRule] = useState(group?.assignRule ?? 'manual');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await ok(
        api.PATCH('/mailboxes/{id}', {
          params: { path: { id: mailbox.id } },
          body: { emailToCase, caseTokenPrefix: prefix, assignRule },
        }),
      );
      setSaved(true);
      await onSaved();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const edited = () => setSaved(false);

  return (
    <form onSubmit={(e) => void save(e)} aria-label="Conversations">
      <h2>Conversations</h2>
      <label className="inline">
        <input
          type="checkbox"
          checked={emailToCase}
          onChange={(e) => {
            edited();
            setEmailToCase(e.target.checked);
          }}
        />{' '}
        Open a case for each new conversation
      </label>
      <label>
        Subject token prefix (replies carry [{prefix}1234])
        <input
          value={prefix}
          onChange={(e) => {
            edited();
            setPrefix(e.target.value);
          }}
          maxLength={12}
          required
        />
      </label>
      <label>
        Assign new conversations
        <select
          value={assignRule}
          onChange={(e) => {
            edited();
            setAssignRule(e.target.value === 'round_robin' ? 'round_robin' : 'manual');
          }}
        >
          <option value="manual">By hand</option>
          <option value="round_robin">Round-robin among available members</option>
        </select>
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        {saved && <span className="status">Options saved</span>}
        <button className="primary" disabled={busy}>
          Save options
        </button>
      </div>
    </form>
  );
}
