import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ATTEMPTS_PER_MINUTE } from '../../src/api/routes/auth.ts';
import { createUser, FREE_LOGIN_FAILURES } from '../../src/users/index.ts';
import { startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';

function login(api: TestApi, email: string, password: string, headers: Record<string, string> = {}) {
  return api.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers, payload: { email, password } });
}

describe.each(await storeDialects())('sign-in limits behind a TLS proxy on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect, { trustProxy: '127.0.0.1' });
    await createUser(api.context.store.db, { email: 'ann@example.test', password: 'ann-password' });
    await createUser(api.context.store.db, { email: 'bob@example.test', password: 'bob-password' });
  });
  afterAll(() => api.close());

  it('limits each client address behind the proxy on its own', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_MINUTE; i += 1)
      expect((await login(api, `nobody${i}@example.test`, 'guess', from('198.51.100.1'))).statusCode).toBe(401);
    const limited = await login(api, 'nobody-else@example.test', 'guess', from('198.51.100.1'));
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await login(api, 'nobody-else@example.test', 'guess', from('198.51.100.2'))).statusCode).toBe(401);
  });

  it('locks an account after ten failures from any addresses, with a retry-after, and no other account', async () => {
    for (let i = 0; i < FREE_LOGIN_FAILURES - 1; i += 1) {
      expect(
        (await login(api, 'ann@example.test', 'guess', { 'x-forwarded-for': `203.0.113.${i + 1}` })).statusCode,
      ).toBe(401);
    }
    const tenth = await login(api, 'ANN@example.test', 'guess', { 'x-forwarded-for': '203.0.113.50' });
    expect(tenth.statusCode).toBe(429);
    expect(tenth.json()).toMatchObject({ error: { code: 'account_locked', details: { retryAfter: 60 } } });
    expect(tenth.headers['retry-after']).toBe('60');

    // Locked: even the right password waits.
    const right = await login(api, 'ann@example.test', 'ann-password', { 'x-forwarded-for': '203.0.113.51' });
    expect(right.statusCode).toBe(429);
    expect(right.json()).toMatchObject({
      error: { code: 'account_locked', message: expect.stringMatching(/try again in \d+ s/) },
    });
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);

    expect(
      (await login(api, 'bob@example.test', 'bob-password', { 'x-forwarded-for': '203.0.113.52' })).statusCode,
    ).toBe(200);
  });

  it('doubles the lock for each further failure once it has passed, and a success clears the count', async () => {
    const db = api.context.store.db;
    await createUser(db, { email: 'cy@example.test', password: 'cy-password' });
    for (let i = 0; i < FREE_LOGIN_FAILURES; i += 1)
      await login(api, 'cy@example.test', 'guess', { 'x-forwarded-for': `192.0.2.${i + 1}` });
    await db
      .updateTable('login_throttle')
      .set({ locked_until: Date.now() - 1 })
      .execute(); // the first lock ran out
    const again = await login(api, 'cy@example.test', 'guess', { 'x-forwarded-for': '192.0.2.100' });
    expect(again.json()).toMatchObject({ error: { code: 'account_locked', details: { retryAfter: 120 } } });
    await db
      .updateTable('login_throttle')
      .set({ locked_until: Date.now() - 1 })
      .execute();
    expect((await login(api, 'cy@example.test', 'cy-password', { 'x-forwarded-for': '192.0.2.101' })).statusCode).toBe(
      200,
    );
    expect((await login(api, 'cy@example.test', 'guess', { 'x-forwarded-for': '192.0.2.102' })).statusCode).toBe(401);
  });
});

describe('the session cookie behind a TLS proxy', () => {
  it('is Secure when the public URL is https, also when the proxy talks plain HTTP to Tandem', async () => {
    const api = await startTestApi('sqlite', { publicUrl: 'https://tandem.example.test' });
    try {
      await createUser(api.context.store.db, { email: 'dee@example.test', password: 'dee-password' });
      const response = await login(api, 'dee@example.test', 'dee-password');
      expect(response.statusCode).toBe(200);
      expect(String(response.headers['set-cookie'])).toMatch(/^tandem_session=.*; Secure/);
    } finally {
      await api.close();
    }
  });

  it('is Secure when a trusted proxy says the request came over https, and only then', async () => {
    const api = await startTestApi('sqlite', { trustProxy: 'true' });
    try {
      await createUser(api.context.store.db, { email: 'eve@example.test', password: 'eve-password' });
      const https = await login(api, 'eve@example.test', 'eve-password', { 'x-forwarded-proto': 'https' });
      expect(String(https.headers['set-cookie'])).toMatch(/; Secure/);
      const plain = await login(api, 'eve@example.test', 'eve-password');
      expect(String(plain.headers['set-cookie'])).not.toMatch(/; Secure/);
    } finally {
      await api.close();
    }
  });
});
