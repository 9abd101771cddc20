import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TandemError } from '../../errors/index.ts';
import { countUsers, createSession, createUser, MIN_PASSWORD_LENGTH } from '../../users/index.ts';
import type { ApiApp } from '../api-app.ts';
import { setSessionCookie } from '../authenticate.ts';
import { emailSchema, errorSchema, userSchema } from '../schemas.ts';

/**
 * First run: while no user exists, the first admin can be created with the
 * one-time setup code that `tandem serve` prints in its log, so nobody else on
 * the network can take the instance.
 */
export function setupRoutes(app: ApiApp, setupCode: string | null): void {
  let code = setupCode;

  app.get(
    '/api/v1/setup',
    {
      config: { public: true },
      schema: {
        tags: ['setup'],
        summary: 'Whether the first admin still has to be created',
        response: { 200: z.object({ needed: z.boolean(), codeRequired: z.boolean() }) },
      },
    },
    async () => ({ needed: (await countUsers(app.tandem.store.db)) === 0, codeRequired: true }),
  );

  app.post(
    '/api/v1/setup',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['setup'],
        summary: 'Create the first admin with the setup code from the server log',
        body: z.object({
          setupCode: z.string().min(1),
          email: emailSchema,
          name: z.string().trim().max(200).optional(),
          password: z.string().min(MIN_PASSWORD_LENGTH),
        }),
        response: { 201: z.object({ token: z.string(), user: userSchema }), 403: errorSchema, 409: errorSchema },
      },
    },
    async (request, reply) => {
      const db = app.tandem.store.db;
      if ((await countUsers(db)) > 0) throw new TandemError('setup_done', 'Tandem is already set up; sign in instead');
      if (!code || !sameText(code, request.body.setupCode)) {
        throw new TandemError(
          'invalid_setup_code',
          'The setup code is wrong; it is printed in the log of tandem serve',
        );
      }
      const user = await createUser(db, { ...request.body, isAdmin: true });
      code = null; // one-time
      const session = await createSession(db, user.id);
      setSessionCookie(request, reply, session.token, session.expiresAt);
      return reply.status(201).send({ token: session.token, user });
    },
  );
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b.trim());
  return left.length === right.length && timingSafeEqual(left, right);
}
