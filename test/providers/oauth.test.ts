import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxView } from '../../src/mail/mailboxes/index.ts';
import { MailServerError } from '../../src/mail/imap/index.ts';
import { createGrant, GrantTokenSource } from '../../src/mail/oauth/index.ts';
import type { GrantTokens } from '../../src/mail/oauth/index.ts';
import { signedInUser } from '../support/api.ts';
import { createMailUser, deliver, startMailServers } from '../support/mail-servers.ts';
import type { MailServers, MailUser } from '../support/mail-servers.ts';
import { startAuthorizationServer, TEST_CLIENT } from '../support/oidc.ts';
import { freePorts } from '../support/process.ts';
import type { TestAuthorizationServer } from '../support/oidc.ts';
import { storeDialects } from '../support/stores.ts';
import { mailboxState, rawMessage, startSyncApi, subjectsIn, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';
import { waitFor } from '../support/wait-for.ts';

let auth: TestAuthorizationServer;
let servers: MailServers;

beforeAll(async () => {
  auth = await startAuthorizationServer();
  servers = await startMailServers({
    oauth2: { introspectionUrl: auth.introspectionUrl, clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret },
  });
});
afterAll(async () => {
  await servers?.stop();
  await auth?.stop();
});

describe.each(await storeDialects())('OAuth2 sign-in on %s', (dialect) => {
  let api: SyncTestApi;
  let admin: Awaited<ReturnType<typeof signedInUser>>;

  beforeAll(async () => {
    api = await startSyncApi(dialect);
    // Any loopback port: the test client is a native app.
    api.context.config.publicUrl = 'http://127.0.0.1:4999';
    admin = await signedInUser(api, { admin: true });
    const saved = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/oauth-providers/local',
      headers: admin.auth,
      payload: {
        name: 'Local Mail',
        clientId: TEST_CLIENT.id,
        clientSecret: TEST_CLIENT.secret,
        issuer: auth.issuer,
        imap: { ...servers.imap, security: 'none' },
        smtp: { ...servers.smtp, security: 'none' },
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });
  afterAll(() => api?.close());

  type User = Awaited<ReturnType<typeof signedInUser>>;

  /** The browser's part: Tandem's start → the provider's pages → Tandem's callback; returns where Tandem sent the browser. */
  async function signIn(
    user: User,
    query: string,
    options: { deny?: boolean; cookie?: string | null; account?: string } = {},
  ) {
    const start = await api.app.inject({
      method: 'GET',
      url: `/api/v1/oauth/local/start?${query}`,
      headers: user.auth,
    });
    expect(start.statusCode, start.body).toBe(302);
    const cookie = String(start.headers['set-cookie']).split(';')[0] ?? '';
    const account = options.account ?? new URL(String(start.headers.location)).searchParams.get('login_hint') ?? '';
    const back = await auth.authorize(String(start.headers.location), account, options);
    const callback = await api.app.inject({
      method: 'GET',
      url: back.pathname + back.search,
      headers: options.cookie === null ? {} : { cookie: options.cookie ?? cookie },
    });
    expect(callback.statusCode).toBe(302);
    return {
      landing: new URL(String(callback.headers.location), 'http://tandem'),
      callbackUrl: back.pathname + back.search,
      cookie,
    };
  }

  async function connectWithOAuth(mailUser: MailUser, options: { admin?: boolean } = {}) {
    const user = await signedInUser(api, options);
    const { landing } = await signIn(user, `address=${encodeURIComponent(mailUser.address)}`);
    expect(landing.pathname).toBe('/mailbox/setup');
    const grantId = landing.searchParams.get('oauth');
    expect(grantId, landing.href).toBeTruthy();
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: user.auth,
      payload: { address: mailUser.address, imap: { oauth: { grantId } }, syncPeriod: '3m' },
    });
    expect(created.statusCode, created.body).toBe(201);
    return { user, grantId: grantId ?? '', mailbox: created.json<MailboxView>() };
  }

  const grantRow = (id: string) =>
    api.context.store.db.selectFrom('oauth_grants').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const tokensOf = async (id: string) => api.context.secrets.openJson((await grantRow(id)).tokens) as GrantTokens;
  const restart = async (user: User, mailboxId: string) => {
    await api.app.inject({ method: 'POST', url: `/api/v1/mailboxes/${mailboxId}/disconnect`, headers: user.auth });
    await api.app.inject({ method: 'POST', url: `/api/v1/mailboxes/${mailboxId}/connect`, headers: user.auth });
  };

  it('keeps the client secret sealed and shows admins everything else', async () => {
    const row = await api.context.store.db
      .selectFrom('oauth_providers')
      .selectAll()
      .where('id', '=', 'local')
      .executeTakeFirstOrThrow();
    expect(row.client_secret).not.toContain(TEST_CLIENT.secret);
    const list = await api.app.inject({ method: 'GET', url: '/api/v1/admin/oauth-providers', headers: admin.auth });
    expect(list.body).not.toContain(TEST_CLIENT.secret);
    expect(list.json()).toMatchObject({
      items: [{ id: 'local', name: 'Local Mail', clientId: TEST_CLIENT.id, issuer: auth.issuer }],
    });
    const user = await signedInUser(api);
    expect(
      (await api.app.inject({ method: 'GET', url: '/api/v1/admin/oauth-providers', headers: user.auth })).statusCode,
    ).toBe(403);
    expect(
      (await api.app.inject({ method: 'GET', url: '/api/v1/oauth/providers', headers: user.auth })).json(),
    ).toEqual({ items: [{ id: 'local', name: 'Local Mail' }] });
    const unknown = await api.app.inject({
      method: 'GET',
      url: '/api/v1/oauth/google/start?address=a%40gmail.com',
      headers: user.auth,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({
      error: { code: 'not_found', message: expect.stringMatching(/administrator/) },
    });
  });

  it('signs in, allows, syncs the mailbox over IMAP with the token and sends with it over SMTP', async () => {
    const mailUser = await createMailUser(servers, 'oauth');
    await deliver(servers, mailUser.username, rawMessage('Waiting before sign-in', { to: mailUser.address }));
    // An administrator, who may try the grant again for a group mailbox (below).
    const { user, grantId, mailbox } = await connectWithOAuth(mailUser, { admin: true });
    expect(mailbox).toMatchObject({
      auth: 'oauth2',
      providerId: 'local',
      needsReauthorization: false,
      imap: { username: mailUser.address },
      // The provider's ID token named the address: the admin's fallback server may send as it.
      addressVerified: 'oauth',
    });
    const grant = await grantRow(grantId);
    expect(grant).toMatchObject({
      address: mailUser.address,
      state: 'active',
      provider_id: 'local',
      address_confirmed: 1,
    });
    const tokens = await tokensOf(grantId);
    expect(grant.tokens).not.toContain(tokens.accessToken);
    expect(tokens.refreshToken).toBeTruthy();

    await waitIdle(api, user.auth, mailbox.id);
    expect(await subjectsIn(api, mailbox.id, 'INBOX')).toContain('Waiting before sign-in');
    const again = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: user.auth,
      payload: {
        address: mailUser.address,
        imap: { oauth: { grantId } },
        kind: 'group',
        group: { name: 'Team', members: [] },
        syncPeriod: 'now',
      },
    });
    expect(again.json()).toMatchObject({ error: { code: 'conflict', message: expect.stringMatching(/already used/) } });
    const stranger = await signedInUser(api);
    const stolen = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: stranger.auth,
      payload: { address: mailUser.address, imap: { oauth: { grantId } }, syncPeriod: 'now' },
    });
    expect(stolen.statusCode).toBe(404);
    expect(
      (await api.app.inject({ method: 'GET', url: `/api/v1/oauth/grants/${grantId}`, headers: stranger.auth }))
        .statusCode,
    ).toBe(404);
    expect(
      (await api.app.inject({ method: 'GET', url: `/api/v1/oauth/grants/${grantId}`, headers: user.auth })).json(),
    ).toMatchObject({ id: grantId, providerId: 'local', address: mailUser.address, state: 'active' });

    const sent = await api.app.inject({
      method: 'POST',
      url: '/api/v1/messages/send',
      headers: user.auth,
      payload: { mailboxId: mailbox.id, to: [mailUser.address], subject: 'Sent with a token', text: 'hi' },
    });
    expect(sent.statusCode, sent.body).toBe(202);
    await waitFor(async () => (await subjectsIn(api, mailbox.id, 'INBOX')).includes('Sent with a token'), {
      what: 'the sent message to come back',
      timeoutMs: 60_000,
    });
  });

  it('refreshes a token about to expire, and one the server refuses', async () => {
    auth.accessTokenTtl = 4;
    const mailUser = await createMailUser(servers, 'expiring');
    const { user, grantId, mailbox } = await connectWithOAuth(mailUser);
    auth.accessTokenTtl = 3600;
    await waitIdle(api, user.auth, mailbox.id);
    const first = await tokensOf(grantId);
    await waitFor(() => Date.now() > first.expiresAt, {
      what: 'the access token to expire',
      timeoutMs: 10_000,
      intervalMs: 200,
    });

    await restart(user, mailbox.id);
    await waitIdle(api, user.auth, mailbox.id);
    const renewed = await tokensOf(grantId);
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(renewed.expiresAt).toBeGreaterThan(Date.now() + 60_000);

    // A token the server refuses although it has not expired (e.g. rotated elsewhere) is renewed once.
    await api.context.store.db
      .updateTable('oauth_grants')
      .set({ tokens: api.context.secrets.sealJson({ ...renewed, accessToken: 'made-up-token' }) })
      .where('id', '=', grantId)
      .execute();
    await restart(user, mailbox.id);
    await waitIdle(api, user.auth, mailbox.id);
    expect((await tokensOf(grantId)).accessToken).not.toBe('made-up-token');
  });

  it('concurrent connections of a mailbox share one refresh', async () => {
    const mailUser = await createMailUser(servers, 'concurrent');
    const { grantId } = await connectWithOAuth(mailUser);
    const tokens = await tokensOf(grantId);
    await api.context.store.db
      .updateTable('oauth_grants')
      .set({ tokens: api.context.secrets.sealJson({ ...tokens, expiresAt: Date.now() }) })
      .where('id', '=', grantId)
      .execute();
    const before = auth.tokenRequests;
    const sources = [1, 2, 3].map(() => new GrantTokenSource(api.context.store.db, api.context.secrets, grantId));
    const fresh = await Promise.all(sources.map((source) => source.token()));
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(tokens.accessToken);
    expect(auth.tokenRequests).toBe(before + 1);
  });

  it('an unreachable authorization server is a temporary failure, not a revoked grant', async () => {
    const closed = await freePorts(1);
    const saved = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/oauth-providers/down',
      headers: admin.auth,
      payload: {
        clientId: 'x',
        clientSecret: 'y',
        issuer: `http://127.0.0.1:${closed[0]}`,
        imap: { ...servers.imap, security: 'none' },
        smtp: { ...servers.smtp, security: 'none' },
      },
    });
    expect(saved.statusCode).toBe(200);
    const user = await signedInUser(api);
    const grantId = await createGrant(api.context.store.db, api.context.secrets, {
      userId: user.user.id,
      providerId: 'down',
      address: 'someone@example.test',
      addressConfirmed: false,
      tokens: {
        accessToken: 'old',
        refreshToken: 'refresh',
        expiresAt: Date.now() - 1000,
        obtainedAt: Date.now() - 3_600_000,
      },
    });
    const failure = await new GrantTokenSource(api.context.store.db, api.context.secrets, grantId)
      .token()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MailServerError);
    expect(failure).toMatchObject({ failure: 'temporary', retryable: true });
    expect((await grantRow(grantId)).state).toBe('active');
  });

  it('a revoked grant stops the mailbox once with a clear state, and signing in again resumes it', async () => {
    const mailUser = await createMailUser(servers, 'revoked');
    const { user, grantId, mailbox } = await connectWithOAuth(mailUser);
    await waitIdle(api, user.auth, mailbox.id);
    await auth.revoke((await tokensOf(grantId)).refreshToken ?? '');
    const before = auth.tokenRequests;

    await restart(user, mailbox.id);
    const stopped = await waitFor(
      async () => {
        const view = await mailboxState(api, user.auth, mailbox.id);
        return view.needsReauthorization && view.state === 'error' ? view : undefined;
      },
      { what: 'the mailbox to need re-authorization' },
    );
    expect(stopped.error).toMatch(/sign in again/);
    // One refresh was tried; nothing more asks the provider: sending fails at once.
    expect(auth.tokenRequests).toBe(before + 1);
    const send = await api.app.inject({
      method: 'POST',
      url: '/api/v1/messages/send',
      headers: user.auth,
      payload: { mailboxId: mailbox.id, to: [mailUser.address], subject: 'No', text: 'x' },
    });
    expect(send.json()).toMatchObject({ error: { message: expect.stringMatching(/sign in again/) } });
    expect(auth.tokenRequests).toBe(before + 1);
    expect((await grantRow(grantId)).state).toBe('revoked');

    const { landing } = await signIn(user, `mailboxId=${mailbox.id}`);
    expect(landing.searchParams.get('mailboxId')).toBe(mailbox.id);
    const newGrant = landing.searchParams.get('oauth') ?? '';
    const resumed = await waitIdle(api, user.auth, mailbox.id);
    expect(resumed).toMatchObject({ needsReauthorization: false, error: null });
    const row = await api.context.store.db
      .selectFrom('mailboxes')
      .select('oauth_grant_id')
      .where('id', '=', mailbox.id)
      .executeTakeFirstOrThrow();
    expect(row.oauth_grant_id).toBe(newGrant);
    expect(
      await api.context.store.db.selectFrom('oauth_grants').select('id').where('id', '=', grantId).executeTakeFirst(),
    ).toBeUndefined();
  });

  it("offers an administrator's provider for its domains, and lists the account's folders with the grant", async () => {
    const user = await signedInUser(api);
    const discover = (address: string) =>
      api.app.inject({
        method: 'GET',
        url: `/api/v1/providers/discover?address=${encodeURIComponent(address)}`,
        headers: user.auth,
      });
    expect((await discover('someone@example.test')).json()).toMatchObject({ provider: null });
    const saved = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/oauth-providers/local',
      headers: admin.auth,
      payload: {
        name: 'Local Mail',
        clientId: TEST_CLIENT.id,
        issuer: auth.issuer,
        imap: { ...servers.imap, security: 'none' },
        smtp: { ...servers.smtp, security: 'none' },
        domains: ['Example.test'],
      },
    });
    expect(saved.json()).toMatchObject({ domains: ['example.test'] });
    const mailUser = await createMailUser(servers, 'domain');
    expect((await discover(mailUser.address)).json()).toMatchObject({
      source: 'preset',
      provider: { id: 'local', name: 'Local Mail', auth: 'oauth2', signInReady: true },
      imap: { host: servers.imap.host, port: servers.imap.port, username: mailUser.address },
    });

    const { landing } = await signIn(user, `address=${encodeURIComponent(mailUser.address)}`);
    const grantId = landing.searchParams.get('oauth') ?? '';
    const folders = await api.app.inject({
      method: 'GET',
      url: `/api/v1/oauth/grants/${grantId}/folders`,
      headers: user.auth,
    });
    expect(folders.statusCode, folders.body).toBe(200);
    expect(folders.json<{ items: { path: string }[] }>().items.map((f) => f.path)).toEqual(
      expect.arrayContaining(['INBOX', 'Sent', 'Drafts']),
    );
    const stranger = await signedInUser(api);
    expect(
      (await api.app.inject({ method: 'GET', url: `/api/v1/oauth/grants/${grantId}/folders`, headers: stranger.auth }))
        .statusCode,
    ).toBe(404);
  });

  it('denied consent, a foreign browser, a replayed redirect and another account each end with a code for the web app and no grant', async () => {
    const mailUser = await createMailUser(servers, 'denied');
    const user = await signedInUser(api);
    const grants = async () =>
      (await api.context.store.db.selectFrom('oauth_grants').select('id').where('user_id', '=', user.user.id).execute())
        .length;
    const query = `address=${encodeURIComponent(mailUser.address)}`;

    const denied = await signIn(user, query, { deny: true });
    expect(denied.landing.pathname).toBe('/mailbox/setup');
    expect(denied.landing.searchParams.get('oauthError')).toBe('access_denied');

    const foreign = await signIn(user, query, {
      cookie: 'tandem_oauth=another-browser-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    });
    expect(foreign.landing.searchParams.get('oauthError')).toBe('invalid_state');
    expect(await grants()).toBe(0);

    const allowed = await signIn(user, query);
    expect(allowed.landing.searchParams.get('oauth')).toBeTruthy();
    const replay = await api.app.inject({
      method: 'GET',
      url: allowed.callbackUrl,
      headers: { cookie: allowed.cookie },
    });
    expect(new URL(String(replay.headers.location), 'http://tandem').searchParams.get('oauthError')).toBe(
      'invalid_state',
    );
    expect(await grants()).toBe(1);

    // Signed in to another account than the address being connected.
    const mismatch = await signIn(user, query, { account: 'someone-else@example.test' });
    expect(mismatch.landing.searchParams.get('oauthError')).toBe('address_mismatch');
    expect(mismatch.landing.searchParams.get('message')).toMatch(/someone-else@example\.test/);
    expect(await grants()).toBe(1);
  });
});

