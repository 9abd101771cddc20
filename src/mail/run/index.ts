export { Alarm, backoffDelay } from './backoff.ts';
export { fencedWriter } from './fenced.ts';
export type { FencedWrite, StoreReader } from './fenced.ts';
export { LEASE_TTL_MS, LeaseLost, MailboxLease } from './leases.ts';
export type { FolderRow, MailboxRun, StoredBatch, SyncDeps, SyncHooks } from './run-context.ts';
