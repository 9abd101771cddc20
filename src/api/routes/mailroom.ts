import { z } from 'zod';
import { createRule, deleteRule, listRules, ruleInputSchema, rulePatchSchema, updateRule } from '../../crm/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';

const ruleSchema = ruleInputSchema.extend({
  id: z.string(),
  mailboxId: z.string().nullable(),
  position: z.number().int(),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const tags = ['mailroom'];
const idParams = z.object({ id: z.string() });

/** Mailroom rules (Automate Tasks): each user's own, run in order on the new emails of their mailboxes. */
export function mailroomRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;
  app.get(
    '/api/v1/mailroom/rules',
    {
      schema: {
        tags,
        summary: 'Your mailroom rules, in the order they run',
        response: { 200: z.object({ items: z.array(ruleSchema) }) },
      },
    },
    async (request) => ({ items: await listRules(db(), currentUser(request)) }),
  );
  app.post(
    '/api/v1/mailroom/rules',
    {
      schema: {
        tags,
        summary:
          'Add a rule: conditions (all/any) on from, to, cc, subject, body, folder; actions archive, create, mark_private',
        body: ruleInputSchema,
        response: { 201: ruleSchema, 400: errorSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await createRule(db(), currentUser(request), request.body)),
  );
  app.patch(
    '/api/v1/mailroom/rules/:id',
    {
      schema: {
        tags,
        summary: 'Change a rule (order, conditions, actions, on/off)',
        params: idParams,
        body: rulePatchSchema,
        response: { 200: ruleSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => updateRule(db(), currentUser(request), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/mailroom/rules/:id',
    { schema: { tags, summary: 'Delete a rule', params: idParams, response: { 204: z.null(), 404: errorSchema } } },
    async (request, reply) => {
      await deleteRule(db(), currentUser(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
