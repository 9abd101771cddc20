import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import { userForToken } from '../users/index.ts';
import type { User } from '../users/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every route that is not public. */
    user: User | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a token (login, first-run setup, health, OpenAPI). */
    public?: boolean;
  }
}

/** Every route requires a token unless its config says `public: true`. */
export function installAuthentication(app: FastifyInstance, db: Kysely<Database>): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.public) return;
    const token = bearerToken(request);
    if (!token) throw new TandemError('unauthorized', 'Sign in first: send "Authorization: Bearer <token>"');
    const user = await userForToken(db, token);
    if (!user) throw new TandemError('unauthorized', 'The token is unknown or has expired; sign in again');
    request.user = user;
  });
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** The signed-in user; only for routes that are not public. */
export function currentUser(request: FastifyRequest): User {
  if (!request.user) throw new TandemError('unauthorized', 'Sign in first');
  return request.user;
}

export function requireAdmin(request: FastifyRequest): User {
  const user = currentUser(request);
  if (!user.isAdmin) throw new TandemError('forbidden', 'Only an administrator can do this');
  return user;
}
