import { z } from 'zod';
import { TandemError } from '../../errors/index.ts';
import {
  assertNotLocked,
  authenticate,
  clearLoginFailures,
  createSession,
  deleteSession,
  recordLoginFailure,
  updateProfile,
  userForToken,
} from '../../users/index.ts';
import type { ApiApp } from '../api-app.ts';
import { clearSessionCookie, currentUser, sessionToken, setSessionCookie } from '../authenticate.ts';
import { errorSchema, userSchema } from '../schemas.ts';

const sessionSchema = z.object({ token: z.string(), expiresAt: z.iso.datetime(), user: userSchema });

/** Login attempts allowed per client address and minute. */
export const LOGIN_ATTEMPTS_PER_MINUTE = 10;

export function authRoutes(app: ApiApp): void {
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true, rateLimit: { max: LOGIN_ATTEMPTS_PER_MINUTE, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary:
          'Sign in with email and password; returns a session token (also set as an HttpOnly session cookie for the web app)',
        body: z.object({ email: z.string().min(1), password: z.string().min(1) }),
        response: { 200: sessionSchema, 401: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const { db } = app.tandem.store;
      const { email, password } = request.body;
      try {
        await assertNotLocked(db, email);
        const user = await authenticate(db, email, password);
        if (!user) {
          await recordLoginFailure(db, email);
          throw new TandemError('invalid_credentials', 'The email or password is wrong');
        }
        await clearLoginFailures(db, email);
        const session = await createSession(db, user.id, {
          userAgent: request.headers['user-agent'],
          clientIp: request.ip,
        });
        setSessionCookie(request, reply, session.token, session.expiresAt);
        return { token: session.token, expiresAt: new Date(session.expiresAt).toISOString(), user };
      } catch (error) {
        if (error instanceof TandemError && error.code === 'account_locked')
          reply.header('retry-after', String(error.details?.retryAfter ?? 60));
        throw error;
      }
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the current session (and clear the session cookie)',
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteSession(app.tandem.store.db, sessionToken(request) ?? '');
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );

  app.patch(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your name or signature (added to emails composed in Tandem, above any quoted text)',
        body: z.object({
          name: z.string().trim().min(1).max(200).optional(),
          signature: z.string().max(10_000).optional(),
        }),
        response: { 200: userSchema.extend({ signature: z.string() }) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const profile = await updateProfile(app.tandem.store.db, user.id, request.body);
      return { ...user, ...profile };
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in (null when nobody): lets the web app ask without a failed request',
        response: { 200: z.object({ user: userSchema.nullable() }) },
      },
    },
    async (request) => {
      const token = sessionToken(request);
      return { user: token ? await userForToken(app.tandem.store.db, token) : null };
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user, with the signature added to emails composed in Tandem',
        response: { 200: userSchema.extend({ signature: z.string() }) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      return { ...user, ...(await updateProfile(app.tandem.store.db, user.id, {})) };
    },
  );
}
