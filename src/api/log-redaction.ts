import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/**
 * Query parameters whose values must never reach a log: OAuth2 authorization
 * codes and states (a code and its state are enough to finish someone's
 * sign-in), tokens, and search terms (what a user looks for in their mail).
 */
const SECRET_PARAMS = new Set([
  'code',
  'state',
  'q',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'session_state',
]);

/** The URL with the values of secret query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      return SECRET_PARAMS.has(decodeName(name).toLowerCase()) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, start)}?${query}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}

/** The request as Fastify logs it ("incoming request"), with the URL redacted. */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** The logger Fastify is given: the process's own, with request URLs redacted. */
export function httpLogger(logger: Logger): FastifyBaseLogger {
  return logger.child({}, { serializers: { req: requestForLog } }) as FastifyBaseLogger;
}
