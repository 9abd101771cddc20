export { TandemError, errorCatalog } from './catalog.ts';
export type { ErrorCode } from './catalog.ts';
