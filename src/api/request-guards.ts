import type { FastifyInstance, RouteOptions } from 'fastify';
import { TandemError } from '../errors/index.ts';

/**
 * How large a request body may be, per route, checked before it is read
 * (Content-Length) and while it streams in: a sign-in is a few hundred bytes,
 * most requests a few kilobytes, and only the requests that carry attachments
 * (sending, drafts) may be large. See docs/security.md.
 */
export const BODY_LIMITS = {
  /** Routes open without signing in: login, first-run setup. */
  public: 16 * 1024,
  /** Everything else a signed-in user sends. */
  default: 1024 * 1024,
  /** Sends and drafts: attachments travel in the body as base64. */
  attachments: 50 * 1024 * 1024,
} as const;

/** JSON deeper than this is refused before it is parsed (Tandem's own bodies are a few levels deep). */
export const MAX_JSON_DEPTH = 32;

const ATTACHMENT_ROUTES = [/^\/api\/v1\/messages\/send$/, /^\/api\/v1\/drafts(\/|$)/];

export function bodyLimitFor(route: Pick<RouteOptions, 'url' | 'config'>): number {
  if (ATTACHMENT_ROUTES.some((pattern) => pattern.test(route.url))) return BODY_LIMITS.attachments;
  if ((route.config as { public?: boolean } | undefined)?.public) return BODY_LIMITS.public;
  return BODY_LIMITS.default;
}

/**
 * Gives every route its body limit (unless it names its own) and parses JSON
 * only after a linear scan has checked its depth: `[[[…]]]` nested millions
 * deep would otherwise keep the parser, and with it every request, busy for seconds.
 * Must be installed before the routes are added.
 */
export function installRequestGuards(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= bodyLimitFor(route);
  });
  app.addHook('onRequest', async (request) => {
    if (NUL_IN_URL.test(request.url)) throw nulRefused();
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      done(new TandemError('json_too_deep', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    if (NUL_IN_JSON.test(text)) {
      done(nulRefused(), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/**
 * NUL (U+0000) has no place in anything Tandem stores or searches, and the
 * stores choke on it (SQLite's full-text query syntax, PostgreSQL's text
 * encoding): it is refused up front, in the URL (path and query, percent-encoded
 * or not) and in JSON bodies (where it can only appear as the escape \u0000,
 * preceded by an even number of backslashes).
 */
const NUL_IN_URL = /%00|\0/i;
const NUL_IN_JSON = /(?<!\\)(?:\\\\)*\\u0000/;

function nulRefused(): TandemError {
  return new TandemError('bad_request', 'The request contains a NUL character (U+0000), which Tandem does not accept');
}

/**
 * The deepest nesting of arrays and objects in `text`, counted up to just past
 * `stop` (brackets inside strings do not count). Invalid JSON is left to the parser.
 */
export function jsonDepth(text: string, stop: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > stop) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
