import { useCallback, useEffect, useState } from 'react';
import { api, describeError, ok } from './api.ts';
import { FirstRun, SignIn } from './auth.tsx';
import { Workspace } from './Workspace.tsx';
import type { User } from './contract.ts';

type Session = { kind: 'loading' } | { kind: 'setup' } | { kind: 'signed-out' } | { kind: 'signed-in'; user: User };

/** Who is here decides the screen: first-run setup, sign in, or the workspace. */
export function App() {
  const [session, setSession] = useState<Session>({ kind: 'loading' });
  const [failure, setFailure] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const setup = await ok(api.GET('/setup'));
      if (setup.needed) return setSession({ kind: 'setup' });
      const { user } = await ok(api.GET('/auth/session'));
      setSession(user ? { kind: 'signed-in', user } : { kind: 'signed-out' });
    } catch (error) {
      setFailure(describeError(error));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const signOut = async () => {
    await ok(api.POST('/auth/logout')).catch(() => undefined);
    setSession({ kind: 'signed-out' });
  };

  if (failure)
    return (
      <main className="centered">
        <p role="alert" className="error">
          {failure}
        </p>
      </main>
    );
  switch (session.kind) {
    case 'loading':
      return (
        <main className="centered" aria-busy="true">
          <p>Loading…</p>
        </main>
      );
    case 'setup':
      return <FirstRun onDone={(user) => setSession({ kind: 'signed-in', user })} />;
    case 'signed-out':
      return <SignIn onDone={(user) => setSession({ kind: 'signed-in', user })} />;
    case 'signed-in':
      return (
        <Workspace
          user={session.user}
          onSignOut={signOut}
          onUserChanged={(user) => setSession({ kind: 'signed-in', user })}
        />
      );
  }
}
