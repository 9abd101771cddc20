import { z } from 'zod';
import { messageNotFound, parseRowId } from '../../access/index.ts';
import { getMessage, setMessagePrivate } from '../../mail/messages/index.ts';
import { changeMessage, changeMessages, deleteMessage } from '../../mail/outbox/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';
import { withCrm } from './message-crm.ts';
import { detailSchema } from './messages.ts';

const idParams = z.object({ id: z.string() });
/** As many as the message list shows at most (one page of 200). */
const MAX_BULK = 200;

function messageId(value: string): number {
  const id = parseRowId(value);
  if (id === null) throw messageNotFound();
  return id;
}

/** Changes made in Tandem: applied locally at once, carried to the server by the sync engine's outbox. */
export function messageChangeRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;

  app.patch(
    '/api/v1/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'Mark read/unread, star, move to a folder, or make private; pushed to the mail server at once',
        params: idParams,
        body: z
          .object({
            seen: z.boolean().optional(),
            flagged: z.boolean().optional(),
            folder: z.string().min(1).optional(),
            private: z.boolean().optional(),
          })
          .refine((b) => Object.values(b).some((v) => v !== undefined), {
            message: 'give at least one of seen, flagged, folder, private',
          }),
        response: { 200: detailSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const id = messageId(request.params.id);
      const { private: isPrivate, ...change } = request.body;
      if (isPrivate !== undefined) await setMessagePrivate(db(), user.id, id, isPrivate);
      if (change.seen !== undefined || change.flagged !== undefined || change.folder !== undefined) {
        const mailboxId = await changeMessage(db(), user.id, id, change);
        app.sync.nudge(mailboxId);
      }
      return withCrm(app, request, await getMessage(db(), user, request.params.id));
    },
  );

  app.delete(
    '/api/v1/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'Move to Trash; in Trash, or with permanent=true, delete for good (expunged on the server)',
        params: idParams,
        querystring: z.object({ permanent: z.enum(['true', 'false']).optional() }),
        response: { 204: z.null(), 404: errorSchema, 409: errorSchema },
      },
    },
    async (request, reply) => {
      const mailboxId = await deleteMessage(
        db(),
        currentUser(request).id,
        messageId(request.params.id),
        request.query.permanent === 'true',
      );
      app.sync.nudge(mailboxId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/messages/bulk',
    {
      schema: {
        tags: ['messages'],
        summary:
          'Mark read/unread, star, move or delete (to Trash; for good in Trash) several messages at once: all or none',
        body: z
          .object({
            ids: z.array(z.string()).min(1).max(MAX_BULK),
            seen: z.boolean().optional(),
            flagged: z.boolean().optional(),
            folder: z.string().min(1).optional(),
            delete: z.literal(true).optional(),
          })
          .refine((b) => [b.seen, b.flagged, b.folder, b.delete].some((v) => v !== undefined), {
            message: 'give at least one of seen, flagged, folder, delete',
          })
          .refine((b) => !b.delete || [b.seen, b.flagged, b.folder].every((v) => v === undefined), {
            message: 'delete goes alone',
          }),
        response: { 200: z.object({ changed: z.number().int() }), 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => {
      const { ids, ...change } = request.body;
      const mailboxIds = await changeMessages(db(), currentUser(request).id, ids.map(messageId), change);
      for (const mailboxId of mailboxIds) app.sync.nudge(mailboxId);
      return { changed: new Set(ids).size };
    },
  );
}
