import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ownedGrant, ownedMailbox } from '../../access/index.ts';
import { TandemError } from '../../errors/index.ts';
import { verifyImap } from '../../mail/account/index.ts';
import { oauthMailboxSettings, reauthorizeMailbox } from '../../mail/mailboxes/index.ts';
import {
  deleteOAuthClient,
  finishAuthorization,
  listOAuthClients,
  OAuthFlowError,
  oauthClientInputSchema,
  saveOAuthClient,
  startAuthorization,
  AUTHORIZATION_TTL_MS,
} from '../../mail/oauth/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser, requireAdmin } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';
import { serverFolderSchema } from './test-connection.ts';

/** Binds a sign-in to the browser that started it (SameSite=Lax: sent on the provider's redirect back). */
const COOKIE = 'tandem_oauth';
const CALLBACK_PATH = '/api/v1/oauth/callback';
/** Where the web app continues after the sign-in. */
const SETUP_PATH = '/mailbox/setup';

const server = z.object({ host: z.string(), port: z.number(), security: z.enum(['tls', 'starttls', 'none']) });
const clientSchema = z.object({
  id: z.string(),
  name: z.string(),
  clientId: z.string(),
  issuer: z.string().nullable(),
  scopes: z.array(z.string()),
  imap: server,
  smtp: server,
  domains: z.array(z.string()),
  updatedAt: z.string(),
});
const providerIdParams = z.object({
  providerId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a provider id: lower-case letters, digits, ".", "_" or "-"'),
});