describe('OAuth2 on a server that offers XOAUTH2 only', () => {
  let xoauthServers: MailServers;
  let api: SyncTestApi;
  beforeAll(async () => {
    xoauthServers = await startMailServers({
      oauth2: {
        introspectionUrl: auth.introspectionUrl,
        clientId: TEST_CLIENT.id,
        clientSecret: TEST_CLIENT.secret,
        mechanisms: ['xoauth2'],
      },
    });
    api = await startSyncApi('sqlite');
  });
  afterAll(async () => {
    await api?.close();
    await xoauthServers?.stop();
  });

  it('logs in to IMAP and SMTP with XOAUTH2', async () => {
    const mailUser = await createMailUser(xoauthServers, 'xoauth2');
    await deliver(xoauthServers, mailUser.username, rawMessage('Over XOAUTH2', { to: mailUser.address }));
    const admin = await signedInUser(api, { admin: true });
    const saved = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/oauth-providers/local',
      headers: admin.auth,
      payload: {
        clientId: TEST_CLIENT.id,
        clientSecret: TEST_CLIENT.secret,
        issuer: auth.issuer,
        imap: { ...xoauthServers.imap, security: 'none' },
        smtp: { ...xoauthServers.smtp, security: 'none' },
      },
    });
    expect(saved.statusCode).toBe(200);
    api.context.config.publicUrl = 'http://127.0.0.1:4999';
    const user = await signedInUser(api);
    const start = await api.app.inject({
      method: 'GET',
      url: `/api/v1/oauth/local/start?address=${encodeURIComponent(mailUser.address)}`,
      headers: user.auth,
    });
    const back = await auth.authorize(String(start.headers.location), mailUser.address);
    const callback = await api.app.inject({
      method: 'GET',
      url: back.pathname + back.search,
      headers: { cookie: String(start.headers['set-cookie']).split(';')[0] ?? '' },
    });
    const grantId = new URL(String(callback.headers.location), 'http://tandem').searchParams.get('oauth');
    expect(grantId).toBeTruthy();
    // Creating the mailbox logs in to IMAP (ImapFlow falls back to XOAUTH2) and to SMTP (XOAUTH2) with the token.
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: user.auth,
      payload: { address: mailUser.address, imap: { oauth: { grantId } }, syncPeriod: '3m' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const mailbox = created.json<MailboxView>();
    await waitIdle(api, user.auth, mailbox.id);
    expect(await subjectsIn(api, mailbox.id, 'INBOX')).toContain('Over XOAUTH2');
  });
});
