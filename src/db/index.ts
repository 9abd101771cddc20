export { openStore, migrateToLatest } from './connect.ts';
export type { SessionTimeouts, Store, StoreOptions } from './connect.ts';
export type { Dialect } from './migrations.ts';
export type * from './schema.ts';
