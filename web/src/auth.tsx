import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, describeError, ok } from './api.ts';
import type { User } from './contract.ts';

/** While no user exists: the first admin, with the one-time setup code from the server log. */
export function FirstRun({ onDone }: { onDone: (user: User) => void }) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await ok(
        api.POST('/setup', { body: { setupCode: code, email, password, ...(name ? { name } : {}) } }),
      );
      onDone(result.user);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <form className="card narrow" onSubmit={submit}>
        <h1>Welcome to Tandem</h1>
        <p>
          Create the administrator account. The setup code is printed in the log of <code>tandem serve</code>.
        </p>
        <label>
          Setup code
          <input value={code} onChange={(e) => setCode(e.target.value)} required autoComplete="off" />
        </label>
        <label>
          Your name
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" />
        </label>
        <label>
          Email
          <input
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoComplete="username"
          />
        </label>
        <label>
          Password (at least 8 characters)
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            minLength={8}
            autoComplete="new-password"
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button className="primary" disabled={busy}>
          Create account
        </button>
      </form>
    </main>
  );
}

export function SignIn({ onDone }: { onDone: (user: User) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await ok(api.POST('/auth/login', { body: { email, password } }));
      onDone(session.user);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <form className="card narrow" onSubmit={submit}>
        <h1>Sign in to Tandem</h1>
        <label>
          Email
          <input
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoComplete="username"
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoComplete="current-password"
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
