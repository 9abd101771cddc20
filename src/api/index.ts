export { buildApp } from './app.ts';
export type { ApiApp, BuildAppOptions } from './app.ts';
export { WEB_APP_DIR, webAppBuilt } from './web.ts';
