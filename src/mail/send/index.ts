// Sending: compose, check the size, send over SMTP exactly once, file the Sent copy through the outbox.
export { sendMessage } from './send.ts';
export type { MergeValuesLookup, SendInput, SendResult } from './send.ts';
export { getSend, markFoundInSent, markInterruptedSends, sendStateOf, STALE_SEND_MS } from './sends.ts';
export { foundInSent } from './find-sent.ts';
export type { SendView } from './sends.ts';
export { outgoingServerView, removeOutgoingServer, setOutgoingServer } from './outgoing-server.ts';
export type { OutgoingServerView } from './outgoing-server.ts';
