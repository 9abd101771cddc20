import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/users/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(await storeDialects())('credential lifecycle on %s', (dialect) => {
  let api: TestApi;
  let counter = 0;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(() => api.close());

  async function freshUser(password = 'first-long-password') {
    counter += 1;
    const email = `cred${counter}@example.test`;
    const user = await createUser(api.context.store.db, { email, password });
    return { user, email, password };
  }
  let logins = 0;
  async function login(email: string, password: string, userAgent = 'test-agent') {
    logins += 1; // each from its own address: the per-address sign-in limit is not what these tests are about
    const remoteAddress = `10.0.${Math.floor(logins / 250)}.${logins % 250}`;
    return api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress,
      headers: { 'user-agent': userAgent },
      payload: { email, password },
    });
  }
  async function session(email: string, password: string, userAgent?: string): Promise<string> {
    const response = await login(email, password, userAgent);
    expect(response.statusCode).toBe(200);
    return response.json<{ token: string }>().token;
  }
  const me = (token: string) => api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });

  it('changes a password only with the current one, refuses a common one, and ends the other sessions', async () => {
    const { email, password } = await freshUser();
    const here = await session(email, password, 'laptop');
    const elsewhere = await session(email, password, 'phone');
    const change = (currentPassword: string, newPassword: string) =>
      api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: bearer(here),
        payload: { currentPassword, newPassword },
      });

    expect((await change('not-it', 'a-new-long-password')).json()).toMatchObject({
      error: { code: 'invalid_credentials' },
    });
    const common = await change(password, 'iloveyou1');
    expect(common.statusCode).toBe(400);
    expect(common.json()).toMatchObject({
      error: { code: 'weak_password', message: expect.stringMatching(/commonly used/) },
    });
    expect((await change(password, 'short')).json()).toMatchObject({ error: { code: 'weak_password' } });
    expect((await change(password, 'a-new-long-password')).statusCode).toBe(204);

    expect((await me(here)).statusCode).toBe(200);
    expect((await me(elsewhere)).statusCode).toBe(401);
    expect((await login(email, password)).statusCode).toBe(401);
    expect((await login(email, 'a-new-long-password')).statusCode).toBe(200);
  });

  it('lists the sessions and ends one, or all but the current one', async () => {
    const { email, password } = await freshUser();
    const laptop = await session(email, password, 'laptop');
    const phone = await session(email, password, 'phone');
    const tablet = await session(email, password, 'tablet');
    const list = await api.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: bearer(laptop) });
    const items = list.json<{ items: { id: string; userAgent: string; current: boolean }[] }>().items;
    expect(items.map((s) => s.userAgent).sort()).toEqual(['laptop', 'phone', 'tablet']);
    expect(items.filter((s) => s.current).map((s) => s.userAgent)).toEqual(['laptop']);

    const phoneId = items.find((s) => s.userAgent === 'phone')?.id ?? '';
    expect(
      (await api.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phoneId}`, headers: bearer(laptop) }))
        .statusCode,
    ).toBe(204);
    expect((await me(phone)).statusCode).toBe(401);
    expect((await me(tablet)).statusCode).toBe(200);

    const other = await signedInUser(api);
    const foreign = await api.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${items.find((s) => s.current)?.id ?? ''}`,
      headers: other.auth,
    });
    expect(foreign.statusCode).toBe(404);

    const others = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sessions/revoke-others',
      headers: bearer(laptop),
    });
    expect(others.json()).toEqual({ revoked: 1 });
    expect((await me(tablet)).statusCode).toBe(401);
    expect((await me(laptop)).statusCode).toBe(200);
  });

  it('makes API tokens that expire, lists them without secrets and revokes them', async () => {
    const { auth } = await signedInUser(api);
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: auth,
      payload: { name: 'backup script', expiresInDays: 30 },
    });
    expect(created.statusCode).toBe(201);
    const token = created.json<{ id: string; token: string; expiresAt: string }>();
    expect(token.token).toMatch(/^tdt_/);
    expect(new Date(token.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
    expect((await me(token.token)).statusCode).toBe(200);

    const list = await api.app.inject({ method: 'GET', url: '/api/v1/auth/tokens', headers: auth });
    expect(list.json()).toMatchObject({
      items: [{ id: token.id, name: 'backup script', lastUsedAt: expect.any(String) }],
    });
    expect(list.body).not.toContain(token.token);

    await api.context.store.db
      .updateTable('api_tokens')
      .set({ expires_at: Date.now() - 1 })
      .where('id', '=', token.id)
      .execute();
    expect((await me(token.token)).statusCode).toBe(401);

    const forever = (
      await api.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: auth, payload: { name: 'cli' } })
    ).json<{ id: string; token: string; expiresAt: null }>();
    expect(forever.expiresAt).toBeNull();
    expect(
      (await api.app.inject({ method: 'DELETE', url: `/api/v1/auth/tokens/${forever.id}`, headers: auth })).statusCode,
    ).toBe(204);
    expect((await me(forever.token)).statusCode).toBe(401);
    expect(
      (await api.app.inject({ method: 'DELETE', url: `/api/v1/auth/tokens/${forever.id}`, headers: auth })).statusCode,
    ).toBe(404);
  });

  it('lets administrators deactivate a user (their sessions and tokens stop at once) and activate them again', async () => {
    const admin = await signedInUser(api, { admin: true });
    const plain = await signedInUser(api);
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/users', headers: plain.auth })).statusCode).toBe(403);

    const { user, email, password } = await freshUser();
    const token = await session(email, password);
    const apiToken = (
      await api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/tokens',
        headers: bearer(token),
        payload: { name: 'x' },
      })
    ).json<{ token: string }>().token;
    const patch = (payload: object, auth = admin.auth, id = user.id) =>
      api.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: auth, payload });

    expect((await patch({ active: false })).json()).toMatchObject({ id: user.id, email, active: false, admin: false });
    expect((await me(token)).statusCode).toBe(401);
    expect((await me(apiToken)).statusCode).toBe(401);
    expect((await login(email, password)).json()).toMatchObject({ error: { code: 'invalid_credentials' } });
    const listed = await api.app.inject({ method: 'GET', url: '/api/v1/users', headers: admin.auth });
    expect(
      listed.json<{ items: { id: string; active: boolean }[] }>().items.find((u) => u.id === user.id),
    ).toMatchObject({ active: false });

    expect((await patch({ active: true })).json()).toMatchObject({ active: true });
    expect((await login(email, password)).statusCode).toBe(200);
    expect((await patch({ active: false }, admin.auth, admin.user.id)).json()).toMatchObject({
      error: { code: 'conflict' },
    });
    expect((await patch({ active: false }, plain.auth)).statusCode).toBe(403);
  });

  it('creates users with a password check, and resets a password with a one-time token', async () => {
    const admin = await signedInUser(api, { admin: true });
    const weak = await api.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.auth,
      payload: { email: 'weak@example.test', password: 'password123' },
    });
    expect(weak.json()).toMatchObject({ error: { code: 'weak_password' } });
    const made = await api.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.auth,
      payload: { email: 'Made@Example.test', password: 'made-long-password', name: 'Made' },
    });
    expect(made.statusCode).toBe(201);
    const { id } = made.json<{ id: string }>();
    expect(made.json()).toMatchObject({ email: 'made@example.test', name: 'Made', admin: false, active: true });

    const old = await session('made@example.test', 'made-long-password');
    const issued = await api.app.inject({
      method: 'POST',
      url: `/api/v1/users/${id}/password-reset`,
      headers: admin.auth,
    });
    expect(issued.statusCode).toBe(201);
    const { token } = issued.json<{ token: string }>();
    const reset = (newPassword: string) =>
      api.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { token, newPassword } });
    expect((await reset('qwertyuiop')).json()).toMatchObject({ error: { code: 'weak_password' } });
    expect((await reset('reset-long-password')).statusCode).toBe(204);
    expect((await me(old)).statusCode).toBe(401);
    expect((await login('made@example.test', 'reset-long-password')).statusCode).toBe(200);
    expect((await reset('another-long-password')).json()).toMatchObject({ error: { code: 'invalid_reset_token' } });
  });

  it('offers active users to signed-in users for @mentions, and mentions only active users', async () => {
    const admin = await signedInUser(api, { admin: true });
    const zed = await createUser(api.context.store.db, {
      email: 'zed.mention@example.test',
      password: 'zed-long-password',
      name: 'Zed Mention',
    });
    const gone = await createUser(api.context.store.db, {
      email: 'zed.gone@example.test',
      password: 'gone-long-password',
      name: 'Zed Gone',
    });
    await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${gone.id}`,
      headers: admin.auth,
      payload: { active: false },
    });
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/users/directory?q=zed' })).statusCode).toBe(401);
    const { auth } = await signedInUser(api);
    const byName = await api.app.inject({ method: 'GET', url: '/api/v1/users/directory?q=Mention', headers: auth });
    expect(byName.json()).toEqual({ items: [{ id: zed.id, name: 'Zed Mention', email: 'zed.mention@example.test' }] });
    const byEmail = await api.app.inject({ method: 'GET', url: '/api/v1/users/directory?q=zed.', headers: auth });
    expect(byEmail.json<{ items: { id: string }[] }>().items.map((u) => u.id)).toEqual([zed.id]);
  });
});
