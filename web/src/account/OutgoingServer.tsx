import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { Answer, Security as Tls } from '../contract.ts';
import { useNotice } from '../ui/notice.ts';

type Server = NonNullable<Answer<'/admin/outgoing-server', 'get'>['server']>;
const PORTS: Record<Tls, number> = { tls: 465, starttls: 587, none: 25 };

/**
 * Administrators: the SMTP server used for mailboxes that agreed to it when their
 * own cannot be reached. The connection and login are tried before it is saved.
 */
export function OutgoingServer() {
  const [server, setServer] = useState<Server | null>(null);
  const [form, setForm] = useState({ host: '', port: 465, security: 'tls' as Tls, username: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useNotice();

  const show = (current: Server | null) => {
    setServer(current);
    if (current)
      setForm({
        host: current.host,
        port: current.port,
        security: current.security,
        username: current.username ?? '',
        password: '',
      });
  };
  useEffect(() => {
    ok(api.GET('/admin/outgoing-server')).then(
      (r) => show(r.server),
      (e: unknown) => setError(describeError(e)),
    );
  }, []);

  const act = async (action: () => Promise<void>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setNotice(done);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          const body = { ...form, username: form.username || undefined, password: form.password || undefined };
          show((await ok(api.PUT('/admin/outgoing-server', { body }))).server);
        }, 'Fallback outgoing server saved.');
      }}
      aria-busy={busy}
    >
      <p className="note">
        {server
          ? `In use: ${server.host}:${server.port}. Mailboxes that agreed send through it when their own server cannot be reached.`
          : 'None set. Mailboxes that agree can send through this server when their own cannot be reached.'}
      </p>
      <div className="servers">
        <label>
          SMTP host
          <input value={form.host} onChange={(e) => setForm({ ...form, host: e.target.value })} required />
        </label>
        <label>
          Security
          <select
            value={form.security}
            onChange={(e) => {
              const security = e.target.value as Tls;
              setForm({ ...form, security, port: PORTS[security] });
            }}
          >
            <option value="tls">TLS</option>
            <option value="starttls">STARTTLS</option>
            <option value="none">None (this machine only)</option>
          </select>
        </label>
        <label>
          Port
          <input
            type="number"
            min={1}
            max={65535}
            value={form.port}
            onChange={(e) => setForm({ ...form, port: Number(e.target.value) })}
            required
          />
        </label>
        <label>
          User name
          <input
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.target.value })}
            autoComplete="off"
          />
        </label>
        <label>
          Password
          <input
            type="password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
            autoComplete="new-password"
          />
        </label>
      </div>
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
        {server && (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await ok(api.DELETE('/admin/outgoing-server'));
                setServer(null);
              }, 'Fallback outgoing server removed.')
            }
          >
            Remove
          </button>
        )}
        <button className="primary" type="submit" disabled={busy}>
          Test and save
        </button>
      </div>
    </form>
  );
}
