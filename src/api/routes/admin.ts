import { z } from 'zod';
import { outgoingServerView, removeOutgoingServer, setOutgoingServer } from '../../mail/send/index.ts';
import type { ApiApp } from '../api-app.ts';
import { requireAdmin } from '../authenticate.ts';
import { outboundRateLimit } from '../outbound-limit.ts';
import { errorSchema } from '../schemas.ts';
import { smtpSchema } from './mailboxes.ts';

const tags = ['admin'];

const outgoingServerSchema = z.object({
  host: z.string(),
  port: z.number(),
  security: z.enum(['tls', 'starttls', 'none']),
  username: z.string().nullable(),
  domains: z
    .array(z.string())
    .nullable()
    .describe('It sends only for addresses at these domains (and their subdomains); null: any verified address'),
});

/** Instance settings only an admin may read or change. */
export function adminRoutes(app: ApiApp): void {
  app.get(
    '/api/v1/admin/outgoing-server',
    {
      schema: {
        tags,
        summary:
          'The fallback outgoing (SMTP) server, used for mailboxes that consented when their own cannot be reached; null when none',
        response: { 200: z.object({ server: outgoingServerSchema.nullable() }), 403: errorSchema },
      },
    },
    async (request) => {
      requireAdmin(request);
      return { server: await outgoingServerView(app.tandem) };
    },
  );

  app.put(
    '/api/v1/admin/outgoing-server',
    {
      config: { rateLimit: outboundRateLimit },
      schema: {
        tags,
        summary:
          'Set the fallback outgoing server; the connection and login are tried first and nothing is saved unless they work',
        body: smtpSchema.and(
          z.object({
            domains: z
              .array(
                z
                  .string()
                  .trim()
                  .toLowerCase()
                  .regex(/^@?[a-z0-9.-]+\.[a-z0-9-]+$/, 'a domain such as example.com'),
              )
              .min(1)
              .max(100)
              .optional()
              .describe('Send only for addresses at these domains (and their subdomains)'),
          }),
        ),
        response: { 200: z.object({ server: outgoingServerSchema }), 403: errorSchema, 422: errorSchema },
      },
    },
    async (request) => {
      requireAdmin(request);
      return { server: await setOutgoingServer(app.tandem, request.body) };
    },
  );

  app.delete(
    '/api/v1/admin/outgoing-server',
    { schema: { tags, summary: 'Remove the fallback outgoing server', response: { 204: z.null(), 403: errorSchema } } },
    async (request, reply) => {
      requireAdmin(request);
      await removeOutgoingServer(app.tandem.store.db);
      return reply.status(204).send(null);
    },
  );
}
