import type { Kysely } from 'kysely';
import type { TandemContext } from '../context/index.ts';
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

/** Purges a minute after start and then every PURGE_INTERVAL_MS (as the blob collector runs); returns the stop. */
export function purgeEventsPeriodically(context: TandemContext): () => void {
  const run = () => {
    purgeExpiredEvents(context.store.db).then(
      (deleted) => {
        if (deleted > 0) context.logger.info({ deleted }, 'expired tracking events purged');
      },
      (error: unknown) => context.logger.error({ err: error }, 'the purge of tracking events failed'),
    );
  };
  const first = setTimeout(run, 60_000);
  const every = setInterval(run, PURGE_INTERVAL_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
