import { z } from 'zod';
import { MAX_SUGGESTIONS, suggestAddresses } from '../../crm/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';

const suggestionSchema = z.object({
  address: z.string(),
  name: z.string().nullable(),
  source: z
    .enum(['contact', 'correspondent'])
    .describe('contact: a contact or lead you can see; correspondent: someone in the mail of your mailboxes'),
});

/** Recipient autocomplete for compose. */
export function addressRoutes(app: ApiApp): void {
  app.get(
    '/api/v1/addresses/suggest',
    {
      schema: {
        tags: ['sending'],
        summary:
          'Addresses starting with (or contacts named with) q: your visible contacts and leads, then the people in your mailboxes’ mail',
        querystring: z.object({
          q: z.string().min(1).max(200),
          limit: z.coerce.number().int().min(1).max(MAX_SUGGESTIONS).default(8),
        }),
        response: { 200: z.object({ items: z.array(suggestionSchema) }), 400: errorSchema },
      },
    },
    async (request) => ({
      items: await suggestAddresses(app.tandem.store.db, currentUser(request), request.query.q, request.query.limit),
    }),
  );
}
