export { SyncEngine } from './engine.ts';
export type { EngineDeps } from './engine.ts';
export { hintingSyncControl, listen, listenForHints, receiveMailEvents, relayMailEvents } from './hints.ts';
export type { HintListener } from './hints.ts';
export { storeOnlySync } from './control.ts';
export type { SyncControl } from './control.ts';
export { SYNC_TIMING, syncTiming } from './timing.ts';
export type { SyncTiming } from './timing.ts';
