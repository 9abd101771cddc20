// Every route of the OpenAPI document, called against one user's real objects
// (a mailbox synced from Dovecot, its mail, a send through Postfix, a draft,
// records, a link, a comment, a rule, a token, a session, an OAuth2 sign-in):
// - without a token: 401;
// - as each kind of outsider (OUTSIDERS: another user, a member of another
//   group): never the owner's objects (403/404),
//   never their data in any answer;
// - with the owner's session cookie but no CSRF header, when it changes something: 403.
// The routes come from the document the app publishes, so a new route fails
// this test until it is listed in ROUTES (or in PUBLIC, with the reason).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/api/authenticate.ts';
import type { Dialect } from '../../src/db/index.ts';
import { createSession } from '../../src/users/index.ts';
import { insertGroupMailbox } from '../crm/support.ts';
import { signedInUser } from '../support/api.ts';
import { mailServers } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import { startSyncApi } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';
import { buildOwnerFixture } from './fixture.ts';
import type { OwnerFixture } from './fixture.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const CHANGES = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Answer anyone, signed in or not. */
const PUBLIC: Record<string, string> = {
  'GET /healthz': 'a load balancer’s liveness check; says nothing but "ok"',
  'POST /api/v1/auth/login': 'signing in',
  'GET /api/v1/auth/session': 'tells the web app whether it is signed in (and whether first-run setup is due)',
  'POST /api/v1/auth/password-reset': 'the one-time token an administrator issued is the credential',
  'GET /api/v1/setup': 'whether first-run setup is due',
  'POST /api/v1/setup': 'creates the first administrator, with the setup code printed on the console',
  'GET /api/v1/oauth/callback': 'the provider sends the browser back here; the state and its cookie are the credential',
};

/**
 * How an outsider must be answered:
 * - `owned`: the path names the owner's object → 403 or 404, the object unchanged;
 * - `admin`: administrators only → 403;
 * - `own`: acts on the caller's own things → any answer, but none of the owner's data.
 */
type Expectation = 'owned' | 'admin' | 'own';
interface RouteCase {
  outsider: Expectation;
  query?: (f: OwnerFixture) => string;
  body?: (f: OwnerFixture) => object;
  /** Why the owner's own call is not made to check the fixture (the routes that need an outside service). */
  noOwnerCheck?: string;
  /** Why the outsider call is made elsewhere. */
  outsiderElsewhere?: string;
}

const smtp = { host: '127.0.0.1', port: 1, security: 'none', username: 'x', password: 'wrong-password' };
const recordCases = (path: string, kind: string): Record<string, RouteCase> => ({
  [`GET /${path}`]: { outsider: 'own', query: (f) => `q=${f.mark}` },
  [`POST /${path}`]: {
    outsider: 'own',
    body: () => (kind === 'contact' || kind === 'lead' ? { firstName: 'Outsider' } : { name: 'Outsider' }),
  },
  [`GET /${path}/{id}`]: { outsider: 'owned' },
  [`PATCH /${path}/{id}`]: { outsider: 'owned', body: () => ({ shared: true }) },
  [`DELETE /${path}/{id}`]: { outsider: 'owned' },
  [`GET /${path}/{id}/emails`]: { outsider: 'owned' },
  [`GET /${path}/{id}/engagement`]: { outsider: 'owned' },
});

