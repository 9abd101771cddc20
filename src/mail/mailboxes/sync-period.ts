import type { SyncPeriod } from '../../db/index.ts';

const MONTHS: Record<SyncPeriod, number> = { now: 0, '1m': 1, '3m': 3, '6m': 6 };

/** The oldest moment a mailbox syncs: `now` means nothing from before it was added. */
export function syncSince(period: SyncPeriod, createdAt: number): number {
  const since = new Date(createdAt);
  since.setUTCMonth(since.getUTCMonth() - MONTHS[period]);
  return since.getTime();
}
