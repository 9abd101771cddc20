import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverProvider } from '../../src/mail/providers/index.ts';
import type { DiscoveryOptions } from '../../src/mail/providers/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import { testOutbound } from '../support/stores.ts';
import { OutboundPolicy } from '../../src/outbound/index.ts';
import type { TestApi } from '../support/api.ts';
import { startDns } from '../support/dns.ts';
import type { TestDns } from '../support/dns.ts';

const acmeConfig = `<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="acme.test">
    <domain>acme.test</domain>
    <displayName>Acme Mail</displayName>
    <incomingServer type="pop3"><hostname>pop.acme.test</hostname><port>995</port><socketType>SSL</socketType></incomingServer>
    <incomingServer type="imap">
      <hostname>imap.acme.test</hostname><port>993</port><socketType>SSL</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILLOCALPART%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.acme.test</hostname><port>587</port><socketType>STARTTLS</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
    </outgoingServer>
    <documentation url="https://help.acme.test/mail"><descr>Set up</descr></documentation>
  </emailProvider>
</clientConfig>`;

const wellKnownConfig = acmeConfig.replaceAll('acme.test', 'wellknown.test').replace('Acme Mail', 'Well Known');

/** One HTTP server for every test domain, answering by Host like name-based virtual hosts. */
function startAutoconfigServer(): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const host = (request.headers.host ?? '').split(':')[0];
    const path = (request.url ?? '').split('?')[0];
    const send = (status: number, body: string) => response.writeHead(status, { 'content-type': 'text/xml' }).end(body);
    if (host === 'autoconfig.acme.test' && path === '/mail/config-v1.1.xml') return send(200, acmeConfig);
    if (host === 'wellknown.test' && path === '/.well-known/autoconfig/mail/config-v1.1.xml')
      return send(200, wellKnownConfig);
    if (host === 'autoconfig.broken.test')
      return send(
        200,
        '<clientConfig><emailProvider><incomingServer type="imap"><hostname>x</hostname></emailProvider>',
      );
    return send(404, 'not here');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('provider discovery', () => {
  let dns: TestDns;
  let web: http.Server;
  let options: DiscoveryOptions;

  beforeAll(async () => {
    web = await startAutoconfigServer();
    dns = await startDns(['test'], {
      a: {
        'autoconfig.acme.test': '127.0.0.1',
        'wellknown.test': '127.0.0.1',
        'autoconfig.broken.test': '127.0.0.1',
        // TEST-NET-1: nothing answers there, so the fetch can only time out.
        'autoconfig.unreachable.test': '192.0.2.1',
      },
      srv: [
        { name: '_imaps._tcp.srv.test', target: 'mail.srv.test', port: 993 },
        { name: '_imap._tcp.srv.test', target: 'mail.srv.test', port: 143 },
        { name: '_submission._tcp.srv.test', target: 'smtp.srv.test', port: 587 },
        { name: '_imap._tcp.unreachable.test', target: 'imap.unreachable.test', port: 143 },
        { name: '_imaps._tcp.off.test', target: '.', port: 0 },
      ],
      mx: {
        'hosted.test': ['aspmx.l.google.com', 'alt1.aspmx.l.google.com'],
        'office.test': ['office-test.mail.protection.outlook.com'],
        'self.test': ['mx.self.test'],
      },
    });
    options = {
      dnsServers: [dns.server],
      autoconfigHttpPort: (web.address() as AddressInfo).port,
      timeoutMs: 1500,
      outbound: testOutbound,
    };
  });
  afterAll(async () => {
    await dns?.stop();
    web?.close();
  });

  it('knows the big providers without the network', async () => {
    const gmail = await discoverProvider('Ann@Gmail.com', { dnsServers: ['127.0.0.1:1'] });
    expect(gmail).toMatchObject({
      address: 'ann@gmail.com',
      source: 'preset',
      provider: { id: 'google', auth: 'oauth2' },
      imap: { host: 'imap.gmail.com', port: 993, security: 'tls', username: 'ann@gmail.com' },
      smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
    });
    expect((await discoverProvider('a@outlook.com')).provider).toMatchObject({ id: 'microsoft', auth: 'oauth2' });
    const yahoo = await discoverProvider('a@yahoo.com');
    expect(yahoo.provider).toMatchObject({
      id: 'yahoo',
      auth: 'app-password',
      helpUrl: expect.stringMatching(/^https:\/\/help\.yahoo\.com\//),
    });
    expect((await discoverProvider('a@icloud.com')).provider).toMatchObject({ id: 'icloud', auth: 'app-password' });
  });

  it('reads the autoconfig document at autoconfig.<domain>', async () => {
    const found = await discoverProvider('bob@acme.test', options);
    expect(found).toMatchObject({
      source: 'autoconfig',
      provider: { name: 'Acme Mail', auth: 'password', helpUrl: 'https://help.acme.test/mail' },
      imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: 'bob' },
      smtp: { host: 'smtp.acme.test', port: 587, security: 'starttls', username: 'bob@acme.test' },
    });
  });

  it('reads the autoconfig document at <domain>/.well-known/', async () => {
    const found = await discoverProvider('bob@wellknown.test', options);
    expect(found).toMatchObject({
      source: 'autoconfig',
      provider: { name: 'Well Known' },
      imap: { host: 'imap.wellknown.test' },
    });
  });

  it('falls back to SRV records, preferring implicit TLS', async () => {
    const found = await discoverProvider('bob@srv.test', options);
    expect(found).toMatchObject({
      source: 'srv',
      provider: null,
      imap: { host: 'mail.srv.test', port: 993, security: 'tls', username: 'bob@srv.test' },
      smtp: { host: 'smtp.srv.test', port: 587, security: 'starttls' },
    });
  });

  it('recognizes domains hosted by Google or Microsoft from their MX records', async () => {
    expect(await discoverProvider('bob@hosted.test', options)).toMatchObject({
      source: 'mx',
      provider: { id: 'google', auth: 'oauth2' },
      imap: { host: 'imap.gmail.com' },
    });
    expect(await discoverProvider('bob@office.test', options)).toMatchObject({
      source: 'mx',
      provider: { id: 'microsoft' },
      smtp: { host: 'smtp.office365.com' },
    });
  });

  it('says what it tried when nothing is found: broken XML, unknown MX, unknown domain, a "." SRV target', async () => {
    const broken = await discoverProvider('bob@broken.test', options);
    expect(broken).toMatchObject({ source: 'none', provider: null, imap: null, smtp: null });
    expect(broken.steps.find((s) => s.source === 'autoconfig')?.outcome).toMatch(/not valid XML/);
    const self = await discoverProvider('bob@self.test', options);
    expect(self.source).toBe('none');
    expect(self.steps.find((s) => s.source === 'mx')?.outcome).toMatch(/mx\.self\.test, not a known provider/);
    const unknown = await discoverProvider('bob@nowhere.test', options);
    expect(unknown.source).toBe('none');
    expect(unknown.steps.find((s) => s.source === 'mx')?.outcome).toMatch(/no MX records/);
    expect((await discoverProvider('bob@off.test', options)).source).toBe('none');
  });

  it('fetches no autoconfig document from a loopback or private address unless it is allowed', async () => {
    const found = await discoverProvider('bob@acme.test', { ...options, outbound: new OutboundPolicy() });
    expect(found.source).not.toBe('autoconfig');
    expect(found.steps[0]?.outcome).toMatch(/not allowed \(a loopback, private or link-local address\)/);
  });

  it('gives up on an autoconfig host that never answers and uses what else it found', async () => {
    const found = await discoverProvider('bob@unreachable.test', options);
    expect(found).toMatchObject({
      source: 'srv',
      imap: { host: 'imap.unreachable.test', port: 143, security: 'starttls' },
    });
    expect(found.steps[0]?.outcome).toMatch(/no answer in time|unreachable|timed? ?out/i);
  });

  describe('GET /api/v1/providers/discover', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi('sqlite');
      api.context.config.discoveryDnsServers = options.dnsServers;
      api.context.config.autoconfigHttpPort = options.autoconfigHttpPort;
    });
    afterAll(() => api.close());

    it('answers a signed-in user with the settings and their source', async () => {
      const { auth } = await signedInUser(api);
      const response = await api.app.inject({
        method: 'GET',
        url: '/api/v1/providers/discover?address=bob%40acme.test',
        headers: auth,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        address: 'bob@acme.test',
        source: 'autoconfig',
        imap: { host: 'imap.acme.test' },
        provider: { signInReady: false },
      });
      const gmail = await api.app.inject({
        method: 'GET',
        url: '/api/v1/providers/discover?address=bob%40gmail.com',
        headers: auth,
      });
      expect(gmail.json()).toMatchObject({
        source: 'preset',
        provider: { id: 'google', auth: 'oauth2', signInReady: false },
      });
      const admin = await signedInUser(api, { admin: true });
      const saved = await api.app.inject({
        method: 'PUT',
        url: '/api/v1/admin/oauth-providers/google',
        headers: admin.auth,
        payload: { clientId: 'id.apps.googleusercontent.com', clientSecret: 'secret' },
      });
      expect(saved.json()).toMatchObject({
        id: 'google',
        name: 'Gmail / Google Workspace',
        scopes: ['https://mail.google.com/', 'openid', 'email'],
        imap: { host: 'imap.gmail.com' },
      });
      const ready = await api.app.inject({
        method: 'GET',
        url: '/api/v1/providers/discover?address=bob%40gmail.com',
        headers: auth,
      });
      expect(ready.json()).toMatchObject({ provider: { id: 'google', signInReady: true } });

      // The sign-in goes to Google's own endpoint (nothing is fetched to build it), with PKCE and offline access.
      const start = await api.app.inject({
        method: 'GET',
        url: '/api/v1/oauth/google/start?address=bob%40gmail.com',
        headers: { ...auth, accept: 'application/json' },
      });
      const url = new URL(start.json<{ authorizationUrl: string }>().authorizationUrl);
      expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        client_id: 'id.apps.googleusercontent.com',
        response_type: 'code',
        scope: 'https://mail.google.com/ openid email',
        code_challenge_method: 'S256',
        access_type: 'offline',
        login_hint: 'bob@gmail.com',
        redirect_uri: 'http://localhost:80/api/v1/oauth/callback',
      });
      expect(String(start.headers['set-cookie'])).toMatch(
        /^tandem_oauth=[\w-]{43}; Path=\/api\/v1\/oauth; HttpOnly; SameSite=Lax/,
      );
    });

    it('refuses a missing token and a malformed address', async () => {
      expect(
        (await api.app.inject({ method: 'GET', url: '/api/v1/providers/discover?address=bob%40acme.test' })).statusCode,
      ).toBe(401);
      const { auth } = await signedInUser(api);
      const bad = await api.app.inject({
        method: 'GET',
        url: '/api/v1/providers/discover?address=not-an-address',
        headers: auth,
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
    });
  });
});
