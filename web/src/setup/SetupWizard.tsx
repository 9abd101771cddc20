import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Navigate, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, describeError, ok, query } from '../api.ts';
import { settingsPath, setupPath } from '../paths.ts';
import type { SetupStep } from '../paths.ts';
import type { ConnectionCheck, ConnectionTest, Discovery, Security, ServerFolderChoice } from '../contract.ts';
import { clearGroupDraft, groupDraft } from './group-draft.ts';
import { FolderStep } from './FolderStep.tsx';

export interface ServerForm {
  host: string;
  port: string;
  security: Security;
}

export interface Credentials {
  address: string;
  username: string;
  password: string;
  imap: ServerForm;
  smtp: ServerForm;
}

const DEFAULT_PORTS: Record<'imap' | 'smtp', Record<Security, string>> = {
  imap: { tls: '993', starttls: '143', none: '143' },
  smtp: { tls: '465', starttls: '587', none: '25' },
};

/**
 * Setup My Mailbox: address → provider and sign-in (with a connection test, or the
 * provider's OAuth2 pages) → folders and options → Save. Each step has its URL
 * (paths.ts); the password is never in one, so a reload after it goes back to sign in.
 */
export function SetupWizard({
  hasMailbox,
  onCancel,
  onDone,
}: {
  hasMailbox: boolean;
  onCancel: () => void;
  onDone: () => void;
}) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const grantId = params.get('oauth');
  const routeStep = useParams().step;
  const step: SetupStep = grantId
    ? 'folders'
    : routeStep === 'server' || routeStep === 'folders'
      ? routeStep
      : 'address';
  const [address, setAddress] = useState(params.get('address') ?? '');
  const [discovery, setDiscovery] = useState<Discovery | null>(null);
  const [form, setForm] = useState<Credentials | null>(null);
  const [folders, setFolders] = useState<ServerFolderChoice[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(
    params.get('oauthError')
      ? `The sign-in did not finish: ${params.get('message') ?? params.get('oauthError')}`
      : null,
  );

  const findSettings = async (wanted: string) => {
    const found = await discover(wanted);
    setDiscovery(found);
    setForm({
      address: wanted,
      username: wanted,
      password: '',
      imap: serverForm('imap', found?.imap),
      smtp: serverForm('smtp', found?.smtp),
    });
  };
  // The server step opened from its URL (a reload, the back button): find the settings again.
  const urlAddress = params.get('address') ?? '';
  useEffect(() => {
    if (step === 'server' && urlAddress && form?.address !== urlAddress) void findSettings(urlAddress);
  }, [step, urlAddress]);

  // Signed in again for an existing mailbox: the server already resumed it.
  if (params.get('mailboxId')) return <Navigate to={settingsPath()} replace />;
  const group = groupDraft();
  const title = group ? `Setup Group Mailbox: ${group.name}` : 'Setup My Mailbox';
  if (hasMailbox && !group) {
    return (
      <main className="centered">
        <div className="card narrow">
          <h1>Setup My Mailbox</h1>
          <p role="alert">
            You already have a mailbox. Delete it first (Mailbox settings → Delete Mailbox), then set up another one.
          </p>
          <button onClick={onCancel}>Back</button>
        </div>
      </main>
    );
  }
  if (step === 'server' && !urlAddress) return <Navigate to={setupPath()} replace />;
  if (step === 'folders' && !grantId && (!form || !folders))
    return <Navigate to={setupPath(urlAddress ? 'server' : 'address', urlAddress)} replace />;

  const proceed = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    await findSettings(address);
    setBusy(false);
    void navigate(setupPath('server', address));
  };

  return (
    <main className="wizard">
      <div className="card">
        <h1>{title}</h1>
        <ol className="steps" aria-label="Steps">
          <li aria-current={step === 'address' ? 'step' : undefined}>Email address</li>
          <li aria-current={step === 'server' ? 'step' : undefined}>Sign in</li>
          <li aria-current={step === 'folders' ? 'step' : undefined}>Folders</li>
        </ol>
        {step === 'address' && (
          <form onSubmit={proceed}>
            <label>
              Email address
              <input
                type="email"
                value={address}
                onChange={(e) => setAddress(e.target.value)}
                required
                autoFocus
                autoComplete="email"
              />
            </label>
            {error && (
              <p role="alert" className="error">
                {error}
              </p>
            )}
            <div className="actions">
              <button
                type="button"
                onClick={() => {
                  clearGroupDraft();
                  onCancel();
                }}
              >
                Cancel
              </button>
              <button className="primary" disabled={busy}>
                Proceed
              </button>
            </div>
          </form>
        )}
        {step === 'server' &&
          (form?.address === urlAddress ? (
            <ServerStep
              discovery={discovery}
              form={form}
              onChange={setForm}
              onBack={() => void navigate(setupPath('address', urlAddress))}
              onSignedIn={(list) => {
                setFolders(list);
                void navigate(setupPath('folders', urlAddress));
              }}
            />
          ) : (
            <p aria-busy="true">Looking up {urlAddress}…</p>
          ))}
        {step === 'folders' && grantId && (
          <OAuthFolderStep grantId={grantId} onBack={() => void navigate(setupPath())} onSaved={onDone} />
        )}
        {step === 'folders' && !grantId && form && folders && (
          <FolderStep
            connection={{ address: form.address, ...serverBody(form) }}
            folders={folders}
            onBack={() => void navigate(setupPath('server', urlAddress))}
            onSaved={onDone}
          />
        )}
      </div>
    </main>
  );
}

