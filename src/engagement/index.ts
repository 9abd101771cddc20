// Engagement: open and click marks on what Tandem sends, signed tokens, classification of what comes back,
// the admin's consent settings and retention (docs/engagement.md).
export { classify, SCANNER_TIMING } from './classify.ts';
export type { Classification, TrackingRequest } from './classify.ts';
export { ipPrefix } from './ip.ts';
export { markHtml, trackableLinks } from './marks.ts';
export { trackedRecipients } from './plan.ts';
export { purgeEventsPeriodically, purgeExpiredEvents } from './purge.ts';
export { recipientList, recipientListOf } from './recipients.ts';
export { recordHit } from './record.ts';
export type { HitResult, TrackingHit } from './record.ts';
export {
  DEFAULT_TRACKING_SETTINGS,
  setTrackingSettings,
  trackingSettings,
  trackingSettingsSchema,
} from './settings.ts';
export type { TrackingSettings } from './settings.ts';
export { signToken, tokenizable, trackingKey, verifyToken } from './tokens.ts';
export type { TokenFields, TokenKind } from './tokens.ts';
export { engagementOfMessage } from './view.ts';
export type { Engagement, EngagementEvent, RecipientEngagement } from './view.ts';
