import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/users/index.ts';
import { startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';

/** The `name=value` part of the session cookie a response sets. */
function sessionCookie(setCookie: string | string[] | undefined): string {
  const header = [setCookie ?? []].flat().find((c) => c.startsWith('tandem_session='));
  if (!header) throw new Error('no session cookie set');
  return header.split(';')[0] ?? '';
}

describe.each(await storeDialects())('browser session cookie on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect, { setupCode: 'TEST-CODE-0001' });
    await createUser(api.context.store.db, { email: 'cookie@example.test', password: 'cookie-password' });
  });
  afterAll(() => api.close());

  const login = () =>
    api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'cookie@example.test', password: 'cookie-password' },
    });

  it('login sets an HttpOnly, SameSite=Strict cookie that authorizes reads', async () => {
    const response = await login();
    const header = [response.headers['set-cookie'] ?? []].flat().join('\n');
    expect(header).toMatch(/tandem_session=[^;]+;.*HttpOnly/i);
    expect(header).toMatch(/SameSite=Strict/i);
    const me = await api.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: sessionCookie(response.headers['set-cookie']) },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: 'cookie@example.test' });
  });

  it('refuses a cross-site form post that carries only the cookie', async () => {
    const cookie = sessionCookie((await login()).headers['set-cookie']);
    const before = (await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).json<{
      name: string;
    }>().name;
    const forged = await api.app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: 'name=Mallory',
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error: { code: 'csrf_failed' } });
    const post = await api.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    expect(post.statusCode).toBe(403);
    const me = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ name: before });
  });

  it('accepts a cookie request with the CSRF header, and sign-out clears the cookie and ends the session', async () => {
    const cookie = sessionCookie((await login()).headers['set-cookie']);
    const headers = { cookie, 'x-tandem-csrf': '1' };
    const renamed = await api.app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers,
      payload: { name: 'Cora' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Cora' });
    const logout = await api.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });
    expect(logout.statusCode).toBe(204);
    expect([logout.headers['set-cookie'] ?? []].flat().join('\n')).toMatch(
      /tandem_session=;.*Expires=Thu, 01 Jan 1970/i,
    );
    const after = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('GET /auth/session answers who is signed in, without a failed request when nobody is', async () => {
    const nobody = await api.app.inject({ method: 'GET', url: '/api/v1/auth/session' });
    expect(nobody.statusCode).toBe(200);
    expect(nobody.json()).toEqual({ user: null });
    const cookie = sessionCookie((await login()).headers['set-cookie']);
    const someone = await api.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } });
    expect(someone.json()).toMatchObject({ user: { email: 'cookie@example.test' } });
  });

  it('keeps Bearer tokens working without the CSRF header', async () => {
    const { token } = (await login()).json<{ token: string }>();
    const renamed = await api.app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'Bea' },
    });
    expect(renamed.statusCode).toBe(200);
  });
});

describe('first run in the browser', () => {
  it('first-run setup signs the new admin in with the cookie', async () => {
    const fresh = await startTestApi('sqlite', { setupCode: 'SETUP-CODE-42' });
    try {
      const setup = await fresh.app.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { setupCode: 'SETUP-CODE-42', email: 'admin@example.test', password: 'admin-password-1' },
      });
      expect(setup.statusCode).toBe(201);
      const me = await fresh.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { cookie: sessionCookie(setup.headers['set-cookie']) },
      });
      expect(me.json()).toMatchObject({ email: 'admin@example.test', isAdmin: true });
    } finally {
      await fresh.close();
    }
  });
});
