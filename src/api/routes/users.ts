import { z } from 'zod';
import {
  createUser,
  directory,
  issuePasswordReset,
  listUsers,
  MAX_PASSWORD_LENGTH,
  updateUser,
  userView,
} from '../../users/index.ts';
import { deleteUser } from '../../crm/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser, requireAdmin } from '../authenticate.ts';
import { emailSchema, errorSchema } from '../schemas.ts';

const tags = ['users'];
const idParams = z.object({ id: z.string() });
const adminUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  admin: z.boolean(),
  active: z.boolean(),
  createdAt: z.string(),
});

/** Administrators manage users: create, rename, promote, deactivate, and issue password resets. */
export function userRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;

  app.get(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'Every user (administrators only)',
        response: { 200: z.object({ items: z.array(adminUserSchema) }), 403: errorSchema },
      },
    },
    async (request) => {
      requireAdmin(request);
      return { items: await listUsers(db()) };
    },
  );

  app.get(
    '/api/v1/users/directory',
    {
      schema: {
        tags,
        summary:
          'Active users whose name or email starts with q, for @mention autocomplete (any signed-in user; at most 20)',
        querystring: z.object({ q: z.string().max(200).optional() }),
        response: {
          200: z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), email: z.string() })) }),
        },
      },
    },
    async (request) => {
      currentUser(request);
      return { items: await directory(db(), request.query.q ?? '') };
    },
  );

  app.post(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'Create a user (administrators only); the password must not be a common one',
        body: z.object({
          email: emailSchema,
          name: z.string().trim().max(200).optional(),
          admin: z.boolean().optional(),
          password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
        }),
        response: { 201: adminUserSchema, 400: errorSchema, 403: errorSchema, 409: errorSchema },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { email, name, admin, password } = request.body;
      const created = await createUser(db(), { email, name, password, isAdmin: admin });
      return reply.status(201).send(await userView(db(), created.id));
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags,
        summary:
          'Rename, promote or deactivate a user (administrators only); deactivating ends their sessions and API tokens and keeps their data',
        params: idParams,
        body: z.object({
          name: z.string().trim().min(1).max(200).optional(),
          admin: z.boolean().optional(),
          active: z.boolean().optional(),
        }),
        response: { 200: adminUserSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => updateUser(db(), requireAdmin(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/users/:id',
    {
      schema: {
        tags,
        summary:
          'Delete a user (administrators only): their sessions and API tokens end at once; their mailboxes go with their synced mail, drafts and the comments on it (the mail servers keep the mail), and their rules, sign-ins and comments; the records they own pass to you, or to recordsTo',
        params: idParams,
        querystring: z.object({
          recordsTo: z.string().optional().describe('Id of the active user who takes their records; default: you'),
        }),
        response: {
          200: z.object({ mailboxes: z.number().int(), records: z.number().int(), recordsTo: z.string() }),
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request) => {
      const admin = requireAdmin(request);
      return deleteUser(app.tandem, app.sync, request.params.id, {
        actorId: admin.id,
        recordsTo: request.query.recordsTo ?? null,
      });
    },
  );

  app.post(
    '/api/v1/users/:id/password-reset',
    {
      schema: {
        tags,
        summary:
          'Issue a one-time password reset token for a user (administrators only); hand it over privately, it works once within a day',
        params: idParams,
        response: { 201: z.object({ token: z.string(), expiresAt: z.string() }), 403: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { token, expiresAt } = await issuePasswordReset(db(), request.params.id);
      return reply.status(201).send({ token, expiresAt: new Date(expiresAt).toISOString() });
    },
  );
}
