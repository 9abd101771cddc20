import { z } from 'zod';
import { listNotifications, markNotificationsRead } from '../../crm/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';

const tags = ['notifications'];

const notificationSchema = z.object({
  id: z.string(),
  kind: z
    .string()
    .describe("What happened: 'mention' (on an email's comments), 'reply' (to an email you sent); more may come"),
  summary: z.string(),
  messageId: z.string().nullable().describe('The email it is about'),
  actor: z.object({ id: z.string(), name: z.string() }).nullable().describe('The user who caused it'),
  createdAt: z.string(),
  read: z.boolean(),
});

/** The signed-in user's in-app notifications; `notifications.changed` on /events says when they change. */
export function notificationRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;
  app.get(
    '/api/v1/notifications',
    {
      schema: {
        tags,
        summary: 'Your newest notifications (at most 50) and how many are unread',
        response: { 200: z.object({ items: z.array(notificationSchema), unread: z.number().int() }) },
      },
    },
    async (request) => listNotifications(db(), currentUser(request).id),
  );
  app.post(
    '/api/v1/notifications/read',
    {
      schema: {
        tags,
        summary: 'Mark notifications read: the given ids, or all of them when ids is left out',
        body: z.object({ ids: z.array(z.string().max(100)).max(500).optional() }),
        response: { 204: z.null(), 400: errorSchema },
      },
    },
    async (request, reply) => {
      await markNotificationsRead(db(), currentUser(request).id, request.body.ids);
      return reply.status(204).send(null);
    },
  );
}
