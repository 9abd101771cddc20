export { BlobStore } from './blob-store.ts';
