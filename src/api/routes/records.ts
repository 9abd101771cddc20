import { z } from 'zod';
import {
  KIND_PATHS,
  RECORD_KINDS,
  bouncingFor,
  createRecord,
  deleteRecord,
  getRecord,
  listRecords,
  RECORD_SORTS,
  recordEmails,
  recordEngagement,
  recordFieldsSchema,
  updateRecord,
} from '../../crm/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';
import { summarySchema } from './messages.ts';

export const touchpointsSchema = z
  .object({
    lastContactedAt: z.string().nullable().describe('The latest email sent to it'),
    lastRepliedAt: z.string().nullable().describe('The latest reply to one of our emails'),
    lastEngagedAt: z.string().nullable().describe('The latest reply, human open or human click'),
    emailsOut: z.number().int(),
    emailsIn: z.number().int(),
    opens: z.number().int().describe('Human opens only (privacy proxies, scanners and the sender are not counted)'),
    clicks: z.number().int().describe('Human clicks only'),
    replies: z.number().int(),
  })
  .describe('Kept up to date as emails, replies, opens and clicks arrive');

export const bouncingSchema = z.object({
  address: z.string(),
  status: z.string().nullable().describe('Enhanced status code, e.g. 5.1.1'),
  reason: z.string().describe('What the receiving server said (Diagnostic-Code)'),
  bouncedAt: z.string(),
});

const engagementSchema = z.object({
  touchpoints: touchpointsSchema,
  bouncing: z.array(bouncingSchema).describe('Its addresses that bounce now'),
  weeks: z
    .array(
      z.object({
        weekStart: z.string(),
        emailsOut: z.number().int(),
        emailsIn: z.number().int(),
        opens: z.number().int(),
        replies: z.number().int(),
      }),
    )
    .describe('The last 12 weeks, oldest first (weeks start on Monday, UTC)'),
  items: z
    .array(
      z.object({
        messageId: z.string(),
        direction: z.enum(['out', 'in']),
        subject: z.string(),
        from: z.string().nullable(),
        date: z.string(),
        answer: z.enum(['reply', 'auto_reply']).nullable().describe('An email in that answered one of ours'),
        send: z
          .object({
            bounced: z.array(z.object({ address: z.string(), status: z.string().nullable(), reason: z.string() })),
            opens: z.number().int(),
            otherOpens: z.number().int().describe('Opens by privacy proxies, scanners or the sender'),
            clicks: z.array(z.object({ url: z.string(), count: z.number().int() })),
            replies: z.array(z.object({ from: z.string(), at: z.string() })),
            autoReplies: z.array(z.object({ from: z.string(), at: z.string(), reason: z.string().nullable() })),
          })
          .nullable()
          .describe('For an email sent from Tandem: what became of it'),
      }),
    )
    .describe('Every email in and out, newest first (the latest 100)'),
});

const sinceSchema = z.iso.datetime({ offset: true }).optional();
const time = (text: string | undefined) => (text === undefined ? undefined : Date.parse(text));

export const recordSchema = z.object({
  id: z.string(),
  kind: z.enum(RECORD_KINDS),
  name: z.string().describe('Full name of a person; name of an organization; title of a deal, case or ticket'),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  emails: z.array(z.string()),
  phone: z.string().nullable(),
  jobTitle: z.string().nullable(),
  company: z.string().nullable(),
  website: z.string().nullable(),
  organizationId: z.string().nullable(),
  contactId: z.string().nullable(),
  status: z.string(),
  open: z
    .boolean()
    .describe('False once a deal is won or lost, a lead converted or lost, a case or ticket resolved or closed'),
  amount: z.number().nullable(),
  currency: z.string().nullable(),
  priority: z.string().nullable(),
  description: z.string(),
  ownerId: z.string(),
  shared: z.boolean(),
  doNotTrack: z.boolean().describe('Mail Tandem sends to its addresses carries no open or click marks'),
  dueDate: z.string().nullable().describe('A deal’s expected close date, a case’s or ticket’s due date'),
  createdAt: z.string(),
  updatedAt: z.string(),
  touchpoints: touchpointsSchema,
});

const idParams = z.object({ id: z.string() });
const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
};

