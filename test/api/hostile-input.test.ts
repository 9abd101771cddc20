import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMITS, MAX_JSON_DEPTH } from '../../src/api/request-guards.ts';
import { createUser } from '../../src/users/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';

const json = { 'content-type': 'application/json' };
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe.each(await storeDialects())('hostile request bodies on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    await createUser(api.context.store.db, { email: 'ann@example.test', password: 'right-password' });
  });
  afterAll(() => api.close());

  it('refuses a sign-in body over its small limit with 413, before reading it as JSON', async () => {
    const payload = nested(BODY_LIMITS.public);
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: json, payload });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('refuses deeply nested JSON with 400 json_too_deep, signed in or not', async () => {
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: json,
      payload: nested(5000),
    });
    expect(login.statusCode).toBe(400);
    expect(login.json()).toMatchObject({ error: { code: 'json_too_deep' } });

    const { auth } = await signedInUser(api);
    const deep = `{"name": ${nested(MAX_JSON_DEPTH + 1)}}`;
    const me = await api.app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: { ...auth, ...json },
      payload: deep,
    });
    expect(me.json()).toMatchObject({ error: { code: 'json_too_deep' } });
  });

  it('counts no brackets inside strings, and accepts bodies within the limits', async () => {
    const password = '['.repeat(200);
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: json,
      payload: JSON.stringify({ email: 'ann@example.test', password }),
    });
    expect(login.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
    const right = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ann@example.test', password: 'right-password' },
    });
    expect(right.statusCode).toBe(200);
  });

  it('gives signed-in routes 1 MB and sends their attachments more', async () => {
    const { auth } = await signedInUser(api);
    const big = JSON.stringify({ signature: 'x'.repeat(BODY_LIMITS.default) });
    const me = await api.app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: { ...auth, ...json },
      payload: big,
    });
    expect(me.statusCode).toBe(413);
    // Over 1 MB is read for a send (it then fails validation: no such mailbox field), not refused for its size.
    const send = await api.app.inject({
      method: 'POST',
      url: '/api/v1/messages/send',
      headers: { ...auth, ...json },
      payload: big,
    });
    expect(send.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});

describe.each(await storeDialects())('NUL characters on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(() => api.close());

  it('refuses a NUL in a query, a path or a JSON body with 400, never a 500', async () => {
    const { auth } = await signedInUser(api);
    const urls = [
      '/api/v1/messages?q=zan%00zibar',
      '/api/v1/messages?folder=IN%00BOX',
      '/api/v1/messages?mailboxId=a%00b',
      '/api/v1/messages/1%00',
      '/api/v1/contacts/x%00y',
      '/api/v1/contacts?q=%00',
      '/api/v1/mailboxes/x%00y',
    ];
    for (const url of urls) {
      const response = await api.app.inject({ method: 'GET', url, headers: auth });
      expect([url, response.statusCode, response.json<{ error?: { code: string } }>().error?.code]).toEqual([
        url,
        400,
        'bad_request',
      ]);
    }
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: { ...auth, ...json },
      payload: '{"firstName": "Ann\\u0000"}',
    });
    expect([created.statusCode, created.json<{ error?: { code: string } }>().error?.code]).toEqual([
      400,
      'bad_request',
    ]);
    // An escaped backslash before "u0000" is text, not a NUL.
    const text = await api.app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: { ...auth, ...json },
      payload: '{"firstName": "Ann\\\\u0000"}',
    });
    expect(text.statusCode).toBe(201);
  });
});
