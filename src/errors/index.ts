export { TandemError, errorCatalog } from './catalog.ts';
export type { ErrorCode } from './catalog.ts';
export { isStorageFull, STORAGE_FULL_MESSAGE, storageStatus } from './storage.ts';
