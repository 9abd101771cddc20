export { Alarm, backoffDelay } from './backoff.ts';
export { afterFailure, MAX_THROTTLE_WAIT_MS, runConnectionLoop } from './connection-loop.ts';
export type { AfterFailure, LoopDelegate } from './connection-loop.ts';
export { fencedWriter } from './fenced.ts';
export type { FencedWrite, StoreReader } from './fenced.ts';
export { LEASE_TTL_MS, LeaseLost, MailboxLease } from './leases.ts';
export type { FolderRow, MailboxRun, StoredBatch, SyncDeps, SyncHooks } from './run-context.ts';
export {
  advanceCursor,
  afterFirstSyncBatch,
  forgetModseq,
  resetCursor,
  startCursor,
  writeCursor,
} from './folder-cursor.ts';
export type { CursorAdvance, CursorChange, FolderCursor, ResetCause, ServerFolderState } from './folder-cursor.ts';
