export { buildApp } from './app.ts';
export type { ApiApp, BuildAppOptions } from './app.ts';
