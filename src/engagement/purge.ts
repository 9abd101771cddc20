import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { trackingSettings } from './settings.ts';

/** How often the engine's processes purge expired events. */
export const PURGE_INTERVAL_MS = 6 * 3600 * 1000;

/** Deletes the open and click events older than the admin's retention period; returns how many. */
export async function purgeExpiredEvents(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const { retentionDays } = await trackingSettings(db);
  const result = await db
    .deleteFrom('tracking_events')
    .where('at', '<', now - retentionDays * 24 * 3600_000)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Purges now and then every PURGE_INTERVAL_MS; returns the function that stops it. */
export function purgeEventsPeriodically(
  db: Kysely<Database>,
  onError: (error: unknown) => void,
  onPurged: (count: number) => void,
): () => void {
  const run = () => void purgeExpiredEvents(db).then((n) => n > 0 && onPurged(n), onError);
  run();
  const timer = setInterval(run, PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
