// Server-side request forgery: Tandem opens connections for users (test-connection, a new
// mailbox, the admin's outgoing server, provider discovery's autoconfig fetch). None may
// reach this machine, a private or link-local network or a cloud metadata service unless
// an administrator allows it (allowedMailHosts), and none may echo what a remote port says.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOUND_REQUESTS_PER_MINUTE } from '../../src/api/outbound-limit.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { startDns } from '../support/dns.ts';
import type { TestDns } from '../support/dns.ts';

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

/** Loopback, private, shared, link-local and metadata addresses, in their IPv4, IPv6 and mapped forms. */
const TARGETS = [
  '127.0.0.1',
  '127.1.2.3',
  'localhost',
  '0.0.0.0',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.1.1',
  '100.64.0.1',
  '169.254.169.254',
  '::1',
  '::',
  '::ffff:127.0.0.1',
  '::ffff:169.254.169.254',
  'fe80::1',
  'fd00:ec2::254',
  'fc00::1',
];

describe('outbound connections without an allowance', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite', { allowedMailHosts: '' });
  });
  afterAll(() => api.close());

  it.each(TARGETS)('refuses a connection test to %s with host_not_allowed', async (host) => {
    const { auth } = await signedInUser(api);
    const response = await testConnection(api, auth, host, 143);
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      imap: { ok: boolean; error: { code: string } };
      smtp: { ok: boolean; error: { code: string } };
    }>();
    expect(body.imap).toMatchObject({ ok: false, error: { code: 'host_not_allowed' } });
    expect(body.smtp).toMatchObject({ ok: false, error: { code: 'host_not_allowed' } });
  });

  it.each(['127.0.0.1', '169.254.169.254', '::1', '::ffff:10.0.0.1', 'fe80::1'])(
    'refuses to connect a mailbox to %s',
    async (host) => {
      const { auth } = await signedInUser(api);
      const response = await api.app.inject({
        method: 'POST',
        url: '/api/v1/mailboxes',
        headers: auth,
        payload: { address: 'me@example.test', imap: server(host, 143), smtp: server(host, 25), syncPeriod: 'now' },
      });
      expect([response.statusCode, response.json<{ error: { code: string } }>().error.code]).toEqual([
        422,
        'host_not_allowed',
      ]);
    },
  );

  it('refuses to connect a mailbox or set an outgoing server on this machine or a metadata address', async () => {
    // An administrator setting up a group mailbox: no role is let through to internal hosts.
    const admin = await signedInUser(api, { admin: true });
    const mailbox = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: admin.auth,
      payload: {
        address: 'me@example.test',
        imap: server('169.254.169.254', 143),
        smtp: server('127.0.0.1', 25),
        syncPeriod: 'now',
        kind: 'group',
        group: { name: 'Team', members: [] },
      },
    });
    expect(mailbox.statusCode).toBe(422);
    expect(mailbox.json()).toMatchObject({ error: { code: 'host_not_allowed' } });
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

describe('autoconfig (provider discovery) without an allowance', () => {
  const internal: Record<string, string> = {
    'loopback.test': '127.0.0.1',
    'private.test': '10.1.2.3',
    'home.test': '192.168.0.10',
    'metadata.test': '169.254.169.254',
    'shared.test': '100.64.0.1',
  };
  let dns: TestDns;
  let web: http.Server;
  let hits = 0;
  let api: TestApi;
  beforeAll(async () => {
    web = http.createServer((_request, response) => {
      hits += 1;
      response.writeHead(200, { 'content-type': 'text/xml' }).end('<clientConfig/>');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    dns = await startDns(['test'], {
      a: Object.fromEntries(Object.entries(internal).map(([domain, address]) => [`autoconfig.${domain}`, address])),
    });
    api = await startTestApi('sqlite', { allowedMailHosts: '' });
    api.context.config.discoveryDnsServers = [dns.server];
    api.context.config.autoconfigHttpPort = (web.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await api?.close();
    await dns?.stop();
    web?.close();
  });

  it.each(Object.keys(internal))('fetches nothing from autoconfig.%s and says why', async (domain) => {
    const { auth } = await signedInUser(api);
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/v1/providers/discover?address=bob%40${domain}`,
      headers: auth,
    });
    expect(response.statusCode).toBe(200);
    const found = response.json<{ source: string; steps: { source: string; outcome: string }[] }>();
    expect(found.source).not.toBe('autoconfig');
    expect(found.steps.find((s) => s.source === 'autoconfig')?.outcome).toMatch(/not allowed/);
    expect(hits).toBe(0);
  });
});
