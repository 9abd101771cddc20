import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { Answer, Security as Tls } from '../contract.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { useNotice } from '../ui/notice.ts';

type Provider = Answer<'/admin/oauth-providers', 'get'>['items'][number];
type Kind = 'google' | 'microsoft' | 'oidc';

/** Where each provider's console is, and what to do there: shown beside the redirect URI to paste. */
const GUIDES: Record<Kind, { name: string; steps: string[] }> = {
  google: {
    name: 'Google',
    steps: [
      'In the Google Cloud console, open APIs & Services → Credentials.',
      'Create an OAuth client ID of type “Web application”.',
      'Under Authorized redirect URIs, add the address below.',
      'Copy the client ID and client secret here.',
    ],
  },
  microsoft: {
    name: 'Microsoft',
    steps: [
      'In the Microsoft Entra admin center, open App registrations → New registration.',
      'Choose the platform “Web” and give the address below as its redirect URI.',
      'Under Certificates & secrets, make a new client secret.',
      'Copy the application (client) ID and the secret’s value here.',
    ],
  },
  oidc: {
    name: 'another provider (OpenID Connect)',
    steps: [
      'Register Tandem as a confidential client (authorization code with PKCE) at your provider.',
      'Give the address below as its redirect URI.',
      'Enter its issuer, client ID and secret, and the mail servers that take its tokens (XOAUTH2).',
    ],
  },
};

const PORTS: Record<'imap' | 'smtp', Record<Tls, number>> = {
  imap: { tls: 993, starttls: 143, none: 143 },
  smtp: { tls: 465, starttls: 587, none: 25 },
};

interface Form {
  kind: Kind;
  id: string;
  name: string;
  clientId: string;
  clientSecret: string;
  issuer: string;
  domains: string;
  imap: { host: string; port: number; security: Tls };
  smtp: { host: string; port: number; security: Tls };
}

const EMPTY: Form = {
  kind: 'google',
  id: '',
  name: '',
  clientId: '',
  clientSecret: '',
  issuer: '',
  domains: '',
  imap: { host: '', port: 993, security: 'tls' },
  smtp: { host: '', port: 465, security: 'tls' },
};

/**
 * Administrators: the OAuth2 clients Tandem is registered with (Google,
 * Microsoft, or an OpenID Connect provider), so users can set up a mailbox by
 * signing in. The client secret is sealed on the server and never shown again.
 */
