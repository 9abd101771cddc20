import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/index.ts';
import type { ApiApp } from '../../src/api/index.ts';
import { openTestContext } from '../support/stores.ts';
import type { TestContext } from '../support/stores.ts';

describe('request logs', () => {
  const lines: string[] = [];
  let context: TestContext;
  let app: ApiApp;
  beforeAll(async () => {
    context = await openTestContext('sqlite');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    app = await buildApp({ ...context, logger: pino({ level: 'info' }, sink) });
  });
  afterAll(async () => {
    await app.close();
    await context.dispose();
  });

  it('never hold OAuth codes and states or search terms, at info level', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/oauth/callback?code=SECRET-CODE&state=SECRET-STATE&scope=mail' });
    await app.inject({ method: 'GET', url: '/api/v1/messages?q=zanzibar&folder=INBOX' });
    await app.inject({ method: 'GET', url: '/api/v1/contacts?%71=zanzibar' });
    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).not.toMatch(/SECRET-CODE|SECRET-STATE|zanzibar/);
    expect(log).toContain('/api/v1/oauth/callback?code=[redacted]&state=[redacted]&scope=mail');
    expect(log).toContain('/api/v1/messages?q=[redacted]&folder=INBOX');
  });
});
