import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** The browser's session: HttpOnly, SameSite=Strict; holds the same token as a Bearer session. */
export const SESSION_COOKIE = 'tandem_session';
/**
 * A cookie-authenticated request that changes something must carry this header.
 * A cross-site page cannot add a custom header without a CORS preflight (which
 * this server never grants), so a forged form post or fetch is refused.
 */
export const CSRF_HEADER = 'x-tandem-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every route requires a token (Bearer header or session cookie) unless its config says `public: true`. */
export function installAuthentication(app: FastifyInstance, db: Kysely<Database>): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.public) return;
    const token = bearerToken(request) ?? cookieToken(request);
    if (!token) throw new TandemError('unauthorized', 'Sign in first: send "Authorization: Bearer <token>"');
    const user = await userForToken(db, token);
    if (!user) throw new TandemError('unauthorized', 'The token is unknown or has expired; sign in again');
    request.user = user;
  });
}

/** The session token of the request: the Bearer header first, else the session cookie. */
export function sessionToken(request: FastifyRequest): string | null {
  return bearerToken(request) ?? request.cookies[SESSION_COOKIE] ?? null;
}

function cookieToken(request: FastifyRequest): string | null {
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return null;
  if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== '1') {
    throw new TandemError(
      'csrf_failed',
      `A signed-in browser request that changes something must send the header "${CSRF_HEADER}: 1"`,
    );
  }
  return token;
}

/** Sets the session cookie (login and first-run setup). */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: number): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: secureCookies(request),
    path: '/',
    expires: new Date(expiresAt),
  });
}

/**
 * Cookies are `Secure` when Tandem is published over HTTPS (`publicUrl`), or
 * when the request came over HTTPS (directly, or through a trusted proxy's
 * X-Forwarded-Proto).
 */
export function secureCookies(request: FastifyRequest): boolean {
  return request.server.tandem.config.publicUrl?.startsWith('https:') === true || request.protocol === 'https';
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
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