/** Every route that needs a signed-in user, and how to call it. Paths without the /api/v1 prefix. */
const ROUTES: Record<string, RouteCase> = {
  'GET /auth/me': { outsider: 'own' },
  'PATCH /auth/me': { outsider: 'own', body: () => ({ name: 'Outsider' }) },
  'POST /auth/logout': { outsider: 'own' },
  'POST /auth/password': {
    outsider: 'own',
    body: () => ({ currentPassword: 'not-the-password', newPassword: 'a much longer passphrase 42' }),
  },
  'GET /auth/sessions': { outsider: 'own' },
  'DELETE /auth/sessions/{id}': { outsider: 'owned' },
  'POST /auth/sessions/revoke-others': { outsider: 'own' },
  'GET /auth/tokens': { outsider: 'own' },
  'POST /auth/tokens': { outsider: 'own', body: () => ({ name: 'outsider token' }) },
  'DELETE /auth/tokens/{id}': { outsider: 'owned' },
  'GET /users': { outsider: 'admin' },
  'POST /users': {
    outsider: 'admin',
    body: () => ({ email: 'new-user@example.test', password: 'a much longer passphrase 42' }),
  },
  'GET /users/directory': { outsider: 'own', query: (f) => `q=${f.mark}` },
  'PATCH /users/{id}': { outsider: 'admin', body: () => ({ active: false }) },
  'DELETE /users/{id}': { outsider: 'admin' },
  'POST /users/{id}/password-reset': { outsider: 'admin' },
  'POST /mailboxes': {
    outsider: 'own',
    body: (f) => ({ address: f.address, imap: { ...smtp, port: 2 }, smtp, syncPeriod: 'now' }),
  },
  'GET /mailboxes': { outsider: 'own' },
  'GET /mailboxes/{id}': { outsider: 'owned' },
  'PATCH /mailboxes/{id}': { outsider: 'owned', body: () => ({ markIncomingPrivate: false }) },
  'DELETE /mailboxes/{id}': { outsider: 'owned' },
  'POST /mailboxes/{id}/disconnect': { outsider: 'owned' },
  'POST /mailboxes/{id}/connect': { outsider: 'owned' },
  'GET /mailboxes/{id}/deletion': { outsider: 'owned' },
  'GET /mailboxes/{id}/server-folders': { outsider: 'owned' },
  'POST /mailboxes/{id}/address-verification': { outsider: 'owned' },
  'POST /mailboxes/{id}/address-verification/confirm': { outsider: 'owned', body: () => ({ code: '12345678' }) },
  'POST /mailboxes/test-connection': { outsider: 'own', body: () => ({ imap: smtp, smtp }) },
  'GET /messages': { outsider: 'own', query: (f) => `mailboxId=${f.mailboxId}&q=${f.mark}` },
  'GET /messages/{id}': { outsider: 'owned' },
  'PATCH /messages/{id}': { outsider: 'owned', body: () => ({ seen: false, private: false }) },
  'DELETE /messages/{id}': { outsider: 'owned', query: () => 'permanent=true' },
  'POST /messages/bulk': { outsider: 'owned', body: (f) => ({ ids: [f.messageId], flagged: true }) },
  'GET /messages/{id}/raw': { outsider: 'owned' },
  'GET /messages/{id}/engagement': { outsider: 'owned' },
  'GET /attachments/{id}': { outsider: 'owned' },
  'POST /messages/send': {
    outsider: 'owned',
    body: (f) => ({ mailboxId: f.mailboxId, to: ['someone@example.test'], subject: 'As you', text: 'x' }),
  },
  'GET /sends/{id}': { outsider: 'owned' },
  'POST /drafts': { outsider: 'owned', body: (f) => ({ mailboxId: f.mailboxId, subject: 'As you' }) },
  'GET /drafts/{id}': { outsider: 'owned' },
  'PUT /drafts/{id}': { outsider: 'owned', body: () => ({ subject: 'Overwritten' }) },
  'DELETE /drafts/{id}': { outsider: 'owned' },
  'GET /drafts/{id}/inline/{contentId}': { outsider: 'owned' },
  'POST /drafts/{id}/restore': { outsider: 'owned', noOwnerCheck: 'the draft was not deleted on the server' },
  'POST /drafts/{id}/send': { outsider: 'owned' },
  'POST /drafts/{id}/hold': { outsider: 'owned', body: () => ({ sendAt: Date.now() + 60_000 }) },
  'GET /held-sends': { outsider: 'own' },
  'GET /addresses/suggest': { outsider: 'own', query: (f) => `q=${f.mark}` },
  'GET /held-sends/{id}': { outsider: 'owned' },
  'POST /held-sends/{id}/cancel': { outsider: 'owned' },
  'GET /admin/outgoing-server': { outsider: 'admin' },
  'PUT /admin/outgoing-server': { outsider: 'admin', body: () => smtp },
  'DELETE /admin/outgoing-server': { outsider: 'admin' },
  'GET /tracking-settings': { outsider: 'own' },
  'PUT /tracking-settings': { outsider: 'admin', body: () => ({ trackOneToOne: true, retentionDays: 90 }) },
  ...recordCases('contacts', 'contact'),
  'GET /bounces': { outsider: 'own', query: (f) => `addresses=${encodeURIComponent(`${f.mark}@example.test`)}` },
  ...recordCases('leads', 'lead'),
  ...recordCases('organizations', 'organization'),
  ...recordCases('deals', 'deal'),
  ...recordCases('cases', 'case'),
  ...recordCases('tickets', 'ticket'),
  'POST /messages/{id}/links': {
    outsider: 'owned',
    body: (f) => ({ recordType: 'contact', recordId: f.records.contact }),
  },
  'DELETE /messages/{id}/links/{linkId}': { outsider: 'owned' },
  'GET /messages/{id}/comments': { outsider: 'owned' },
  'POST /messages/{id}/comments': { outsider: 'owned', body: () => ({ body: 'outsider was here' }) },
  'GET /mailroom/rules': { outsider: 'own' },
  'POST /mailroom/rules': {
    outsider: 'owned',
    body: (f) => ({
      name: 'On your mailbox',
      mailboxId: f.mailboxId,
      conditions: [{ field: 'subject', op: 'contains', value: 'x' }],
      actions: [{ type: 'archive' }],
    }),
  },
  'PATCH /mailroom/rules/{id}': { outsider: 'owned', body: () => ({ enabled: false }) },
  'DELETE /mailroom/rules/{id}': { outsider: 'owned' },
  'GET /group-mailboxes': { outsider: 'own' },
  'PUT /mailboxes/{id}/group': { outsider: 'owned', body: () => ({ name: 'Taken over' }) },
  'PUT /mailboxes/{id}/availability': { outsider: 'owned', body: () => ({ available: false }) },
  'POST /mailboxes/{id}/password': { outsider: 'owned', body: () => ({ password: 'wrong-password' }) },
  'GET /mailboxes/{id}/conversations': { outsider: 'owned' },
  'GET /conversations/{id}': { outsider: 'owned' },
  'PATCH /conversations/{id}': { outsider: 'owned', body: () => ({ status: 'closed' }) },
  'POST /conversations/{id}/round-robin': { outsider: 'owned' },
  'POST /conversations/{id}/notes': { outsider: 'owned', body: () => ({ body: 'outsider was here' }) },
  'POST /conversations/{id}/reply': { outsider: 'owned', body: () => ({ text: 'as you', seenUpTo: '0' }) },
  'POST /conversations/{id}/presence': { outsider: 'owned', body: () => ({ state: 'viewing' }) },
  'GET /messages/{id}/conversation': { outsider: 'owned' },
  'GET /sends': { outsider: 'own' },
  'GET /workflows': { outsider: 'own' },
  'POST /workflows': {
    outsider: 'own',
    body: () => ({
      name: 'Outsider',
      trigger: { type: 'manual', recordType: 'contact' },
      actions: [{ type: 'update_fields', fields: { description: 'x' } }],
    }),
  },
  'GET /workflows/merge-tags': { outsider: 'own' },
  'POST /workflows/preview': {
    outsider: 'owned',
    body: (f) => ({ recordId: f.records.contact, subject: '{{contact.firstName}}' }),
  },
  'GET /workflows/{id}': { outsider: 'owned' },
  'PUT /workflows/{id}': {
    outsider: 'owned',
    body: () => ({
      name: 'Overwritten',
      trigger: { type: 'manual', recordType: 'contact' },
      actions: [{ type: 'update_fields', fields: { description: 'x' } }],
    }),
  },
  'DELETE /workflows/{id}': { outsider: 'owned' },
  'GET /workflows/{id}/runs': { outsider: 'owned' },
  'GET /workflows/{id}/runs/{runId}': { outsider: 'owned' },
  'POST /workflows/{id}/run': { outsider: 'owned', body: (f) => ({ recordId: f.records.contact }) },
  'POST /workflows/{id}/runs/{runId}/steps/{index}/rerun': { outsider: 'owned' },
  'GET /notifications': { outsider: 'own' },
  'POST /notifications/read': { outsider: 'own', body: () => ({}) },
  'GET /providers/discover': { outsider: 'own', query: () => 'address=someone@example.invalid' },
  'GET /oauth/providers': { outsider: 'own' },
  'GET /oauth/{providerId}/start': {
    outsider: 'owned',
    query: (f) => `mailboxId=${f.mailboxId}`,
    noOwnerCheck: 'needs a real OAuth2 provider (test/web/oauth-setup.test.ts)',
  },
  'GET /oauth/grants/{id}': { outsider: 'owned' },
  'GET /oauth/grants/{id}/folders': {
    outsider: 'owned',
    noOwnerCheck: 'needs the provider’s IMAP server (test/web/oauth-setup.test.ts)',
  },
  'GET /admin/oauth-providers': { outsider: 'admin' },
  'PUT /admin/oauth-providers/{providerId}': {
    outsider: 'admin',
    body: () => ({ clientId: 'id', clientSecret: 'secret' }),
  },
  'DELETE /admin/oauth-providers/{providerId}': { outsider: 'admin' },
  'GET /events': {
    outsider: 'own',
    outsiderElsewhere: 'a stream: test/web/events.test.ts checks each user gets only their own mailboxes’ events',
  },
};