/** Back from the provider's sign-in: the folders of the account signed in to, then the same options as with a password. */
function OAuthFolderStep({ grantId, onBack, onSaved }: { grantId: string; onBack: () => void; onSaved: () => void }) {
  const [found, setFound] = useState<{ address: string; folders: ServerFolderChoice[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const params = { path: { id: grantId } };
    Promise.all([
      ok(api.GET('/oauth/grants/{id}', { params })),
      ok(api.GET('/oauth/grants/{id}/folders', { params })),
    ]).then(
      ([grant, list]) => setFound({ address: grant.address, folders: list.items }),
      (e: unknown) => setError(describeError(e)),
    );
  }, [grantId]);
  if (error) {
    return (
      <>
        <p role="alert" className="error">
          {error}
        </p>
        <div className="actions">
          <button type="button" onClick={onBack}>
            Back
          </button>
        </div>
      </>
    );
  }
  if (!found) return <p aria-busy="true">Reading your folders…</p>;
  return (
    <>
      <p className="note">
        Signed in as <strong>{found.address}</strong>.
      </p>
      <FolderStep
        connection={{ address: found.address, imap: { oauth: { grantId } } }}
        folders={found.folders}
        onBack={onBack}
        onSaved={onSaved}
      />
    </>
  );
}

/** The provider's settings, or null when the server cannot tell (or has no discovery yet). */
async function discover(address: string): Promise<Discovery | null> {
  try {
    return await ok(api.GET('/providers/discover', { params: { query: { address } } }));
  } catch {
    return null;
  }
}

function serverForm(kind: 'imap' | 'smtp', found: Discovery['imap'] | undefined): ServerForm {
  if (found) return { host: found.host, port: String(found.port), security: found.security };
  return { host: '', port: DEFAULT_PORTS[kind].tls, security: 'tls' };
}

export function serverBody(form: Credentials) {
  const server = (s: ServerForm) => ({
    host: s.host.trim(),
    port: Number(s.port),
    security: s.security,
    username: form.username,
    password: form.password,
  });
  return { imap: server(form.imap), smtp: server(form.smtp) };
}

