import { z } from 'zod';
import { hasOAuthClient, oauthClientForDomain } from '../../mail/oauth/index.ts';
import { discoverProvider } from '../../mail/providers/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { outboundRateLimit } from '../outbound-limit.ts';

const security = z.enum(['tls', 'starttls', 'none']);
const server = z.object({ host: z.string(), port: z.number(), security, username: z.string() }).nullable();

export const discoverySchema = z.object({
  address: z.string(),
  source: z.enum(['preset', 'autoconfig', 'srv', 'mx', 'none']),
  provider: z
    .object({
      id: z.string(),
      name: z.string(),
      auth: z.enum(['password', 'oauth2', 'app-password']),
      helpUrl: z.string().optional(),
      /** OAuth2 sign-in is set up by an administrator: `GET /oauth/:id/start` works. */
      signInReady: z.boolean(),
    })
    .nullable(),
  imap: server,
  smtp: server,
  steps: z.array(z.object({ source: z.enum(['preset', 'autoconfig', 'srv', 'mx']), outcome: z.string() })),
});

export function providerRoutes(app: ApiApp): void {
  app.get(
    '/api/v1/providers/discover',
    {
      config: { rateLimit: outboundRateLimit },
      schema: {
        tags: ['providers'],
        summary:
          'The settings an address needs and where they came from: preset, autoconfig, DNS SRV, MX, or none (enter them by hand); answers within a few seconds',
        querystring: z.object({ address: z.email() }),
        response: { 200: discoverySchema },
      },
    },
    async (request) => {
      currentUser(request);
      const { config, store } = app.tandem;
      const own = await adminProvider(app, request.query.address);
      if (own) return own;
      const found = await discoverProvider(request.query.address, {
        dnsServers: config.discoveryDnsServers,
        autoconfigHttpPort: config.autoconfigHttpPort,
        outbound: app.tandem.outbound,
      });
      if (!found.provider) return { ...found, provider: null };
      const signInReady = found.provider.auth === 'oauth2' && (await hasOAuthClient(store.db, found.provider.id));
      return { ...found, provider: { ...found.provider, signInReady } };
    },
  );
}

/** An address at a domain an administrator set up an OAuth2 provider for signs in with that provider. */
async function adminProvider(app: ApiApp, input: string): Promise<z.infer<typeof discoverySchema> | undefined> {
  const address = input.trim().toLowerCase();
  const domain = address.split('@')[1] ?? '';
  const own = await oauthClientForDomain(app.tandem.store.db, app.tandem.secrets, domain);
  if (!own) return undefined;
  const server = (s: typeof own.imap) => ({ ...s, username: address });
  return {
    address,
    source: 'preset',
    provider: { id: own.id, name: own.name, auth: 'oauth2', signInReady: true },
    imap: server(own.imap),
    smtp: server(own.smtp),
    steps: [{ source: 'preset', outcome: `an administrator set up sign-in with ${own.name} for ${domain}` }],
  };
}
