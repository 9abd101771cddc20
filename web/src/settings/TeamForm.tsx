import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { DirectoryUser, EditableGroupMailbox } from '../contract.ts';

type Member = EditableGroupMailbox['group']['members'][number];

/**
 * A group mailbox's team: its name and members, who may manage it and who is
 * available for round-robin. Saved as a whole (`PUT /mailboxes/:id/group`).
 */
export function TeamForm({ item, onSaved }: { item: EditableGroupMailbox; onSaved: () => Promise<void> }) {
  const [name, setName] = useState(item.group.name);
  const [members, setMembers] = useState<Member[]>(item.group.members);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setName(item.group.name);
    setMembers(item.group.members);
  }, [item]);

  const change = (id: string, patch: Partial<Member>) => {
    setSaved(false);
    setMembers((list) => list.map((m) => (m.id === id ? { ...m, ...patch } : m)));
  };
  const remove = (id: string) => {
    setSaved(false);
    setMembers((list) => list.filter((m) => m.id !== id));
  };
  const add = (user: DirectoryUser) => {
    setSaved(false);
    setMembers((list) => [...list, { ...user, canManage: false, available: true }]);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await ok(
        api.PUT('/mailboxes/{id}/group', {
          params: { path: { id: item.mailboxId } },
          body: {
            name: name.trim(),
            members: members.map((m) => ({ userId: m.id, canManage: m.canManage, available: m.available })),
          },
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

  return (
    <form onSubmit={(e) => void save(e)} aria-label="Team">
      <h2>Team</h2>
      <label>
        Name
        <input
          value={name}
          onChange={(e) => {
            setSaved(false);
            setName(e.target.value);
          }}
          required
          maxLength={100}
        />
      </label>
      <table className="users-table" aria-label="Members">
        <thead>
          <tr>
            <th>Member</th>
            <th>May manage</th>
            <th>Available</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {members.map((m) => {
            const who = m.name || m.email;
            return (
              <tr key={m.id}>
                <td>
                  {who} <span className="note">{m.email}</span>
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${who} may manage`}
                    checked={m.canManage}
                    onChange={(e) => change(m.id, { canManage: e.target.checked })}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${who} is available`}
                    title="Takes part in round-robin assignment"
                    checked={m.available}
                    onChange={(e) => change(m.id, { available: e.target.checked })}
                  />
                </td>
                <td>
                  <button type="button" onClick={() => remove(m.id)}>
                    Remove {who}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <AddMember taken={members.map((m) => m.id)} onAdd={add} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        {saved && <span className="status">Team saved</span>}
        <button className="primary" disabled={busy || !name.trim()}>
          Save team
        </button>
      </div>
    </form>
  );
}

/** Finds a user by name or email (the directory any user may read) and offers to add them. */
function AddMember({ taken, onAdd }: { taken: string[]; onAdd: (user: DirectoryUser) => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<DirectoryUser[]>([]);

  useEffect(() => {
    if (!q.trim()) {
      setFound([]);
      return;
    }
    let current = true;
    ok(api.GET('/users/directory', { params: { query: { q: q.trim() } } })).then(
      (answer) => current && setFound(answer.items),
      () => current && setFound([]),
    );
    return () => {
      current = false;
    };
  }, [q]);

  const offered = found.filter((u) => !taken.includes(u.id));
  return (
    <div className="add-member">
      <label>
        Add a member
        <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name or email" />
      </label>
      {offered.length > 0 && (
        <ul className="row-actions" aria-label="Users found">
          {offered.slice(0, 5).map((u) => (
            <li key={u.id}>
              <button
                type="button"
                onClick={() => {
                  onAdd(u);
                  setQ('');
                }}
              >
                Add {u.name || u.email}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
