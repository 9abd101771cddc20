import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/index.ts';

/**
 * The admin's tracking settings, in `settings` under one key: whether
 * one-to-one emails are tracked unless the sender says otherwise (workflow
 * emails always are, unless a recipient is marked do not track), and how long
 * events are kept.
 */
const KEY = 'tracking';

export const trackingSettingsSchema = z.object({
  trackOneToOne: z.boolean().describe('One-to-one emails (compose, replies, case replies) are tracked by default'),
  retentionDays: z.number().int().min(1).max(3650).describe('Open and click events older than this are deleted'),
});

export type TrackingSettings = z.infer<typeof trackingSettingsSchema>;

export const DEFAULT_TRACKING_SETTINGS: TrackingSettings = { trackOneToOne: false, retentionDays: 180 };

export async function trackingSettings(db: Kysely<Database>): Promise<TrackingSettings> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst();
  if (!row) return DEFAULT_TRACKING_SETTINGS;
  const parsed = trackingSettingsSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : DEFAULT_TRACKING_SETTINGS;
}

export async function setTrackingSettings(db: Kysely<Database>, value: TrackingSettings): Promise<TrackingSettings> {
  const now = Date.now();
  await db
    .insertInto('settings')
    .values({ key: KEY, value: JSON.stringify(value), updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
    .execute();
  return value;
}
