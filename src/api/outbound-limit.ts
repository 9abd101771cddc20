import type { FastifyRequest } from 'fastify';

/** Requests per minute, per signed-in user, to each route that makes Tandem connect to a host a user names. */
export const OUTBOUND_REQUESTS_PER_MINUTE = 30;

/**
 * The rate limit of every route that opens connections to other hosts
 * (mail servers, autoconfig): keyed on the signed-in user (else the client
 * address), so nobody can use Tandem to sweep hosts and ports.
 */
export const outboundRateLimit = {
  max: OUTBOUND_REQUESTS_PER_MINUTE,
  timeWindow: '1 minute',
  keyGenerator: (request: FastifyRequest) => (request.user ? `user:${request.user.id}` : `ip:${request.ip}`),
};
