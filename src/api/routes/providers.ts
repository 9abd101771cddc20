import { z } from 'zod';
import { discoverProvider } from '../../mail/providers/index.ts';
import type { ApiApp } from '../app.ts';
import { currentUser } from '../authenticate.ts';

const security = z.enum(['tls', 'starttls', 'none']);
const server = z.object({ host: z.string(), port: z.number(), security, username: z.string() }).nullable();

export const discoverySchema = z.object({
  address: z.string(),
  source: z.enum(['preset', 'autoconfig', 'srv', 'mx', 'none']),
  provider: z.object({ id: z.string(), name: z.string(), auth: z.enum(['password', 'oauth2', 'app-password']), helpUrl: z.string().optional() }).nullable(),
  imap: server,
  smtp: server,
  steps: z.array(z.object({ source: z.enum(['preset', 'autoconfig', 'srv', 'mx']), outcome: z.string() })),
});

export function providerRoutes(app: ApiApp): void {
  app.get(
    '/api/v1/providers/discover',
    {
      schema: {
        tags: ['providers'],
        summary: 'The settings an address needs and where they came from: preset, autoconfig, DNS SRV, MX, or none (enter them by hand)',
        querystring: z.object({ address: z.email() }),
        response: { 200: discoverySchema },
      },
    },
    async (request) => {
      currentUser(request);
      const { config } = app.tandem;
      return discoverProvider(request.query.address, { dnsServers: config.discoveryDnsServers, autoconfigHttpPort: config.autoconfigHttpPort });
    },
  );
}
