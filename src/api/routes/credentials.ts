import { z } from 'zod';
import {
  changePassword,
  createApiToken,
  listApiTokens,
  listSessions,
  MAX_PASSWORD_LENGTH,
  resetPassword,
  revokeApiToken,
  revokeOtherSessions,
  revokeSession,
} from '../../users/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser, sessionToken } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';

const tags = ['auth'];
const idParams = z.object({ id: z.string() });
const password = z.string().min(1).max(MAX_PASSWORD_LENGTH);

const sessionSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
  clientIp: z.string().nullable(),
  current: z.boolean().describe('The session this request was made with'),
});
const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});

/** A signed-in user's own credentials: password, sessions, API tokens; and the public end of an admin's password reset. */
export function credentialRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;

  app.post(
    '/api/v1/auth/password',
    {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Change your password (the current one is required); your other sessions end',
        body: z.object({ currentPassword: password, newPassword: password }),
        response: { 204: z.null(), 400: errorSchema, 401: errorSchema },
      },
    },
    async (request, reply) => {
      await changePassword(
        db(),
        currentUser(request).id,
        request.body.currentPassword,
        request.body.newPassword,
        sessionToken(request),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary:
          'Set a new password with the one-time reset token an administrator issued; every session of the account ends',
        body: z.object({ token: z.string().min(1), newPassword: password }),
        response: { 204: z.null(), 400: errorSchema },
      },
    },
    async (request, reply) => {
      await resetPassword(db(), request.body.token, request.body.newPassword);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/sessions',
    {
      schema: {
        tags,
        summary: 'Your signed-in sessions (browsers and API logins), newest first',
        response: { 200: z.object({ items: z.array(sessionSchema) }) },
      },
    },
    async (request) => ({ items: await listSessions(db(), currentUser(request).id, sessionToken(request)) }),
  );

  app.delete(
    '/api/v1/auth/sessions/:id',
    {
      schema: {
        tags,
        summary: 'End one of your sessions',
        params: idParams,
        response: { 204: z.null(), 404: errorSchema },
      },
    },
    async (request, reply) => {
      await revokeSession(db(), currentUser(request).id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/sessions/revoke-others',
    {
      schema: {
        tags,
        summary: 'End every session of yours but this one',
        response: { 200: z.object({ revoked: z.number() }) },
      },
    },
    async (request) => ({ revoked: await revokeOtherSessions(db(), currentUser(request).id, sessionToken(request)) }),
  );

  app.get(
    '/api/v1/auth/tokens',
    {
      schema: {
        tags,
        summary: 'Your API tokens (never their secret)',
        response: { 200: z.object({ items: z.array(tokenSchema) }) },
      },
    },
    async (request) => ({ items: await listApiTokens(db(), currentUser(request).id) }),
  );

  app.post(
    '/api/v1/auth/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token; the secret is in this answer only',
        body: z.object({
          name: z.string().trim().min(1).max(200),
          expiresInDays: z
            .number()
            .int()
            .min(1)
            .max(3650)
            .nullable()
            .optional()
            .describe('Days until it stops working; null or left out: until revoked'),
        }),
        response: { 201: tokenSchema.extend({ token: z.string() }) },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const { name, expiresInDays } = request.body;
      const expiresAt = expiresInDays ? Date.now() + expiresInDays * 24 * 3600 * 1000 : null;
      const { id, token } = await createApiToken(db(), user.id, name, expiresAt);
      const view = (await listApiTokens(db(), user.id)).find((t) => t.id === id);
      return reply
        .status(201)
        .send({
          ...(view ?? { id, name, createdAt: new Date().toISOString(), lastUsedAt: null, expiresAt: null }),
          token,
        });
    },
  );

  app.delete(
    '/api/v1/auth/tokens/:id',
    {
      schema: {
        tags,
        summary: 'Revoke one of your API tokens at once',
        params: idParams,
        response: { 204: z.null(), 404: errorSchema },
      },
    },
    async (request, reply) => {
      await revokeApiToken(db(), currentUser(request).id, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
