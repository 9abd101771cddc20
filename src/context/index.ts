export { openContext } from './context.ts';
export type { OpenOptions, TandemContext } from './context.ts';
export { BLOB_GRACE_MS, collectBlobs, collectBlobsPeriodically, referencedBlobs } from './blob-gc.ts';
export type { BlobGcOptions, BlobGcResult } from './blob-gc.ts';
