export { BlobStore } from './blob-store.ts';
export type { SweepResult } from './blob-store.ts';