/** CRUD for every record kind, and each record's email history: /contacts, /leads, /organizations, /deals, /cases, /tickets. */
export function recordRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;
  app.get(
    '/api/v1/bounces',
    {
      schema: {
        tags: ['records'],
        summary:
          'Which of these addresses bounce now (on a record you see, or reported to your mailbox): compose warns before sending to them',
        querystring: z.object({
          addresses: z.string().min(1).max(10_000).describe('Comma-separated email addresses'),
        }),
        response: { 200: z.object({ items: z.array(bouncingSchema) }), 400: errorSchema },
      },
    },
    async (request) => {
      const addresses = request.query.addresses.split(',').slice(0, 200);
      return { items: await bouncingFor(db(), currentUser(request), addresses) };
    },
  );
  for (const kind of RECORD_KINDS) {
    const base = `/api/v1/${KIND_PATHS[kind]}`;
    const tags = ['records'];
    app.get(
      base,
      {
        schema: {
          tags,
          summary: `List ${KIND_PATHS[kind]} you can see, by name; q searches names, companies and email addresses`,
          querystring: z.object({
            q: z.string().max(200).optional(),
            sort: z.enum(RECORD_SORTS).optional().describe('name (default), or a touchpoint: most recent first'),
            contactedSince: sinceSchema.describe('Last contacted at or after this time (ISO 8601)'),
            notContactedSince: sinceSchema.describe('Never contacted, or last contacted before this time'),
            repliedSince: sinceSchema.describe('Last replied at or after this time'),
            engagedSince: sinceSchema.describe('Last engaged (reply, human open or click) at or after this time'),
            minReplies: z.coerce.number().int().min(0).max(1_000_000).optional(),
            ...pageQuery,
          }),
          response: {
            200: z.object({ items: z.array(recordSchema), nextCursor: z.string().nullable() }),
            400: errorSchema,
          },
        },
      },
      async (request) => {
        const { contactedSince, notContactedSince, repliedSince, engagedSince, ...rest } = request.query;
        return listRecords(db(), currentUser(request), kind, {
          ...rest,
          contactedSince: time(contactedSince),
          notContactedSince: time(notContactedSince),
          repliedSince: time(repliedSince),
          engagedSince: time(engagedSince),
        });
      },
    );
    app.post(
      base,
      {
        schema: {
          tags,
          summary: `Create a ${kind}`,
          body: recordFieldsSchema,
          response: { 201: recordSchema, 400: errorSchema, 403: errorSchema },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await createRecord(db(), currentUser(request), kind, request.body)),
    );
    app.get(
      `${base}/:id`,
      { schema: { tags, summary: `One ${kind}`, params: idParams, response: { 200: recordSchema, 404: errorSchema } } },
      async (request) => getRecord(db(), currentUser(request), kind, request.params.id),
    );
    app.patch(
      `${base}/:id`,
      {
        schema: {
          tags,
          summary: `Change a ${kind}; new email addresses re-match its emails`,
          params: idParams,
          body: recordFieldsSchema,
          response: { 200: recordSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
        },
      },
      async (request) => updateRecord(db(), currentUser(request), kind, request.params.id, request.body),
    );
    app.delete(
      `${base}/:id`,
      {
        schema: {
          tags,
          summary: `Delete a ${kind} (its owner or an admin)`,
          params: idParams,
          response: { 204: z.null(), 403: errorSchema, 404: errorSchema },
        },
      },
      async (request, reply) => {
        await deleteRecord(db(), currentUser(request), kind, request.params.id);
        return reply.status(204).send(null);
      },
    );
    app.get(
      `${base}/:id/emails`,
      {
        schema: {
          tags,
          summary: `The emails linked to a ${kind}, newest first (threadId groups them into threads)`,
          params: idParams,
          querystring: z.object(pageQuery),
          response: {
            200: z.object({ items: z.array(summarySchema), nextCursor: z.string().nullable() }),
            400: errorSchema,
            404: errorSchema,
          },
        },
      },
      async (request) => recordEmails(db(), currentUser(request), kind, request.params.id, request.query),
    );
    app.get(
      `${base}/:id/engagement`,
      {
        schema: {
          tags,
          summary: `Touchpoints of one ${kind}: every email in and out with its engagement, and its activity per week`,
          params: idParams,
          response: { 200: engagementSchema, 404: errorSchema },
        },
      },
      async (request) => recordEngagement(db(), currentUser(request), kind, request.params.id),
    );
  }
}
