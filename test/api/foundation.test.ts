import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ATTEMPTS_PER_MINUTE } from '../../src/api/routes/auth.ts';
import { createUser } from '../../src/users/index.ts';
import { startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';

describe.each(await storeDialects())('API foundation on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    await createUser(api.context.store.db, { email: 'ann@example.test', password: 'right-password' });
  });
  afterAll(() => api.close());

  it('answers health without auth', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: dialect, storage: 'ok' });
  });

  it('logs in and the token authorizes requests', async () => {
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ANN@example.test', password: 'right-password' },
    });
    expect(login.statusCode).toBe(200);
    const { token } = login.json<{ token: string }>();
    const me = await api.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.json()).toMatchObject({ email: 'ann@example.test', isAdmin: false });
    const logout = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(logout.statusCode).toBe(204);
    const after = await api.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.statusCode).toBe(401);
  });

  it('refuses a wrong password with invalid_credentials', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ann@example.test', password: 'wrong-password' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
  });

  it('answers bad JSON with invalid_json', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('answers a payload of the wrong shape with validation_failed naming the field', async () => {
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 42 } });
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toMatch(/email/);
  });

  it('answers an unknown route with route_not_found', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/api/v1/nowhere?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'route_not_found', message: 'No route GET /api/v1/nowhere' } });
  });

  it('refuses missing and unknown tokens with unauthorized', async () => {
    const missing = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const unknown = await api.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: 'Bearer tdt_nope' },
    });
    expect(unknown.statusCode).toBe(401);
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    }>();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.paths['/api/v1/auth/login']?.post?.requestBody).toBeDefined();
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/healthz', '/api/v1/setup']));
  });

  it('rate-limits login attempts per client address', async () => {
    // A different account each time: the per-account lockout (test/api/login-limits.test.ts) stays out of the way.
    const attempt = (i: number) =>
      api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '10.9.9.9',
        payload: { email: `guess${i}@example.test`, password: 'guess' },
      });
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_MINUTE; i += 1) expect((await attempt(i)).statusCode).toBe(401);
    const blocked = await attempt(LOGIN_ATTEMPTS_PER_MINUTE);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ error: { code: 'rate_limited' } });
  });
});

describe('first-run setup', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite', { setupCode: 'ABCD-EFGH-JKLM' });
  });
  afterAll(() => api.close());

  it('creates the first admin only with the setup code, once', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toMatchObject({ needed: true });
    const body = { email: 'root@example.test', password: 'admin-password', name: 'Root' };
    const wrong = await api.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...body, setupCode: 'WRONG' },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ error: { code: 'invalid_setup_code' } });

    const right = await api.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...body, setupCode: 'ABCD-EFGH-JKLM' },
    });
    expect(right.statusCode).toBe(201);
    const { token, user } = right.json<{ token: string; user: { isAdmin: boolean } }>();
    expect(user.isAdmin).toBe(true);
    const me = await api.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.json()).toMatchObject({ email: 'root@example.test' });

    const again = await api.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...body, email: 'other@example.test', setupCode: 'ABCD-EFGH-JKLM' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'setup_done' } });
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toMatchObject({ needed: false });
  });
});
