export { buildApp } from './app.ts';
export type { BuildAppOptions } from './app.ts';
export type { ApiApp } from './api-app.ts';
export { WEB_APP_DIR, webAppBuilt } from './web.ts';
export { relayedPresence } from './presence-relay.ts';
export type { Presence } from './presence.ts';
