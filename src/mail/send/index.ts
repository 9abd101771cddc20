// Sending: compose, check the size, send over SMTP exactly once, file the Sent copy through the outbox.
export { sendMessage } from './send.ts';
export { senderOf } from './sender.ts';
export { smtpSettingsOf } from './smtp.ts';
export type { MergeValuesLookup, SendInput, SendResult } from './send.ts';
export {
  getSend,
  listSends,
  markFoundInSent,
  markInterruptedSends,
  MAX_SENDS_LISTED,
  sendStateOf,
  STALE_SEND_MS,
} from './sends.ts';
export { foundInSent } from './find-sent.ts';
export type { SendStatus, SendView } from './sends.ts';
export { outgoingServerView, removeOutgoingServer, setOutgoingServer } from './outgoing-server.ts';
export type { OutgoingServerView } from './outgoing-server.ts';
export { confirmAddressCode, sendAddressCode } from './address-verification.ts';
