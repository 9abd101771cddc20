import { useCallback, useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { Answer } from '../contract.ts';
import { useNotice } from '../ui/notice.ts';

type Session = Answer<'/auth/sessions', 'get'>['items'][number];
type Token = Answer<'/auth/tokens', 'get'>['items'][number];

/** The user's password, signed-in sessions and API tokens. */
export function Security() {
  const [sessions, setSessions] = useState<Session[]>([]);
  const [tokens, setTokens] = useState<Token[]>([]);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [tokenName, setTokenName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useNotice();

  const load = useCallback(async () => {
    setSessions((await ok(api.GET('/auth/sessions'))).items);
    setTokens((await ok(api.GET('/auth/tokens'))).items);
  }, []);
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
      <section aria-labelledby="password-title">
        <h2 id="password-title">Change password</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await ok(api.POST('/auth/password', { body: { currentPassword: current, newPassword: next } }));
              setCurrent('');
              setNext('');
            }, 'Password changed; your other sessions were ended.');
          }}
        >
          <label>
            Current password
            <input
              type="password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              autoComplete="current-password"
              required
            />
          </label>
          <label>
            New password
            <input
              type="password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              autoComplete="new-password"
              required
            />
          </label>
          <button type="submit">Change password</button>
        </form>
      </section>
      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">Signed-in sessions</h2>
        <ul className="plain-list">
          {sessions.map((s) => (
            <li key={s.id}>
              <span>
                {s.userAgent ?? 'Unknown browser'}
                {s.clientIp ? ` · ${s.clientIp}` : ''} · since {new Date(s.createdAt).toLocaleString()}
              </span>{' '}
              {s.current ? (
                <span className="badge">This session</span>
              ) : (
                <button
                  onClick={() =>
                    void act(
                      () => ok(api.DELETE('/auth/sessions/{id}', { params: { path: { id: s.id } } })),
                      'Session ended.',
                    )
                  }
                >
                  End
                </button>
              )}
            </li>
          ))}
        </ul>
        {sessions.length > 1 && (
          <button onClick={() => void act(() => ok(api.POST('/auth/sessions/revoke-others')), 'Other sessions ended.')}>
            End all other sessions
          </button>
        )}
      </section>
      <section aria-labelledby="tokens-title">
        <h2 id="tokens-title">API tokens</h2>
        {tokens.length === 0 ? (
          <p className="note">No API tokens.</p>
        ) : (
          <ul className="plain-list">
            {tokens.map((t) => (
              <li key={t.id}>
                <span>
                  {t.name} · {t.lastUsedAt ? `last used ${new Date(t.lastUsedAt).toLocaleString()}` : 'never used'}
                  {t.expiresAt ? ` · expires ${new Date(t.expiresAt).toLocaleDateString()}` : ''}
                </span>{' '}
                <button
                  aria-label={`Revoke ${t.name}`}
                  onClick={() =>
                    void act(
                      () => ok(api.DELETE('/auth/tokens/{id}', { params: { path: { id: t.id } } })),
                      'Token revoked.',
                    )
                  }
                >
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        )}
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              const created = await ok(api.POST('/auth/tokens', { body: { name: tokenName } }));
              setSecret(created.token);
              setTokenName('');
            }, 'Token created.');
          }}
        >
          <label>
            Token name
            <input value={tokenName} onChange={(e) => setTokenName(e.target.value)} required />
          </label>
          <button type="submit">Create token</button>
        </form>
        {secret && (
          <p className="warning" role="status">
            Copy it now, it is not shown again: <code className="secret">{secret}</code>
          </p>
        )}
      </section>
    </div>
  );
}
