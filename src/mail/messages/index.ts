// Public surface of the message store: writing synced mail, reading it for the
// API, full-text search conditions and the stable identity of a message.
export * from './write.ts';
export * from './read.ts';
export * from './search-query.ts';
export { parseSearch } from './search-operators.ts';
export type { ParsedSearch } from './search-operators.ts';
export * from './stable-key.ts';
export * from './replied.ts';
export * from './privacy.ts';
export * from './storage.ts';
export * from './body.ts';
