// Engagement on records: replies, auto-replies and bounces read from synced
// mail, and each record's touchpoints (docs/engagement.md).
export { noteEngagement } from './on-stored.ts';
export { bouncingAddresses, bouncingFor } from './bounces.ts';
export type { BouncingAddress } from './bounces.ts';
export { onTrackingEvents, refreshTouchpoints, touchpointsOf } from './touchpoints.ts';
export type { Touchpoints } from './touchpoints.ts';
