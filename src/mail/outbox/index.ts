export { changeMessage, changeMessages, deleteMessage } from './local-changes.ts';
export type { MessageChange } from './local-changes.ts';
export { drainOutbox, MAX_ATTEMPTS } from './executor.ts';
export { enqueueOp, pruneDoneOps } from './ops.ts';
export type { OpKind, OpPayload } from './ops.ts';
export { hasCopyOfSend, resolveUncertainSends, RESOLVE_SENDS_FOR_MS } from './resolve-sends.ts';