export function SignInProviders() {
  const [providers, setProviders] = useState<Provider[]>([]);
  const [redirectUri, setRedirectUri] = useState('');
  const [form, setForm] = useState<Form | null>(null);
  const [removing, setRemoving] = useState<Provider | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useNotice();

  const load = async () => {
    try {
      const answer = await ok(api.GET('/admin/oauth-providers'));
      setProviders(answer.items);
      setRedirectUri(answer.redirectUri);
    } catch (e) {
      setError(describeError(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const edit = (p: Provider) =>
    setForm({
      kind: p.id === 'google' || p.id === 'microsoft' ? p.id : 'oidc',
      id: p.id,
      name: p.name,
      clientId: p.clientId,
      clientSecret: '',
      issuer: p.issuer ?? '',
      domains: p.domains.join(', '),
      imap: p.imap,
      smtp: p.smtp,
    });

  const save = async (f: Form) => {
    setBusy(true);
    setError(null);
    try {
      const id = f.kind === 'oidc' ? f.id.trim() : f.kind;
      const domains = f.domains
        .split(/[,\s]+/)
        .map((d) => d.trim())
        .filter(Boolean);
      await ok(
        api.PUT('/admin/oauth-providers/{providerId}', {
          params: { path: { providerId: id } },
          body: {
            clientId: f.clientId.trim(),
            ...(f.clientSecret ? { clientSecret: f.clientSecret } : {}),
            domains,
            ...(f.kind === 'oidc'
              ? { name: f.name.trim() || id, issuer: f.issuer.trim(), imap: f.imap, smtp: f.smtp }
              : {}),
          },
        }),
      );
      setForm(null);
      setNotice('Sign-in provider saved.');
      await load();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (p: Provider) => {
    setRemoving(null);
    try {
      await ok(api.DELETE('/admin/oauth-providers/{providerId}', { params: { path: { providerId: p.id } } }));
      setNotice(`Sign-in with ${p.name} removed.`);
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  };

  const existing = form ? providers.find((p) => p.id === (form.kind === 'oidc' ? form.id : form.kind)) : undefined;

  return (
    <div className="sign-in-providers">
      <p className="note">
        Users whose address belongs to a provider set up here sign in with it when they set up their mailbox; for the
        others, the setup asks for a password or an app password.
      </p>
      {providers.length === 0 ? (
        <p className="empty-note">No sign-in provider is set up.</p>
      ) : (
        <ul className="provider-list" aria-label="Sign-in providers">
          {providers.map((p) => (
            <li key={p.id}>
              <strong>{p.name}</strong> <span className="muted">client {p.clientId}</span>
              {p.domains.length > 0 && <span className="muted"> · for {p.domains.join(', ')}</span>}
              <span className="row-actions">
                <button className="link" onClick={() => edit(p)} aria-label={`Edit ${p.name}`}>
                  Edit
                </button>
                <button className="link" onClick={() => setRemoving(p)} aria-label={`Remove ${p.name}`}>
                  Remove
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {!form && (
        <div className="actions">
          <button className="primary" onClick={() => setForm(EMPTY)}>
            Add a sign-in provider
          </button>
        </div>
      )}
      {form && (
        <ProviderForm
          form={form}
          existing={existing !== undefined}
          redirectUri={redirectUri}
          busy={busy}
          onChange={setForm}
          onCancel={() => setForm(null)}
          onSave={() => void save(form)}
        />
      )}
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
      {removing && (
        <ConfirmDialog
          title={`Remove sign-in with ${removing.name}?`}
          confirm="Remove"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => void remove(removing)}
        >
          <p>
            Mailboxes already signed in keep working until their access is revoked; new ones cannot sign in with it.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function ProviderForm({
  form,
  existing,
  redirectUri,
  busy,
  onChange,
  onCancel,
  onSave,
}: {
  form: Form;
  existing: boolean;
  redirectUri: string;
  busy: boolean;
  onChange: (form: Form) => void;
  onCancel: () => void;
  onSave: () => void;
}) {
  const guide = GUIDES[form.kind];
  const set = (change: Partial<Form>) => onChange({ ...form, ...change });
  const server = (kind: 'imap' | 'smtp') => (
    <fieldset>
      <legend>{kind === 'imap' ? 'Incoming mail (IMAP)' : 'Outgoing mail (SMTP)'}</legend>
      <label>
        Server
        <input
          value={form[kind].host}
          onChange={(e) => set({ [kind]: { ...form[kind], host: e.target.value } })}
          required
          aria-label={`${kind.toUpperCase()} server`}
        />
      </label>
      <label>
        Security
        <select
          value={form[kind].security}
          aria-label={`${kind.toUpperCase()} security`}
          onChange={(e) => {
            const security = e.target.value as Tls;
            set({ [kind]: { ...form[kind], security, port: PORTS[kind][security] } });
          }}
        >
          <option value="tls">TLS</option>
          <option value="starttls">STARTTLS</option>
          <option value="none">None</option>
        </select>
      </label>
      <label>
        Port
        <input
          type="number"
          min={1}
          max={65535}
          value={form[kind].port}
          aria-label={`${kind.toUpperCase()} port`}
          onChange={(e) => set({ [kind]: { ...form[kind], port: Number(e.target.value) } })}
          required
        />
      </label>
    </fieldset>
  );
  return (
    <form
      aria-label="Sign-in provider"
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
      aria-busy={busy}
    >
      <label>
        Provider
        <select value={form.kind} onChange={(e) => set({ kind: e.target.value as Kind })} disabled={existing}>
          <option value="google">Google (Gmail, Google Workspace)</option>
          <option value="microsoft">Microsoft (Outlook, Microsoft 365)</option>
          <option value="oidc">Another provider (OpenID Connect)</option>
        </select>
      </label>
      <section className="guide" aria-label={`Registering Tandem with ${guide.name}`}>
        <ol>
          {guide.steps.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
        <label>
          Redirect URI
          <span className="copy-field">
            <input value={redirectUri} readOnly onFocus={(e) => e.target.select()} />
            <button type="button" onClick={() => void navigator.clipboard?.writeText(redirectUri)}>
              Copy
            </button>
          </span>
        </label>
      </section>
      {form.kind === 'oidc' && (
        <>
          <label>
            Short name (in addresses)
            <input
              value={form.id}
              onChange={(e) => set({ id: e.target.value.toLowerCase() })}
              pattern="[a-z0-9][a-z0-9._\-]{0,62}"
              required
              disabled={existing}
              placeholder="company-sso"
            />
          </label>
          <label>
            Name shown on the sign-in button
            <input value={form.name} onChange={(e) => set({ name: e.target.value })} required />
          </label>
          <label>
            Issuer URL
            <input
              type="url"
              value={form.issuer}
              onChange={(e) => set({ issuer: e.target.value })}
              required
              placeholder="https://login.example.com"
            />
          </label>
        </>
      )}
      <label>
        Client ID
        <input value={form.clientId} onChange={(e) => set({ clientId: e.target.value })} required autoComplete="off" />
      </label>
      <label>
        Client secret
        <input
          type="password"
          value={form.clientSecret}
          onChange={(e) => set({ clientSecret: e.target.value })}
          required={!existing}
          autoComplete="new-password"
          placeholder={existing ? 'Kept as saved (never shown); type a new one to replace it' : ''}
        />
      </label>
      <label>
        Domains (optional)
        <input
          value={form.domains}
          onChange={(e) => set({ domains: e.target.value })}
          placeholder="example.com, example.org"
        />
      </label>
      <p className="note">
        Addresses at these domains are offered this sign-in{form.kind === 'oidc' ? '' : ' besides the provider’s own'}.
      </p>
      {form.kind === 'oidc' && (
        <>
          {server('imap')}
          {server('smtp')}
        </>
      )}
      <div className="actions">
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button className="primary" type="submit" disabled={busy}>
          Save provider
        </button>
      </div>
    </form>
  );
}
