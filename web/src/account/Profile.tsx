import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { User } from '../contract.ts';
import { useNotice } from '../ui/notice.ts';

/** Name and signature (PATCH /auth/me): the signature goes into new emails, above any quoted text. */
export function Profile({ onUserChanged }: { onUserChanged: (user: User) => void }) {
  const [name, setName] = useState('');
  const [signature, setSignature] = useState('');
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useNotice();

  useEffect(() => {
    ok(api.GET('/auth/me')).then(
      (me) => {
        setName(me.name);
        setSignature(me.signature);
        setLoaded(true);
      },
      (e: unknown) => setError(describeError(e)),
    );
  }, []);

  const save = async () => {
    setError(null);
    try {
      const saved = await ok(api.PATCH('/auth/me', { body: { name: name.trim() || undefined, signature } }));
      onUserChanged({ id: saved.id, email: saved.email, name: saved.name, isAdmin: saved.isAdmin });
      setNotice('Profile saved.');
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      aria-busy={!loaded}
    >
      {/* Nothing can be typed before the profile is loaded: its answer would overwrite what was typed. */}
      <fieldset className="bare" disabled={!loaded}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" required />
        </label>
        <p className="note">Shown on From of the emails you send when the mailbox has no display name of its own.</p>
        <label>
          Signature
          <textarea value={signature} rows={5} maxLength={10_000} onChange={(e) => setSignature(e.target.value)} />
        </label>
        <p className="note">
          Added to every new email, reply and forward, above the quoted text; you can edit it in each email.
        </p>
      </fieldset>
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
      <div className="actions">
        <button className="primary" type="submit" disabled={!loaded}>
          Save profile
        </button>
      </div>
    </form>
  );
}