/** The owner's object each path parameter names, by what precedes it in the path. */
function fillPath(path: string, f: OwnerFixture): string {
  const ids: [string, string][] = [
    ['/auth/sessions/', f.sessionId],
    ['/auth/tokens/', f.tokenId],
    ['/users/', f.userId],
    ['/mailboxes/', f.mailboxId],
    ['/messages/', f.messageId],
    ['/attachments/', f.attachmentId],
    ['/sends/', f.sendId],
    ['/drafts/', f.draftId],
    ['/held-sends/', f.heldSendId],
    ['/contacts/', f.records.contact],
    ['/leads/', f.records.lead],
    ['/organizations/', f.records.organization],
    ['/deals/', f.records.deal],
    ['/cases/', f.records.case],
    ['/tickets/', f.records.ticket],
    ['/mailroom/rules/', f.ruleId],
    ['/oauth/grants/', f.grantId],
    ['/conversations/', f.conversationId],
    ['/workflows/', f.workflowId],
  ];
  return path.replace(/\{(\w+)\}/g, (_, name: string, offset: number) => {
    if (name === 'linkId') return f.linkId;
    if (name === 'contentId') return f.contentId;
    if (name === 'providerId') return 'google';
    if (name === 'runId') return f.runId;
    if (name === 'index') return '0';
    // Conversations live in group mailboxes: the one the owner is a member of.
    if (path.endsWith('/conversations') && name === 'id') return f.groupMailboxId;
    const before = path.slice(0, offset);
    const found = ids.find(([prefix]) => before.endsWith(prefix));
    if (!found) throw new Error(`no fixture for {${name}} in ${path}`);
    return found[1];
  });
}

