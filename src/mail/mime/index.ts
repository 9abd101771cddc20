// Public surface of the MIME layer: parse raw messages, sanitize their HTML,
// and the small pure helpers threading and import code need.
export { parseMessage, SELECTED_HEADERS } from './parse.ts';
export { parseListing } from './listing.ts';
export type { Listing } from './listing.ts';
export { sanitizeEmailHtml, hasRemoteContent, countRemoteImages } from './sanitize.ts';
export { normalizeMessageId, parseMessageIdList } from './message-id.ts';
export { subjectForThreading } from './subject.ts';
export { stripMboxEnvelope } from './mbox.ts';
export type { MailAddress, ParsedAttachment, ParsedMessage } from './types.ts';
export { composeMessage, TANDEM_ID_HEADER } from './compose.ts';
export type { ComposeAttachment, ComposedMessage, ComposeInput } from './compose.ts';
export { megabytes } from './size.ts';
export { withoutBcc } from './without-bcc.ts';
export { fillMergeTags, hasMergeTags, MERGE_TAGS, unknownMergeTags } from './merge-tags.ts';
export type { MergeTag, MergeValues } from './merge-tags.ts';
export { withTandemId } from './tandem-id.ts';
export { cidReferences } from './attachments.ts';
export { readDeliveryReport } from './delivery-report.ts';
export type { DeliveryReport, FailedRecipient } from './delivery-report.ts';
export { ParsePool, parseWorkerCount } from './parse-pool.ts';
