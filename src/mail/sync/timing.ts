/**
 * The sync's clocks. The sync connection runs without auto-IDLE, so between
 * passes it is silent; ImapFlow ends a connection silent for `socketTimeoutMs`
 * (its default, 5 minutes, is exactly the full-check interval, which used to
 * flip every mailbox to `error` and log in again every 5 minutes). A NOOP
 * every `keepaliveMs` keeps it well inside that, whatever the full-check interval.
 */
export interface SyncTiming {
  /** Every synced folder is fully re-checked this often even without a change signal. */
  fullCheckMs: number;
  /** A waiting sync connection sends NOOP this often. */
  keepaliveMs: number;
  /** A connection silent this long is timed out by ImapFlow (set on purpose, never its default). */
  socketTimeoutMs: number;
}

export const SYNC_TIMING: SyncTiming = {
  fullCheckMs: 5 * 60_000,
  keepaliveMs: 2 * 60_000,
  socketTimeoutMs: 10 * 60_000,
};

/** The default clocks with some replaced (tests shorten them); a keepalive that could not beat the timeout is refused. */
export function syncTiming(overrides: Partial<SyncTiming> = {}): SyncTiming {
  const timing = { ...SYNC_TIMING, ...overrides };
  if (timing.keepaliveMs <= 0 || timing.keepaliveMs >= timing.socketTimeoutMs) {
    throw new Error(
      `The keepalive (${timing.keepaliveMs} ms) must be positive and shorter than the socket timeout (${timing.socketTimeoutMs} ms)`,
    );
  }
  return timing;
}