/** The kinds of principal that must never reach the owner's things. */
const OUTSIDERS: { name: string; create(api: SyncTestApi): Promise<string> }[] = [
  { name: 'another user', create: async (api) => (await signedInUser(api)).user.id },
  {
    name: 'a member of another group',
    create: async (api) => {
      const { user } = await signedInUser(api);
      await insertGroupMailbox(api, user.id, `other-team-${user.id}@example.test`, {
        name: 'Other team',
        members: [{ userId: user.id, canManage: true }],
      });
      return user.id;
    },
  },
];

interface Route {
  method: Method;
  path: string;
}

describe.each(await storeDialects())('the authorization walk on %s', (dialect: Dialect) => {
  let api: SyncTestApi;
  let fixture: OwnerFixture;
  let routes: Route[];

  beforeAll(async () => {
    api = await startSyncApi(dialect);
    fixture = await buildOwnerFixture(api, mailServers(), dialect);
    const document = api.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({ method: method.toUpperCase() as Method, path })),
    );
  }, 120_000);
  afterAll(() => api?.close());

  const key = (r: Route) => `${r.method} ${r.path}`;
  const caseOf = (r: Route) => ROUTES[`${r.method} ${r.path.replace(/^\/api\/v1/, '')}`];
  const request = (r: Route, headers: Record<string, string>) => {
    const spec = caseOf(r);
    const query = spec?.query?.(fixture);
    const body = spec?.body?.(fixture);
    return api.app.inject({
      method: r.method,
      url: fillPath(r.path, fixture) + (query ? `?${query}` : ''),
      headers,
      ...(body ? { payload: body } : {}),
    });
  };

  it('knows every route of the OpenAPI document: walked, or public for a stated reason', () => {
    const unknown = routes.filter((r) => !PUBLIC[key(r)] && !caseOf(r)).map(key);
    expect(unknown, 'routes neither in ROUTES nor in PUBLIC').toEqual([]);
    const gone = Object.keys(ROUTES).filter((k) => !routes.some((r) => caseOf(r) === ROUTES[k]));
    expect(gone, 'cases for routes no longer in the document').toEqual([]);
    expect(routes.length).toBeGreaterThan(100);
  });

  it('answers 401 to every route but the public ones without a token', async () => {
    const answers: string[] = [];
    for (const route of routes.filter((r) => !PUBLIC[key(r)])) {
      const response = await request(route, {});
      if (response.statusCode !== 401) answers.push(`${key(route)}: ${response.statusCode}`);
    }
    expect(answers).toEqual([]);
  });

  it('refuses a session cookie without the CSRF header on every route that changes something', async () => {
    const answers: string[] = [];
    for (const route of routes.filter((r) => CHANGES.has(r.method) && !PUBLIC[key(r)])) {
      const { token } = await createSession(api.context.store.db, fixture.userId);
      const response = await request(route, { cookie: `${SESSION_COOKIE}=${token}` });
      const code = response.json<{ error?: { code: string } }>().error?.code;
      if (response.statusCode !== 403 || code !== 'csrf_failed')
        answers.push(`${key(route)}: ${response.statusCode} ${code}`);
    }
    expect(answers).toEqual([]);
  });

  describe.each(OUTSIDERS)('as $name', (outsider) => {
    it('never reaches the owner’s objects nor sees their data, on every route', async () => {
      const outsiderId = await outsider.create(api);
      // A fresh session for every call: a route may end the caller's sessions (logout, revoke-others).
      const headers = async () => ({
        authorization: `Bearer ${(await createSession(api.context.store.db, outsiderId)).token}`,
      });
      const problems: string[] = [];
      let walked = 0;
      for (const route of routes.filter((r) => !PUBLIC[key(r)])) {
        const spec = caseOf(route);
        if (!spec || spec.outsiderElsewhere) continue;
        const response = await request(route, await headers());
        walked += 1;
        const status = response.statusCode;
        if (spec.outsider === 'owned' && status !== 403 && status !== 404)
          problems.push(`${key(route)}: ${status}, expected 403 or 404`);
        if (spec.outsider === 'admin' && status !== 403) problems.push(`${key(route)}: ${status}, expected 403`);
        if (status >= 500) problems.push(`${key(route)}: ${status}`);
        if (response.body.includes(fixture.mark)) problems.push(`${key(route)}: the answer shows the owner's data`);
      }
      expect(problems).toEqual([]);
      expect(walked).toBeGreaterThan(90);
    }, 300_000);

    it('left every object of the owner as it was (the owner still reaches each)', async () => {
      const problems: string[] = [];
      for (const route of routes.filter((r) => r.method === 'GET' && caseOf(r)?.outsider === 'owned')) {
        if (caseOf(route)?.noOwnerCheck) continue;
        const response = await request(route, fixture.auth);
        if (response.statusCode !== 200) problems.push(`${key(route)}: ${response.statusCode} ${response.body}`);
      }
      expect(problems).toEqual([]);
      const draft = await api.app.inject({ url: `/api/v1/drafts/${fixture.draftId}`, headers: fixture.auth });
      expect(draft.json()).toMatchObject({ fields: { subject: `${fixture.mark} draft` } });
      const message = await api.app.inject({ url: `/api/v1/messages/${fixture.messageId}`, headers: fixture.auth });
      expect(message.json()).toMatchObject({ private: false, links: [{ id: fixture.linkId }] });
      const session = await api.app.inject({
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${fixture.sessionToken}` },
      });
      expect(session.statusCode).toBe(200);
    });
  });
});
