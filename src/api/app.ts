import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { storeOnlySync } from '../mail/sync/index.ts';
import type { SyncControl } from '../mail/sync/index.ts';
import type { ApiApp } from './api-app.ts';
import type { TandemContext } from '../context/index.ts';
import { TandemError } from '../errors/index.ts';
import { installAuthentication } from './authenticate.ts';
import { installErrorHandlers } from './error-handler.ts';
import { httpLogger } from './log-redaction.ts';
import { BODY_LIMITS, installRequestGuards } from './request-guards.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { credentialRoutes } from './routes/credentials.ts';
import { draftRoutes } from './routes/drafts.ts';
import { heldSendRoutes } from './routes/held-sends.ts';
import { addressRoutes } from './routes/addresses.ts';
import { engagementRoutes } from './routes/engagement.ts';
import { eventRoutes } from './routes/events.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { healthRoutes } from './routes/health.ts';
import { mailboxRoutes } from './routes/mailboxes.ts';
import { mailroomRoutes } from './routes/mailroom.ts';
import { messageCrmRoutes } from './routes/message-crm.ts';
import { messageChangeRoutes } from './routes/message-changes.ts';
import { messageRoutes } from './routes/messages.ts';
import { recordRoutes } from './routes/records.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { providerRoutes } from './routes/providers.ts';
import { sendRoutes } from './routes/send.ts';
import { setupRoutes } from './routes/setup.ts';
import { testConnectionRoutes } from './routes/test-connection.ts';
import { trackingRoutes } from './routes/tracking.ts';
import { userRoutes } from './routes/users.ts';
import { workflowRoutes } from './routes/workflows.ts';
import { installWebApp } from './web.ts';
import { Presence } from './presence.ts';

export interface BuildAppOptions {
  /** The one-time code that lets the first admin be created over HTTP; null turns that off. */
  setupCode?: string | null;
  /** The sync engine of this process; without one, mailbox changes are picked up by the workers. */
  sync?: SyncControl;
  /** Presence shared with other processes (`tandem web`); by default this process's alone. */
  presence?: Presence;
  /** Folder of the built web app to serve at `/`; none: API only. */
  webApp?: string;
}

/** The `trustProxy` setting as Fastify takes it: a number of hops becomes "trust the nearest n". */
function trustedProxies(
  setting: boolean | number | string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

/** Builds the HTTP app without listening, so tests can `inject()` or listen on port 0. */
export async function buildApp(context: TandemContext, options: BuildAppOptions = {}): Promise<ApiApp> {
  const app = Fastify({
    loggerInstance: httpLogger(context.logger),
    bodyLimit: BODY_LIMITS.default,
    // Behind a reverse proxy: the client's address (rate limits) and protocol (Secure cookies) come from X-Forwarded-*.
    trustProxy: trustedProxies(context.config.trustProxy),
  }).withTypeProvider<ZodTypeProvider>();
  app.decorate('tandem', context);
  app.decorate('sync', options.sync ?? storeOnlySync);
  app.decorate('presence', options.presence ?? new Presence());
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);
  installRequestGuards(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Tandem API', version: '1', description: 'Self-hosted CRM inbox in two-way sync with IMAP/SMTP' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new TandemError('rate_limited', `Too many attempts; try again in ${Math.ceil(context.ttl / 1000)} s`),
  });
  await app.register(cookie);
  installAuthentication(app, context.store.db);

  healthRoutes(app);
  authRoutes(app);
  credentialRoutes(app);
  userRoutes(app);
  setupRoutes(app, options.setupCode ?? null);
  mailboxRoutes(app);
  conversationRoutes(app);
  messageChangeRoutes(app);
  draftRoutes(app);
  heldSendRoutes(app);
  addressRoutes(app);
  messageRoutes(app);
  sendRoutes(app);
  adminRoutes(app);
  recordRoutes(app);
  messageCrmRoutes(app);
  mailroomRoutes(app);
  workflowRoutes(app);
  providerRoutes(app);
  oauthRoutes(app);
  testConnectionRoutes(app);
  eventRoutes(app);
  notificationRoutes(app);
  engagementRoutes(app);
  trackingRoutes(app);
  if (options.webApp) await installWebApp(app, options.webApp);
  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.ready();
  return app;
}
