import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordHit, trackingKey } from '../../engagement/index.ts';
import { onTrackingEvents } from '../../crm/index.ts';
import { publishMailEvent } from '../../events/index.ts';
import type { TokenKind } from '../../engagement/index.ts';
import { userForToken } from '../../users/index.ts';
import type { ApiApp } from '../api-app.ts';
import { SESSION_COOKIE } from '../authenticate.ts';

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const NOT_FOUND_PAGE = '<!doctype html><meta charset="utf-8"><title>Not found</title><p>Not found.</p>\n';

const tokenParams = z.object({ token: z.string().max(200) });

/**
 * The open pixel and the click redirects that tracked emails point at
 * (docs/engagement.md): public (a recipient is not signed in), rate-limited per
 * client address, answered at once with an image or a redirect to the link's
 * stored URL; any token that is not genuine gets the same plain 404 page and
 * records nothing. Outside the API document: no client of the API calls them.
 */
export function trackingRoutes(app: ApiApp): void {
  const key = trackingKey(app.tandem.secrets);
  const touchpoints = new TouchpointRefresh(app);
  app.addHook('onClose', () => touchpoints.flush());
  const config = {
    public: true,
    rateLimit: { max: app.tandem.config.trackingRequestsPerMinute, timeWindow: '1 minute' },
  };
  app.route({
    method: ['GET', 'HEAD'],
    url: '/t/o/:token',
    exposeHeadRoute: false,
    config,
    schema: { hide: true, params: tokenParams },
    handler: async (request, reply) => {
      const token = request.params.token.replace(/\.gif$/, '');
      const result = await record('open', request, token);
      if (!result.recorded) return notFound(reply);
      return privateAnswer(reply)
        .type('image/gif')
        .send(request.method === 'HEAD' ? undefined : PIXEL);
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/t/c/:token',
    exposeHeadRoute: false,
    config,
    schema: { hide: true, params: tokenParams },
    handler: async (request, reply) => {
      const result = await record('click', request, request.params.token);
      if (!result.recorded || result.redirectTo === null) return notFound(reply);
      return privateAnswer(reply).redirect(result.redirectTo, 302);
    },
  });

  /** Records the request if its token is genuine; a session cookie of the sender's makes it the sender's own. */
  async function record(kind: TokenKind, request: FastifyRequest, token: string) {
    const session = request.cookies[SESSION_COOKIE];
    const user = session ? await userForToken(app.tandem.store.db, session) : null;
    const result = await recordHit(app.tandem.store.db, key, {
      kind,
      token,
      method: request.method,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? '',
      sessionUserId: user?.id ?? null,
    });
    if (result.recorded) touchpoints.note(result.sendId, result.mailboxId);
    return result;
  }
}

/** Never cached (each fetch is an event), and nothing of Tandem's address passed on. */
function privateAnswer(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store, private').header('referrer-policy', 'no-referrer');
}

function notFound(reply: FastifyReply): FastifyReply {
  return privateAnswer(reply).code(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE);
}

/** How long events gather before the records they touch are recomputed. */
const REFRESH_AFTER_MS = 250;

/**
 * Keeps the linked records' opens, clicks and last engagement up to date off
 * the request path: the sends hit in the last moment are recomputed together
 * (idempotent, from the stored events), then open record pages are told.
 */
class TouchpointRefresh {
  #pending = new Map<string, string>(); // send id → mailbox id
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly app: ApiApp) {}

  note(sendId: string, mailboxId: string): void {
    this.#pending.set(sendId, mailboxId);
    this.#timer ??= setTimeout(() => void this.flush(), REFRESH_AFTER_MS);
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const sends = new Map(this.#pending);
    this.#pending.clear();
    if (sends.size === 0) return;
    try {
      await onTrackingEvents(this.app.tandem.store.db, [...sends.keys()]);
      for (const mailboxId of new Set(sends.values())) publishMailEvent({ type: 'touchpoints.changed', mailboxId });
    } catch (error) {
      this.app.log.error({ err: error }, 'could not refresh the touchpoints of tracked sends');
    }
  }
}
