import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, describeError, ok } from '../api.ts';
import type { EditableGroupMailbox, User } from '../contract.ts';
import { groupsPath } from '../paths.ts';

/**
 * Settings → Group Mailbox: the group mailboxes the user may change (every one
 * for an administrator, else those they may manage), each opening its settings;
 * administrators set up new ones here.
 */
export function GroupMailboxes({ user, revision }: { user: User; revision: number }) {
  const navigate = useNavigate();
  const [items, setItems] = useState<EditableGroupMailbox[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ok(api.GET('/group-mailboxes')).then(
      (answer) => setItems(answer.items),
      (e: unknown) => setError(describeError(e)),
    );
  }, [revision]);

  return (
    <main className="settings">
      <div className="card">
        <h1>Group Mailbox</h1>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {items === null ? (
          error === null && <p aria-busy="true">Loading…</p>
        ) : items.length === 0 ? (
          <p className="note">No group mailbox yet.</p>
        ) : (
          <table className="users-table" aria-label="Group mailboxes">
            <thead>
              <tr>
                <th>Team</th>
                <th>Address</th>
                <th>Members</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.mailboxId}>
                  <td>
                    <button className="link" onClick={() => void navigate(groupsPath(item.mailboxId))}>
                      {item.group.name}
                    </button>
                  </td>
                  <td>{item.address}</td>
                  <td>{item.group.members.map((m) => m.name || m.email).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {user.isAdmin && (
          <div className="actions spread">
            <button className="primary" onClick={() => void navigate(groupsPath('setup'))}>
              Setup Group Mailbox
            </button>
          </div>
        )}
      </div>
    </main>
  );
}
