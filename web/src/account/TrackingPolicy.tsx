import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { TrackingSettings } from '../contract.ts';
import { useNotice } from '../ui/notice.ts';

/**
 * Administrators: whether one-to-one emails are tracked unless the sender
 * unticks it (workflow emails always are), and how long open and click events
 * are kept before they are deleted.
 */
export function TrackingPolicy() {
  const [form, setForm] = useState<TrackingSettings | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useNotice();

  useEffect(() => {
    ok(api.GET('/tracking-settings')).then(setForm, (e: unknown) => setError(describeError(e)));
  }, []);

  const save = async (value: TrackingSettings) => {
    setBusy(true);
    setError(null);
    try {
      setForm(await ok(api.PUT('/tracking-settings', { body: value })));
      setNotice('Tracking settings saved.');
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  if (!form) return error ? <p className="error">{error}</p> : <p className="note">Loading…</p>;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save(form);
      }}
      aria-busy={busy}
    >
      <p className="note">
        Workflow emails carry an open pixel and click redirects, except to contacts marked do not track. The copy in the
        sender’s Sent folder never does. Events are classified so that privacy proxies and link scanners are not counted
        as people.
      </p>
      <label className="inline">
        <input
          type="checkbox"
          checked={form.trackOneToOne}
          onChange={(e) => setForm({ ...form, trackOneToOne: e.target.checked })}
        />{' '}
        Track one-to-one emails by default (the sender can untick it when writing)
      </label>
      <label>
        Keep open and click events for (days)
        <input
          type="number"
          min={1}
          max={3650}
          value={form.retentionDays}
          onChange={(e) => setForm({ ...form, retentionDays: Number(e.target.value) })}
          required
        />
      </label>
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
        <button className="primary" type="submit" disabled={busy}>
          Save
        </button>
      </div>
    </form>
  );
}
