import { z } from 'zod';
import { visibleConversation } from '../../access/index.ts';
import {
  addNote,
  assignInTurn,
  changeConversation,
  conversationThread,
  getConversation,
  listConversations,
  replyToConversation,
} from '../../crm/index.ts';
import { publishMailEvent } from '../../events/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';
import { commentSchema } from './message-crm.ts';
import { attachmentSchema, sentSchema, trackSchema } from './send.ts';

const tags = ['conversations'];
const status = z.enum(['open', 'pending', 'closed']);
const idParams = z.object({ id: z.string() });

const conversationSchema = z.object({
  id: z.string().describe('Also the number in the subject token'),
  mailboxId: z.string(),
  subject: z.string(),
  token: z.string().describe('Carried in reply subjects, e.g. [#1234]: threads a reply that lost its headers'),
  customer: z.string().nullable(),
  status,
  snoozedUntil: z.string().nullable(),
  assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
  caseId: z.string().nullable().describe('The case opened by email-to-case'),
  messages: z.number().int(),
  lastActivityAt: z.string(),
  createdAt: z.string(),
});

const presenceSchema = z.array(z.object({ id: z.string(), name: z.string(), state: z.enum(['viewing', 'replying']) }));

const detailSchema = conversationSchema.extend({
  thread: z.array(
    z.object({
      id: z.string(),
      fromAddress: z.string().nullable(),
      fromName: z.string().nullable(),
      subject: z.string(),
      snippet: z.string(),
      date: z.string(),
      outbound: z.boolean().describe('Written from the group’s address'),
      automatic: z.boolean().describe('An auto-reply, bounce or list mail: never reopens, never files a case'),
      signal: z.enum(['new', 'sent', 'references', 'token', 'cap']).describe('How the email was threaded'),
    }),
  ),
  notes: z.array(commentSchema),
  cursor: z.string().describe('Give it back as `seenUpTo` when replying: what you have seen'),
  presence: presenceSchema,
});

const changed = (mailboxId: string, conversationId: string) =>
  publishMailEvent({ type: 'conversation.changed', mailboxId, conversationId });

/** A group mailbox's conversations: list and filter, status, assignment, snooze, notes, replies, presence. */
export function conversationRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;
  const presence = app.presence;

  app.get(
    '/api/v1/mailboxes/:id/conversations',
    {
      schema: {
        tags,
        summary: 'A group mailbox’s conversations, latest activity first',
        params: idParams,
        querystring: z.object({
          filter: z
            .enum(['all', 'mine', 'unassigned', 'snoozed', 'closed'])
            .default('all')
            .describe('all: not closed and not snoozed; mine/unassigned narrow it; snoozed; closed'),
          status: status.optional(),
          assigneeId: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().optional(),
        }),
        response: {
          200: z.object({ items: z.array(conversationSchema), nextCursor: z.string().nullable() }),
          404: errorSchema,
        },
      },
    },
    async (request) => listConversations(db(), currentUser(request).id, request.params.id, request.query),
  );

  app.get(
    '/api/v1/conversations/:id',
    {
      schema: {
        tags,
        summary: 'A conversation with its emails, internal notes, who else has it open, and its cursor',
        params: idParams,
        response: { 200: detailSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const conversation = await getConversation(db(), user.id, request.params.id);
      const { messages, notes, cursor } = await conversationThread(db(), user, request.params.id);
      return { ...conversation, thread: messages, notes, cursor, presence: presence.members(conversation.id) };
    },
  );

  app.patch(
    '/api/v1/conversations/:id',
    {
      schema: {
        tags,
        summary:
          'Status, assignee (a member, or null) and snooze (a time, or null); nothing changes on the mail server',
        params: idParams,
        body: z.object({
          status: status.optional(),
          assigneeId: z.string().nullable().optional(),
          snoozedUntil: z.iso.datetime({ offset: true }).nullable().optional(),
        }),
        response: { 200: conversationSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const { mailboxId } = await changeConversation(db(), user.id, request.params.id, request.body);
      changed(mailboxId, request.params.id);
      return getConversation(db(), user.id, request.params.id);
    },
  );

  app.post(
    '/api/v1/conversations/:id/round-robin',
    {
      schema: {
        tags,
        summary: 'Assign to the available member whose turn it is',
        params: idParams,
        response: { 200: conversationSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const { mailboxId } = await assignInTurn(db(), user.id, request.params.id);
      changed(mailboxId, request.params.id);
      return getConversation(db(), user.id, request.params.id);
    },
  );

  app.post(
    '/api/v1/conversations/:id/notes',
    {
      schema: {
        tags,
        summary: 'An internal note (stays in Tandem); @ann@example.test mentions a member',
        params: idParams,
        body: z.object({ body: z.string().trim().min(1).max(20_000) }),
        response: { 201: commentSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const { note, mailboxId } = await addNote(db(), currentUser(request), request.params.id, request.body.body);
      changed(mailboxId, request.params.id);
      return reply.status(201).send(note);
    },
  );

  app.post(
    '/api/v1/conversations/:id/reply',
    {
      schema: {
        tags,
        summary:
          'Reply to the customer from the group’s address; 409 conversation_changed (with what is new and a new cursor) when something arrived since seenUpTo',
        params: idParams,
        body: z.object({
          text: z.string().optional(),
          html: z.string().optional(),
          cc: z.array(z.string().trim().pipe(z.email())).optional(),
          attachments: z.array(attachmentSchema).optional(),
          seenUpTo: z.string().describe('The cursor of the conversation as you last read it'),
          status: status.optional().describe('The status once sent, e.g. pending'),
          track: trackSchema,
        }),
        response: { 202: sentSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema, 502: errorSchema },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const sent = await replyToConversation(app.tandem, user, request.params.id, request.body);
      app.sync.nudge(sent.mailboxId);
      changed(sent.mailboxId, request.params.id);
      return reply.status(202).send({ id: sent.id, messageId: sent.messageId, via: sent.via });
    },
  );

  app.post(
    '/api/v1/conversations/:id/presence',
    {
      schema: {
        tags,
        summary: 'Say you are viewing or replying to a conversation (repeat every 20 s), or gone; members see it live',
        params: idParams,
        body: z.object({ state: z.enum(['viewing', 'replying', 'gone']) }),
        response: { 200: z.object({ presence: presenceSchema }), 404: errorSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const { mailboxId, id } = await visibleConversation(db(), user.id, request.params.id);
      presence.update({ mailboxId, conversationId: String(id), user, state: request.body.state });
      return { presence: presence.members(String(id)) };
    },
  );
}
