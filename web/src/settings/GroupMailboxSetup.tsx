import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, describeError, ok } from '../api.ts';
import { groupsPath, setupPath } from '../paths.ts';
import { saveGroupDraft } from '../setup/group-draft.ts';

interface Choice {
  member: boolean;
  canManage: boolean;
}

/**
 * Settings → Group Mailbox (administrators): the team's name, its members (and
 * who may manage the mailbox), email-to-case; then the account is connected
 * with the My Mailbox wizard (address → sign-in → folders), which creates it.
 */
export function GroupMailboxSetup() {
  const navigate = useNavigate();
  const [users, setUsers] = useState<{ id: string; name: string; email: string }[]>([]);
  const [name, setName] = useState('');
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [emailToCase, setEmailToCase] = useState(true);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ok(api.GET('/users')).then(
      (list) => setUsers(list.items.filter((u) => u.active)),
      (e: unknown) => setError(describeError(e)),
    );
  }, []);

  const choose = (id: string, change: Partial<Choice>) =>
    setChoices((current) => ({
      ...current,
      [id]: { member: false, canManage: false, ...current[id], ...change },
    }));

  const proceed = (event: FormEvent) => {
    event.preventDefault();
    const members = Object.entries(choices)
      .filter(([, c]) => c.member)
      .map(([userId, c]) => ({ userId, canManage: c.canManage }));
    saveGroupDraft({ name: name.trim(), members, emailToCase });
    void navigate(setupPath());
  };

  return (
    <main className="wizard">
      <form className="card" onSubmit={proceed}>
        <h1>Setup Group Mailbox</h1>
        <p className="note">
          A shared account (support@, sales@) the team works together, in two-way sync like My Mailbox.
        </p>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required placeholder="Support" />
        </label>
        <fieldset>
          <legend>Members</legend>
          {users.map((u) => (
            <div key={u.id} className="member-choice">
              <label>
                <input
                  type="checkbox"
                  checked={choices[u.id]?.member ?? false}
                  onChange={(e) => choose(u.id, { member: e.target.checked })}
                />
                {u.name || u.email}
              </label>
              <label>
                <input
                  type="checkbox"
                  disabled={!choices[u.id]?.member}
                  checked={choices[u.id]?.canManage ?? false}
                  onChange={(e) => choose(u.id, { canManage: e.target.checked })}
                  aria-label={`${u.name || u.email} may manage`}
                />
                may manage
              </label>
            </div>
          ))}
        </fieldset>
        <label>
          <input type="checkbox" checked={emailToCase} onChange={(e) => setEmailToCase(e.target.checked)} />
          Open a case for each new conversation
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={() => void navigate(groupsPath())}>
            Cancel
          </button>
          <button className="primary" disabled={!name.trim()}>
            Connect the account
          </button>
        </div>
      </form>
    </main>
  );
}
