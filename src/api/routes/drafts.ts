import { z } from 'zod';
import { TandemError } from '../../errors/index.ts';
import {
  createDraft,
  deleteDraft,
  draftFieldsSchema,
  draftInlinePart,
  draftToSend,
  getDraft,
  restoreDraft,
  updateDraft,
} from '../../mail/drafts/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';
import { safeContentType, sendDownload } from './messages.ts';
import { linkToSchema, sendLinked, sentWithWarningsSchema, trackSchema } from './send.ts';

const idParams = z.object({ id: z.string() });
export const draftSchema = z.object({
  id: z.string(),
  mailboxId: z.string(),
  fields: draftFieldsSchema,
  state: z
    .enum(['saving', 'saved', 'failed'])
    .describe('saving until the server holds this version; failed when it cannot take it'),
  error: z.string().nullable(),
  messageId: z.string(),
});
const tags = ['drafts'];

/** Drafts live in the server's Drafts folder: every save is APPENDed there, replacing the previous version. */
export function draftRoutes(app: ApiApp): void {
  app.post(
    '/api/v1/drafts',
    {
      schema: {
        tags,
        summary: 'Create a draft (saved to the server’s Drafts)',
        body: draftFieldsSchema.extend({ mailboxId: z.string() }),
        response: { 201: draftSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const { mailboxId, ...fields } = request.body;
      const draft = await createDraft(app.tandem, currentUser(request).id, mailboxId, fields);
      app.sync.nudge(mailboxId);
      return reply.status(201).send(draft);
    },
  );

  app.get(
    '/api/v1/drafts/:id',
    {
      schema: {
        tags,
        summary:
          'A draft (also one written in another mail app: use its message id); 410 draft_deleted when the mail app deleted it',
        params: idParams,
        response: { 200: draftSchema, 404: errorSchema, 410: errorSchema },
      },
    },
    async (request) => getDraft(app.tandem, currentUser(request).id, request.params.id),
  );

  app.get(
    '/api/v1/drafts/:id/inline/:contentId',
    {
      schema: {
        tags,
        summary:
          'An inline image of the draft (referenced as cid:<contentId> in its HTML), for an editor to show; saves keep the cid: reference',
        params: idParams.extend({ contentId: z.string().min(1) }),
        response: { 404: errorSchema },
      },
    },
    async (request, reply) => {
      const part = await draftInlinePart(
        app.tandem,
        currentUser(request).id,
        request.params.id,
        request.params.contentId,
      );
      return sendDownload(reply, part.content, safeContentType(part.contentType), part.filename ?? 'image');
    },
  );

  app.put(
    '/api/v1/drafts/:id',
    {
      schema: {
        tags,
        summary: 'Replace a draft’s content (also a draft written in another mail app: use its message id)',
        params: idParams,
        body: draftFieldsSchema,
        response: { 200: draftSchema, 404: errorSchema, 410: errorSchema },
      },
    },
    async (request) => {
      const draft = await updateDraft(app.tandem, currentUser(request).id, request.params.id, request.body);
      app.sync.nudge(draft.mailboxId);
      return draft;
    },
  );

  app.post(
    '/api/v1/drafts/:id/restore',
    {
      schema: {
        tags,
        summary: 'Put back a draft deleted in the mail app: its last version, as Tandem last held it',
        params: idParams,
        response: { 200: draftSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const draft = await restoreDraft(app.tandem, currentUser(request).id, request.params.id);
      app.sync.nudge(draft.mailboxId);
      return draft;
    },
  );

  app.post(
    '/api/v1/drafts/:id/send',
    {
      schema: {
        tags,
        summary: 'Send the draft now; it leaves Drafts and its copy is filed in Sent',
        params: idParams,
        body: z.object({ linkTo: linkToSchema.optional(), track: trackSchema }).nullish(),
        response: {
          202: sentWithWarningsSchema,
          400: errorSchema,
          404: errorSchema,
          410: errorSchema,
          413: errorSchema,
          502: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const { draftId, input } = await draftToSend(app.tandem, user.id, request.params.id);
      if (input.to.length + (input.cc?.length ?? 0) + (input.bcc?.length ?? 0) === 0) {
        throw new TandemError('validation_failed', 'Add at least one recipient before sending');
      }
      const sent = await sendLinked(app, user, { ...input, track: request.body?.track }, request.body?.linkTo);
      // Sent: the draft goes (a failed send keeps it, since sendMessage threw).
      await deleteDraft(app.tandem, user.id, draftId);
      app.sync.nudge(sent.mailboxId);
      return reply.status(202).send({ id: sent.id, messageId: sent.messageId, via: sent.via, warnings: sent.warnings });
    },
  );

  app.delete(
    '/api/v1/drafts/:id',
    {
      schema: {
        tags,
        summary: 'Delete a draft (also on the server)',
        params: idParams,
        response: { 204: z.null(), 404: errorSchema },
      },
    },
    async (request, reply) => {
      const mailboxId = await deleteDraft(app.tandem, currentUser(request).id, request.params.id);
      app.sync.nudge(mailboxId);
      return reply.status(204).send(null);
    },
  );
}
