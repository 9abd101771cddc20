import { z } from 'zod';
import {
  KIND_PATHS,
  RECORD_KINDS,
  createRecord,
  deleteRecord,
  getRecord,
  listRecords,
  recordEmails,
  recordFieldsSchema,
  updateRecord,
} from '../../crm/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';
import { summarySchema } from './messages.ts';

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
  createdAt: z.string(),
  updatedAt: z.string(),
});

const idParams = z.object({ id: z.string() });
const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
};

/** CRUD for every record kind, and each record's email history: /contacts, /leads, /organizations, /deals, /cases, /tickets. */
export function recordRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;
  for (const kind of RECORD_KINDS) {
    const base = `/api/v1/${KIND_PATHS[kind]}`;
    const tags = ['records'];
    app.get(
      base,
      {
        schema: {
          tags,
          summary: `List ${KIND_PATHS[kind]} you can see, by name; q searches names, companies and email addresses`,
          querystring: z.object({ q: z.string().max(200).optional(), ...pageQuery }),
          response: {
            200: z.object({ items: z.array(recordSchema), nextCursor: z.string().nullable() }),
            400: errorSchema,
          },
        },
      },
      async (request) => listRecords(db(), currentUser(request), kind, request.query),
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
  }
}
