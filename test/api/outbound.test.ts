import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOUND_REQUESTS_PER_MINUTE } from '../../src/api/outbound-limit.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';

const server = (host: string, port: number, security = 'starttls') => ({
  host,
  port,
  security,
  username: 'someone',
  password: 'secret',
});

function testConnection(
  api: TestApi,
  auth: { authorization: string },
  host: string,
  port: number,
  security = 'starttls',
) {
  return api.app.inject({
    method: 'POST',
    url: '/api/v1/mailboxes/test-connection',
    headers: auth,
    payload: { imap: server(host, port, security), smtp: server(host, port, security) },
  });
}

/** Whether something listens on 127.0.0.1:port (NATS, Redis, PostgreSQL, MariaDB on the project's machines). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('outbound connections without an allowance', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite', { allowedMailHosts: '' });
  });
  afterAll(() => api.close());

  it.each(['127.0.0.1', 'localhost', '10.0.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00:ec2::254'])(
    'refuses a connection test to %s with host_not_allowed',
    async (host) => {
      const { auth } = await signedInUser(api);
      const response = await testConnection(api, auth, host, 143);
      expect(response.statusCode).toBe(200);
      const body = response.json<{
        imap: { ok: boolean; error: { code: string } };
        smtp: { ok: boolean; error: { code: string } };
      }>();
      expect(body.imap).toMatchObject({ ok: false, error: { code: 'host_not_allowed' } });
      expect(body.smtp).toMatchObject({ ok: false, error: { code: 'host_not_allowed' } });
    },
  );

  it('refuses to connect a mailbox or set an outgoing server on this machine or a metadata address', async () => {
    const { auth } = await signedInUser(api);
    const mailbox = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: auth,
      payload: {
        address: 'me@example.test',
        imap: server('169.254.169.254', 143),
        smtp: server('127.0.0.1', 25),
        syncPeriod: 'now',
        kind: 'group',
      },
    });
    expect(mailbox.statusCode).toBe(422);
    expect(mailbox.json()).toMatchObject({ error: { code: 'host_not_allowed' } });
    const admin = await signedInUser(api, { admin: true });
    const outgoing = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/admin/outgoing-server',
      headers: admin.auth,
      payload: server('127.0.0.1', 25),
    });
    expect(outgoing.statusCode).toBe(422);
    expect(outgoing.json()).toMatchObject({ error: { code: 'host_not_allowed' } });
  });

  it(`limits each user to ${OUTBOUND_REQUESTS_PER_MINUTE} connection attempts a minute`, async () => {
    const { auth } = await signedInUser(api);
    for (let i = 0; i < OUTBOUND_REQUESTS_PER_MINUTE; i++)
      expect((await testConnection(api, auth, '10.0.0.1', 143)).statusCode).toBe(200);
    const limited = await testConnection(api, auth, '10.0.0.1', 143);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    const mailbox = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: auth,
      payload: {
        address: 'me@example.test',
        imap: server('10.0.0.1', 143),
        smtp: server('10.0.0.1', 25),
        syncPeriod: 'now',
      },
    });
    expect(mailbox.statusCode).toBe(422);
    const other = await signedInUser(api);
    expect((await testConnection(api, other.auth, '10.0.0.1', 143)).statusCode).toBe(200);
  });
});

describe('outbound connections allowed to this machine', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite');
  });
  afterAll(() => api.close());

  it('answers a port that is not a mail server exactly like a closed one, repeating none of its bytes', async () => {
    const candidates = [4222, 6379, 5432, 3306];
    const ports = (await Promise.all(candidates.map(async (port) => ((await listening(port)) ? port : null)))).filter(
      (p): p is number => p !== null,
    );
    expect(ports.length).toBeGreaterThan(0); // PostgreSQL at least runs wherever the tests do
    const closed = await closedPort();
    const { auth } = await signedInUser(api);
    const answers = await Promise.all(
      [closed, ...ports].map(async (port) => ({
        port,
        body: (await testConnection(api, auth, '127.0.0.1', port, 'none')).body,
      })),
    );
    const [reference, ...others] = answers.map(({ port, body }) => body.replaceAll(String(port), 'PORT'));
    expect(JSON.parse(reference ?? '')).toMatchObject({
      imap: { ok: false, error: { code: 'connection_failed' } },
      smtp: { ok: false, error: { code: 'connection_failed' } },
    });
    for (const answer of others) expect(answer).toBe(reference);
    for (const { body } of answers)
      expect(body).not.toMatch(/INFO|server_id|nats|redis|postgres|mysql|maria|-ERR|protocol/i);
  }, 90_000);
});