function ServerStep({
  discovery,
  form,
  onChange,
  onBack,
  onSignedIn,
}: {
  discovery: Discovery | null;
  form: Credentials;
  onChange: (form: Credentials) => void;
  onBack: () => void;
  onSignedIn: (folders: ServerFolderChoice[]) => void;
}) {
  const provider = discovery?.provider ?? null;
  const [result, setResult] = useState<ConnectionTest | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [manual, setManual] = useState(!discovery?.imap || !discovery.smtp);
  const oauth = provider?.auth === 'oauth2' && provider.signInReady;
  const [password, setPassword] = useState(!oauth);

  const test = async (): Promise<ConnectionTest | null> => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const answer = await ok(api.POST('/mailboxes/test-connection', { body: serverBody(form) }));
      setResult(answer);
      return answer;
    } catch (e) {
      setError(describeError(e));
      return null;
    } finally {
      setBusy(false);
    }
  };

  const signIn = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await test();
    if (answer?.imap.ok && answer.smtp.ok) onSignedIn(answer.imap.folders ?? []);
  };

  const setServer = (kind: 'imap' | 'smtp', change: Partial<ServerForm>) =>
    onChange({ ...form, [kind]: { ...form[kind], ...change } });

  return (
    <form onSubmit={signIn}>
      {provider ? (
        <p className="note">
          Recognized: <strong>{provider.name}</strong>
          {provider.auth === 'app-password' && (
            <>
              {' '}
              — use an app password
              {provider.helpUrl && (
                <>
                  {' '}
                  (
                  <a href={provider.helpUrl} target="_blank" rel="noreferrer">
                    how
                  </a>
                  )
                </>
              )}
            </>
          )}
        </p>
      ) : (
        <p className="note">
          Tandem could not recognize the provider of {form.address}: enter your mail server settings (your provider's
          help pages list them).
        </p>
      )}
      {provider?.auth === 'oauth2' &&
        (provider.signInReady ? (
          <p>
            <a
              className="button primary"
              href={`/api/v1/oauth/${encodeURIComponent(provider.id)}/start${query({ address: form.address })}`}
            >
              Sign in with {provider.name}
            </a>
          </p>
        ) : (
          <p className="note">
            Sign-in with {provider.name} is not set up on this Tandem yet (an administrator can add it under Account →
            Sign-in providers). Meanwhile, use a password or an app password
            {provider.helpUrl && (
              <>
                {' '}
                (
                <a href={provider.helpUrl} target="_blank" rel="noreferrer">
                  how to make one
                </a>
                )
              </>
            )}
            .
          </p>
        ))}
      {!password && (
        <div className="actions">
          <button type="button" onClick={onBack}>
            Back
          </button>
          <button type="button" className="link" onClick={() => setPassword(true)}>
            Use a password instead
          </button>
        </div>
      )}
      {password && (
        <>
          <label>
            Username
            <input
              value={form.username}
              onChange={(e) => onChange({ ...form, username: e.target.value })}
              required
              autoComplete="username"
            />
          </label>
          <label>
            Password
            <input
              type="password"
              value={form.password}
              onChange={(e) => onChange({ ...form, password: e.target.value })}
              required
              autoComplete="current-password"
            />
          </label>
          {!manual && (
            <button type="button" className="link" onClick={() => setManual(true)}>
              Edit server settings
            </button>
          )}
          {manual && (
            <div className="servers">
              <ServerFields
                legend="Incoming mail (IMAP)"
                kind="imap"
                server={form.imap}
                onChange={(c) => setServer('imap', c)}
              />
              <ServerFields
                legend="Outgoing mail (SMTP)"
                kind="smtp"
                server={form.smtp}
                onChange={(c) => setServer('smtp', c)}
              />
            </div>
          )}
          {result && <ConnectionResult result={result} />}
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" onClick={onBack}>
              Back
            </button>
            <button type="button" onClick={() => void test()} disabled={busy}>
              Test connection
            </button>
            <button className="primary" disabled={busy}>
              {busy ? 'Checking…' : 'Sign in'}
            </button>
          </div>
        </>
      )}
    </form>
  );
}

function ServerFields({
  legend,
  kind,
  server,
  onChange,
}: {
  legend: string;
  kind: 'imap' | 'smtp';
  server: ServerForm;
  onChange: (change: Partial<ServerForm>) => void;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <label>
        {kind.toUpperCase()} host
        <input value={server.host} onChange={(e) => onChange({ host: e.target.value })} required />
      </label>
      <label>
        {kind.toUpperCase()} port
        <input
          type="number"
          min={1}
          max={65535}
          value={server.port}
          onChange={(e) => onChange({ port: e.target.value })}
          required
        />
      </label>
      <label>
        {kind.toUpperCase()} security
        <select
          value={server.security}
          onChange={(e) => {
            const security = e.target.value as Security;
            onChange({ security, port: DEFAULT_PORTS[kind][security] });
          }}
        >
          <option value="tls">TLS</option>
          <option value="starttls">STARTTLS</option>
          <option value="none">None (this machine only)</option>
        </select>
      </label>
    </fieldset>
  );
}

/** What a working connection did about the login (POST /mailboxes/test-connection). */
type LoginOutcome = NonNullable<ConnectionCheck['login']>;

const CONNECTED: Record<LoginOutcome, string> = {
  signed_in: 'connected and signed in',
  not_offered: 'connected, but the server offers no login, so the user name and password could not be tried',
  no_credentials: 'connected (no login asked for)',
};

function ConnectionResult({ result }: { result: ConnectionTest }) {
  const line = (name: string, check: ConnectionCheck) => {
    const warn = check.ok && check.login === 'not_offered';
    return (
      <li className={check.ok ? (warn ? 'warning' : 'ok') : 'error'}>
        {check.ok
          ? `${name}: ${CONNECTED[check.login ?? 'signed_in']}`
          : `${name}: ${check.error?.message ?? 'failed'}`}
      </li>
    );
  };
  return (
    <div role="status" aria-label="Connection test">
      <ul className="checks">
        {line('Incoming mail (IMAP)', result.imap)}
        {line('Outgoing mail (SMTP)', result.smtp)}
      </ul>
    </div>
  );
}
