import { z } from 'zod';
import { mergeValuesFor, visibleRecord } from '../../crm/index.ts';
import { TandemError } from '../../errors/index.ts';
import { cancelHeldSend, getHeldSend, holdDraftSend, listHeldSends, MAX_SCHEDULE_MS } from '../../mail/drafts/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';
import { draftSchema } from './drafts.ts';
import { linkToSchema, trackSchema } from './send.ts';

const idParams = z.object({ id: z.string() });
const tags = ['sending'];

const heldSendSchema = z.object({
  id: z.string().describe('Also the id of the send (GET /sends/:id) once it goes out'),
  mailboxId: z.string(),
  state: z
    .enum(['scheduled', 'cancelled', 'sending', 'sent', 'uncertain', 'failed'])
    .describe(
      'scheduled: held in Tandem until sendAt (can be undone); then the send’s own state; failed: not sent, the draft is back in Drafts',
    ),
  sendAt: z.number().int(),
  subject: z.string(),
  to: z.array(z.string()),
  error: z.string().nullable(),
  createdAt: z.number().int(),
});

/** Undo send and schedule send: the email is held in Tandem, never in the mail server's outbox, until its time. */
export function heldSendRoutes(app: ApiApp): void {
  app.post(
    '/api/v1/drafts/:id/hold',
    {
      schema: {
        tags,
        summary:
          'Send the draft later: at sendAt (schedule send) or, without it, after the undo delay (undo send). It leaves Drafts; undo gives it back',
        params: idParams,
        body: z
          .object({
            sendAt: z.number().int().optional().describe('When to send (epoch ms); at most a year ahead'),
            linkTo: linkToSchema.optional(),
            track: trackSchema,
          })
          .nullish(),
        response: { 201: heldSendSchema, 400: errorSchema, 404: errorSchema, 410: errorSchema },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const now = Date.now();
      const sendAt = request.body?.sendAt ?? now + app.tandem.config.undoSendSeconds * 1000;
      if (sendAt > now + MAX_SCHEDULE_MS)
        throw new TandemError('validation_failed', 'A send can be scheduled at most a year ahead');
      const linkTo = request.body?.linkTo;
      const db = app.tandem.store.db;
      if (linkTo) await visibleRecord(db, user, linkTo.recordType, linkTo.recordId);
      const held = await holdDraftSend(app.tandem, user.id, request.params.id, {
        sendAt: Math.max(sendAt, now),
        mergeValues: (recipient) => mergeValuesFor(db, user.id, recipient),
        linkTo,
        track: request.body?.track,
      });
      app.sync.nudge(held.mailboxId); // the draft's removal from the server's Drafts
      return reply.status(201).send(held);
    },
  );

  app.get(
    '/api/v1/held-sends',
    {
      schema: {
        tags,
        summary:
          'Your emails held for sending (scheduled, or within the undo delay), and what became of the last day’s',
        querystring: z.object({ mailboxId: z.string().optional() }),
        response: { 200: z.object({ items: z.array(heldSendSchema) }) },
      },
    },
    async (request) => ({
      items: await listHeldSends(app.tandem.store.db, currentUser(request).id, request.query),
    }),
  );

  app.get(
    '/api/v1/held-sends/:id',
    {
      schema: {
        tags,
        summary: 'One held email and its state',
        params: idParams,
        response: { 200: heldSendSchema, 404: errorSchema },
      },
    },
    async (request) => getHeldSend(app.tandem.store.db, currentUser(request).id, request.params.id),
  );

  app.post(
    '/api/v1/held-sends/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Undo send, or cancel a scheduled send: nothing goes out, and the email is a draft again (answered)',
        params: idParams,
        response: { 200: draftSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => {
      const draft = await cancelHeldSend(app.tandem, currentUser(request).id, request.params.id);
      app.sync.nudge(draft.mailboxId);
      return draft;
    },
  );
}
