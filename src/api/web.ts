import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { TandemError } from '../errors/index.ts';
import type { ApiApp } from './api-app.ts';

/** Where `npm run build` puts the web app. */
export const WEB_APP_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

export function webAppBuilt(dir = WEB_APP_DIR): boolean {
  return existsSync(`${dir}/index.html`);
}

/**
 * The app's pages only run our own code. Mail HTML is shown in a sandboxed
 * frame (no scripts) with its own stricter policy; remote images are allowed
 * here only so that frame (a srcdoc document, under this policy too) can load
 * them once the reader asks. Attachments, served from this origin, never carry
 * a type that could run as a script or style (routes/messages.ts).
 */
const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: http: https:",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Serves the built web app at `/`; any other non-API GET gets index.html (the app routes itself). */
export async function installWebApp(app: ApiApp, dir = WEB_APP_DIR): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
      route.schema = { ...route.schema, hide: true };
    });
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', APP_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
    });
    await scope.register(fastifyStatic, { root: dir, wildcard: false, index: false });
    scope.get('/*', async (request, reply) => {
      if (request.url.startsWith('/api/'))
        throw new TandemError('route_not_found', `No route GET ${request.url.split('?')[0]}`);
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  });
}
