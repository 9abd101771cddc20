// A real OAuth2 / OpenID Connect authorization server (the oidc-provider package)
// on a free loopback port, with its development sign-in and consent pages driven
// over plain HTTP. See shared/docs/testing.md, "OAuth2 sign-in, fully local".
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const TEST_CLIENT = { id: 'tandem-test', secret: 'tandem-test-secret-0123456789abcdef' };

export interface TestAuthorizationServer {
  issuer: string;
  introspectionUrl: string;
  /** Requests to the token endpoint so far (code exchanges and refreshes). */
  tokenRequests: number;
  /** Access token lifetime in seconds for tokens issued from now on. */
  accessTokenTtl: number;
  /** Follows the authorization URL through sign-in as `account` and consent; returns the redirect back (with `code` or `error`). */
  authorize(authorizationUrl: string, account: string, options?: { deny?: boolean }): Promise<URL>;
  /** Revokes a token, and with it the whole grant (the refresh token too). */
  revoke(token: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startAuthorizationServer(): Promise<TestAuthorizationServer> {
  const server = http.createServer();
  // Dovecot reuses connections: a short keep-alive would close one under it (a temporary failure).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state = { tokenRequests: 0, accessTokenTtl: 3600 };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: TEST_CLIENT.id,
        client_secret: TEST_CLIENT.secret,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // Native: any loopback port is accepted, the host and path must match.
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/api/v1/oauth/callback'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, introspection: { enabled: true }, revocation: { enabled: true } },
    claims: { openid: ['sub'], email: ['email'] },
    // Like Google: the ID token itself carries the email (not only the userinfo endpoint).
    conformIdTokenClaims: false,
    cookies: { keys: ['test-cookie-key'] },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, email: id }) }),
    extraTokenClaims: (_ctx, token) =>
      'accountId' in token && token.accountId ? { email: token.accountId } : undefined,
    // By default refresh tokens come only with prompt=consent; the client may always have one.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: { AccessToken: () => state.accessTokenTtl },
  });
  provider.use(async (ctx, next) => {
    if (ctx.path === '/token') state.tokenRequests += 1;
    await next();
  });
  server.on('request', provider.callback());

  return {
    issuer,
    introspectionUrl: `${issuer}/token/introspection`,
    get tokenRequests() {
      return state.tokenRequests;
    },
    get accessTokenTtl() {
      return state.accessTokenTtl;
    },
    set accessTokenTtl(seconds: number) {
      state.accessTokenTtl = seconds;
    },
    authorize: (url, account, options = {}) => drive(url, account, options.deny ?? false),
    async revoke(token) {
      const response = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        body: new URLSearchParams({ token, client_id: TEST_CLIENT.id, client_secret: TEST_CLIENT.secret }),
      });
      if (!response.ok) throw new Error(`revocation failed: ${response.status} ${await response.text()}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Walks GET /auth → sign-in page → consent page → the client's redirect URI, keeping cookies like a browser. */
async function drive(start: string, account: string, deny: boolean): Promise<URL> {
  const jar = new Map<string, string>();
  const request = async (url: URL, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const [name = '', ...value] = pair.split('=');
      jar.set(name.trim(), value.join('='));
    }
    return response;
  };
  let url = new URL(start);
  for (let step = 0; step < 12; step++) {
    const response = await request(url);
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      // Back at the client: that is the answer.
      if (next.pathname.endsWith('/api/v1/oauth/callback')) return next;
      url = next;
      continue;
    }
    const page = await response.text();
    const uid = /\/interaction\/([\w-]+)/.exec(url.pathname)?.[1];
    if (!uid) throw new Error(`unexpected page at ${url.href} (${response.status}): ${page.slice(0, 300)}`);
    if (deny) {
      url = new URL(`/interaction/${uid}/abort`, url);
      continue;
    }
    const prompt = page.includes('name="prompt" value="login"') ? 'login' : 'consent';
    const body = new URLSearchParams(prompt === 'login' ? { prompt, login: account, password: 'any' } : { prompt });
    const submitted = await request(new URL(`/interaction/${uid}`, url), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const next = submitted.headers.get('location');
    if (!next)
      throw new Error(
        `the ${prompt} page did not redirect (${submitted.status}): ${(await submitted.text()).slice(0, 300)}`,
      );
    url = new URL(next, url);
  }
  throw new Error('the sign-in did not come back to the client');
}