export function oauthRoutes(app: ApiApp): void {
  const { db } = app.tandem.store;
  const { secrets } = app.tandem;

  app.get(
    '/api/v1/oauth/providers',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Providers an administrator set up for OAuth2 sign-in',
        response: { 200: z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) }) },
      },
    },
    async (request) => {
      currentUser(request);
      return { items: (await listOAuthClients(db, secrets)).map(({ id, name }) => ({ id, name })) };
    },
  );

  app.get(
    '/api/v1/oauth/:providerId/start',
    {
      schema: {
        tags: ['oauth'],
        summary:
          'Start signing in with the provider: redirects (302) to its consent page, or answers {authorizationUrl} to `Accept: application/json`. With mailboxId: sign in again for that mailbox',
        params: providerIdParams,
        querystring: z.object({ address: z.email().optional(), mailboxId: z.string().optional() }),
        response: { 200: z.object({ authorizationUrl: z.string() }), 302: z.null(), 404: errorSchema },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const { mailboxId } = request.query;
      let address = request.query.address;
      if (mailboxId) {
        address ??= (await ownedMailbox(db, user.id, mailboxId)).address;
      }
      if (!address)
        throw new TandemError('validation_failed', 'address: the email address to sign in with is required');
      const { url, browserKey } = await startAuthorization(app.tandem, {
        userId: user.id,
        providerId: request.params.providerId,
        address,
        mailboxId,
        redirectUri: `${publicOrigin(app, request)}${CALLBACK_PATH}`,
        browserKey: cookieValue(request, COOKIE),
      });
      const secure = publicOrigin(app, request).startsWith('https:') ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${COOKIE}=${browserKey}; Path=/api/v1/oauth; HttpOnly; SameSite=Lax; Max-Age=${AUTHORIZATION_TTL_MS / 1000}${secure}`,
      );
      if ((request.headers.accept ?? '').includes('application/json')) return { authorizationUrl: url };
      return reply.redirect(url, 302);
    },
  );

  app.get(
    CALLBACK_PATH,
    {
      config: { public: true },
      schema: {
        tags: ['oauth'],
        summary: `Where the provider sends the browser back; redirects to the web app: ${SETUP_PATH}?oauth=<grantId> or ?oauthError=<code>`,
        hide: false,
      },
    },
    async (request, reply) => {
      const query = new URLSearchParams(request.url.split('?')[1] ?? '');
      const target = new URL(SETUP_PATH, publicOrigin(app, request));
      try {
        const done = await finishAuthorization(app.tandem, query, cookieValue(request, COOKIE));
        target.searchParams.set('oauth', done.grantId);
        if (done.mailboxId) {
          await reauthorizeMailbox(app.tandem, app.sync, done.userId, done.mailboxId, done.grantId);
          target.searchParams.set('mailboxId', done.mailboxId);
        }
      } catch (error) {
        const code =
          error instanceof OAuthFlowError ? error.code : error instanceof TandemError ? error.code : 'internal';
        if (!(error instanceof OAuthFlowError)) request.log.warn({ err: error }, 'OAuth sign-in failed');
        target.searchParams.set('oauthError', code);
        target.searchParams.set('message', (error as Error).message.slice(0, 300));
      }
      return reply.redirect(target.pathname + target.search, 302);
    },
  );

  app.get(
    '/api/v1/oauth/grants/:id',
    {
      schema: {
        tags: ['oauth'],
        summary: 'A finished sign-in of yours: which provider and address (the tokens never leave the server)',
        params: z.object({ id: z.string() }),
        response: {
          200: z.object({
            id: z.string(),
            providerId: z.string(),
            address: z.string(),
            state: z.enum(['active', 'revoked']),
            createdAt: z.string(),
          }),
        },
      },
    },
    async (request) => {
      const grant = await ownedGrant(db, currentUser(request).id, request.params.id);
      return {
        id: grant.id,
        providerId: grant.provider_id,
        address: grant.address,
        state: grant.state,
        createdAt: new Date(grant.created_at).toISOString(),
      };
    },
  );

  app.get(
    '/api/v1/oauth/grants/:id/folders',
    {
      schema: {
        tags: ['oauth'],
        summary:
          'Every folder on the mail server, listed by logging in with the sign-in (to choose the folders before connecting the mailbox)',
        params: z.object({ id: z.string() }),
        response: { 200: z.object({ items: z.array(serverFolderSchema) }), 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => {
      const settings = await oauthMailboxSettings(
        app.tandem,
        currentUser(request).id,
        request.params.id,
        {},
        undefined,
      );
      const folders = await verifyImap(settings.imap);
      return { items: folders.map(({ path, name, delimiter, specialUse }) => ({ path, name, delimiter, specialUse })) };
    },
  );

  const adminTags = ['admin'];
  app.get(
    '/api/v1/admin/oauth-providers',
    {
      schema: {
        tags: adminTags,
        summary:
          'OAuth2 clients registered with providers (secrets are never shown), and the redirect URI to register at each provider',
        response: {
          200: z.object({
            items: z.array(clientSchema),
            redirectUri: z.string().describe('Paste this as the authorized redirect URI in the provider’s console'),
          }),
        },
      },
    },
    async (request) => {
      requireAdmin(request);
      return {
        items: await listOAuthClients(db, secrets),
        redirectUri: `${publicOrigin(app, request)}${CALLBACK_PATH}`,
      };
    },
  );

  app.put(
    '/api/v1/admin/oauth-providers/:providerId',
    {
      schema: {
        tags: adminTags,
        summary:
          'Set the client id and secret Tandem was registered with at a provider (google, microsoft, or your own with issuer, imap and smtp)',
        params: providerIdParams,
        body: oauthClientInputSchema,
        response: { 200: clientSchema },
      },
    },
    async (request) => {
      requireAdmin(request);
      await saveOAuthClient(db, secrets, request.params.providerId, request.body);
      const saved = (await listOAuthClients(db, secrets)).find((c) => c.id === request.params.providerId);
      if (!saved) throw new TandemError('internal', 'The provider was not saved');
      return saved;
    },
  );

  app.delete(
    '/api/v1/admin/oauth-providers/:providerId',
    {
      schema: {
        tags: adminTags,
        summary: 'Stop offering sign-in with a provider',
        params: providerIdParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      if (!(await deleteOAuthClient(db, request.params.providerId)))
        throw new TandemError('not_found', 'No such provider');
      return reply.status(204).send(null);
    },
  );
}

/** Where browsers reach Tandem: `publicUrl`, else the address this request came to. */
function publicOrigin(app: ApiApp, request: FastifyRequest): string {
  return app.tandem.config.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
