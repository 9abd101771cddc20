// Nobody may freeze the server: a catastrophic mailroom pattern meeting a hostile email
// during a real sync from Dovecot, and deeply nested JSON sent without signing in. While
// each runs, /healthz is polled and its slowest answer logged (a figure to watch, not an
// assertion: tests never assert on timing); what is asserted is that the work was cut off
// or the request refused.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMITS } from '../../src/api/request-guards.ts';
import { createUser } from '../../src/users/index.ts';
import { createMailUser, deliver, mailServers, waitFor } from '../support/index.ts';
import { connectTestMailbox, rawMessage, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

interface Poller {
  stop(): Promise<{ answers: number; slowestMs: number; failures: number }>;
}

/** Asks /healthz again and again until stopped, timing each answer. */
function pollHealth(url: string): Poller {
  let running = true;
  let answers = 0;
  let failures = 0;
  let slowestMs = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${url}/healthz`).catch(() => null);
      slowestMs = Math.max(slowestMs, performance.now() - started);
      if (response?.ok) answers += 1;
      else failures += 1;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { answers, slowestMs: Math.round(slowestMs), failures };
    },
  };
}

/**
 * POSTs `size` bytes of `[[[…` to /auth/login over a raw socket, as fast as the
 * server takes them, and returns the status it answers (the client stays cheap,
 * so the figure measures the server).
 */
function sendNested(url: string, size: number): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const chunk = Buffer.alloc(64 * 1024, '[');
    let answer = '';
    let sent = 0;
    const pump = () => {
      while (sent < size && !answer) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      socket.write(
        `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`,
      );
      pump();
    });
    socket.on('data', (data) => {
      answer += data.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on('error', (error) => (answer ? undefined : reject(error)));
  });
}

describe('availability under hostile input', () => {
  let api: SyncTestApi;
  let url: string;
  beforeAll(async () => {
    api = await startSyncApi('sqlite');
    url = await api.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => api?.close());

  it('stops catastrophic mailroom patterns on a synced email; /healthz keeps answering', async () => {
    const mailUser = await createMailUser(mailServers(), 'redos');
    const { owner, mailbox } = await connectTestMailbox(api, mailServers(), mailUser, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    const rules = [
      { name: 'Nested alternation', conditions: [{ field: 'subject', op: 'matches', value: '(.|a)*!' }] },
      { name: 'Three stars', conditions: [{ field: 'body', op: 'matches', value: '.*.*=.*' }] },
    ];
    for (const rule of rules) {
      const created = await api.app.inject({
        method: 'POST',
        url: '/api/v1/mailroom/rules',
        headers: owner.auth,
        payload: { ...rule, actions: [{ type: 'mark_private' }] },
      });
      expect(created.statusCode, created.body).toBe(201);
    }

    const poller = pollHealth(url);
    await deliver(
      mailServers(),
      mailUser.username,
      rawMessage('a'.repeat(27), { from: 'attacker@example.test', to: mailUser.address, body: 'x'.repeat(20_000) }),
    );
    const stored = await waitFor(
      async () => {
        const list = await api.app.inject({ url: `/api/v1/messages?mailboxId=${mailbox.id}`, headers: owner.auth });
        return list.json<{ items: { id: string }[] }>().items[0];
      },
      { what: 'the hostile email to be synced', timeoutMs: 60_000 },
    );
    const health = await poller.stop();
    console.log(`/healthz while two catastrophic patterns ran on a synced email: ${JSON.stringify(health)}`);

    const detail = await api.app.inject({ url: `/api/v1/messages/${stored.id}`, headers: owner.auth });
    const log = detail.json<{ private: boolean; mailroom: { ruleName: string; results: { error?: string }[] }[] }>();
    expect(log.private).toBe(false);
    for (const { name } of rules) {
      const run = log.mailroom.find((r) => r.ruleName === name);
      expect(run?.results[0]?.error, name).toMatch(/ran over \d+ ms on this email and was stopped/);
    }
    expect(health.answers).toBeGreaterThan(0);
    expect(health.failures).toBe(0);
  }, 120_000);

  it('refuses nested JSON before parsing it, signed in or not; /healthz keeps answering', async () => {
    await createUser(api.context.store.db, { email: 'ann@example.test', password: 'a long enough password' });
    const login = (body: string) =>
      fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const deep = '['.repeat(BODY_LIMITS.public / 2 - 10) + ']'.repeat(BODY_LIMITS.public / 2 - 10);
    const poller = pollHealth(url);
    const answers = await Promise.all(Array.from({ length: 6 }, () => sendNested(url, 48 * 1024 * 1024)));
    const nested = await login(deep);
    const health = await poller.stop();
    console.log(`/healthz while six 48 MB nested bodies were sent to /auth/login: ${JSON.stringify(health)}`);

    // A body over the limit is refused from its Content-Length, before it is read.
    expect(answers).toEqual(Array.from({ length: 6 }, () => 413));
    expect(nested.status).toBe(400);
    expect(await nested.json()).toMatchObject({ error: { code: 'json_too_deep' } });
    expect(health.failures).toBe(0);
  }, 120_000);
});
