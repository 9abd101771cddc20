import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { visibleMessage } from '../../access/index.ts';
import {
  RECORD_KINDS,
  addComment,
  commentsOf,
  linkMessage,
  linksOf,
  ruleRunsOf,
  unlinkMessage,
} from '../../crm/index.ts';
import type { MessageDetail } from '../../mail/messages/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';

export const linkSchema = z.object({
  id: z.string(),
  recordType: z.enum(RECORD_KINDS),
  recordId: z.string(),
  name: z.string(),
  source: z
    .enum(['auto', 'rule', 'manual'])
    .describe('auto: matched by address; rule: a mailroom rule; manual: a user'),
  createdAt: z.string(),
});

const personSchema = z.object({ id: z.string(), name: z.string(), email: z.string() });

export const commentSchema = z.object({
  id: z.string(),
  author: personSchema,
  body: z.string(),
  mentions: z.array(personSchema).describe('Users named as @their@address in the body'),
  createdAt: z.string(),
});

export const ruleRunSchema = z.object({
  ruleId: z.string().nullable(),
  ruleName: z.string(),
  results: z
    .array(z.record(z.string(), z.unknown()))
    .describe('What each action did: records linked or created, marked private'),
  at: z.string(),
});

const idParams = z.object({ id: z.string() });
const linkTarget = z.object({ recordType: z.enum(RECORD_KINDS), recordId: z.string().min(1) });

/** A message as GET /messages/:id answers it: with the viewer's view of its links and comments, and (for its owner) the mailroom log. */
export async function withCrm(app: ApiApp, request: FastifyRequest, detail: MessageDetail) {
  const db = app.tandem.store.db;
  const viewer = currentUser(request);
  const { id, own } = await visibleMessage(db, viewer, detail.id);
  return {
    ...detail,
    links: await linksOf(db, viewer, id),
    comments: await commentsOf(db, viewer, id),
    mailroom: own ? await ruleRunsOf(db, id) : [],
  };
}

/** Links between emails and records, and comments on emails (kept in Tandem, never sent to the mail server). */
export function messageCrmRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;
  app.post(
    '/api/v1/messages/:id/links',
    {
      schema: {
        tags: ['records'],
        summary: 'Link an email to a record by hand (wins over automatic matching)',
        params: idParams,
        body: linkTarget,
        response: { 201: linkSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await linkMessage(
            db(),
            currentUser(request),
            request.params.id,
            request.body.recordType,
            request.body.recordId,
          ),
        ),
  );
  app.delete(
    '/api/v1/messages/:id/links/:linkId',
    {
      schema: {
        tags: ['records'],
        summary: 'Unlink an email from a record; no automatic match links it again',
        params: z.object({ id: z.string(), linkId: z.string() }),
        response: { 204: z.null(), 404: errorSchema },
      },
    },
    async (request, reply) => {
      await unlinkMessage(db(), currentUser(request), request.params.id, request.params.linkId);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/messages/:id/comments',
    {
      schema: {
        tags: ['comments'],
        summary: 'Comments on an email, oldest first',
        params: idParams,
        response: { 200: z.object({ items: z.array(commentSchema) }), 404: errorSchema },
      },
    },
    async (request) => ({ items: await commentsOf(db(), currentUser(request), request.params.id) }),
  );
  app.post(
    '/api/v1/messages/:id/comments',
    {
      schema: {
        tags: ['comments'],
        summary: 'Comment on an email; @ann@example.test mentions a user. Stays in Tandem',
        params: idParams,
        body: z.object({ body: z.string().trim().min(1).max(20_000) }),
        response: { 201: commentSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addComment(db(), currentUser(request), request.params.id, request.body.body)),
  );
}
