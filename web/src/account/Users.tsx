import { useCallback, useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { Answer, User } from '../contract.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { useNotice } from '../ui/notice.ts';

type Member = Answer<'/users', 'get'>['items'][number];

/** Administrators: every user, creating one, promoting, deactivating (which ends their sessions and tokens). */
export function Users({ self }: { self: User }) {
  const [users, setUsers] = useState<Member[]>([]);
  const [form, setForm] = useState({ email: '', name: '', password: '', admin: false });
  const [deactivating, setDeactivating] = useState<Member | null>(null);
  const [reset, setReset] = useState<{ email: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useNotice();

  const load = useCallback(async () => setUsers((await ok(api.GET('/users'))).items), []);
  useEffect(() => {
    load().catch((e: unknown) => setError(describeError(e)));
  }, [load]);

  const act = async (action: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await action();
      await load();
      setNotice(done);
    } catch (e) {
      setError(describeError(e));
    }
  };
  const patch = (user: Member, body: { admin?: boolean; active?: boolean }, done: string) =>
    act(() => ok(api.PATCH('/users/{id}', { params: { path: { id: user.id } }, body })), done);

  return (
    <div className="stack">
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="ok" role="status">
          {notice}
        </p>
      )}
      <table className="users-table">
        <caption className="visually-hidden">Users</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>
                {u.name || u.email}
                <div className="note">{u.email}</div>
              </td>
              <td>{u.admin ? 'Administrator' : 'User'}</td>
              <td>{u.active ? 'Active' : 'Deactivated'}</td>
              <td className="row-actions">
                {u.id !== self.id && (
                  <>
                    <button onClick={() => void patch(u, { admin: !u.admin }, 'Role changed.')}>
                      {u.admin ? 'Make user' : 'Make administrator'}
                    </button>
                    {u.active ? (
                      <button
                        className="danger"
                        aria-label={`Deactivate ${u.email}`}
                        onClick={() => setDeactivating(u)}
                      >
                        Deactivate
                      </button>
                    ) : (
                      <button
                        aria-label={`Reactivate ${u.email}`}
                        onClick={() => void patch(u, { active: true }, 'User reactivated.')}
                      >
                        Reactivate
                      </button>
                    )}
                    <button
                      aria-label={`Password reset for ${u.email}`}
                      onClick={() =>
                        void act(async () => {
                          const issued = await ok(
                            api.POST('/users/{id}/password-reset', { params: { path: { id: u.id } } }),
                          );
                          setReset({ email: u.email, token: issued.token });
                        }, 'Password reset issued.')
                      }
                    >
                      Password reset
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {reset && (
        <p className="warning" role="status">
          Give {reset.email} this one-time reset code privately (it works once, within a day):{' '}
          <code className="secret">{reset.token}</code>
        </p>
      )}
      <section aria-labelledby="new-user-title">
        <h2 id="new-user-title">Add a user</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await ok(api.POST('/users', { body: { ...form, name: form.name || undefined } }));
              setForm({ email: '', name: '', password: '', admin: false });
            }, 'User added.');
          }}
        >
          <label>
            Email
            <input
              type="email"
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.target.value })}
              required
            />
          </label>
          <label>
            Name
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
          <label>
            First password
            <input
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
              required
            />
          </label>
          <label className="inline">
            <input
              type="checkbox"
              checked={form.admin}
              onChange={(e) => setForm({ ...form, admin: e.target.checked })}
            />{' '}
            Administrator
          </label>
          <button type="submit">Add user</button>
        </form>
      </section>
      {deactivating && (
        <ConfirmDialog
          title={`Deactivate ${deactivating.email}?`}
          confirm="Deactivate"
          danger
          onCancel={() => setDeactivating(null)}
          onConfirm={() => {
            const user = deactivating;
            setDeactivating(null);
            void patch(user, { active: false }, 'User deactivated.');
          }}
        >
          <p>They are signed out everywhere and their API tokens stop working. Their mail and records stay.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
