import { classifyImapError } from '../imap/index.ts';
import type { MailServerError } from '../imap/index.ts';
import { backoffDelay } from './backoff.ts';
import { LEASE_TTL_MS, LeaseLost } from './leases.ts';

/** The longest a server's suggested back-off is honoured. */
export const MAX_THROTTLE_WAIT_MS = 30 * 60_000;

/** What the loop does after a session ended with an error. */
export type AfterFailure =
  | { action: 'wait_for_lease'; delayMs: number }
  | { action: 'stop'; failure: MailServerError }
  | { action: 'retry'; delayMs: number; failure: MailServerError };

/**
 * The policy, apart from the work: another worker holds the lease → look again in a third of its
 * lifetime (not a failure); a refused login → stop until the user acts; anything else → back off with
 * jitter, growing with each failure in a row, never sooner than a throttling server asked.
 */
export function afterFailure(error: unknown, failuresInARow: number, random = Math.random): AfterFailure {
  if (error instanceof LeaseLost) return { action: 'wait_for_lease', delayMs: LEASE_TTL_MS / 3 };
  const failure = classifyImapError(error);
  if (failure.policy === 'reauthorize') return { action: 'stop', failure };
  const delayMs = Math.max(
    backoffDelay(failuresInARow, undefined, undefined, random),
    Math.min(failure.retryAfterMs ?? 0, MAX_THROTTLE_WAIT_MS),
  );
  return { action: 'retry', delayMs, failure };
}

/** What the loop runs: a connected session, and how to show what happened. */
export interface LoopDelegate {
  /** One session: connect and work until stopped; throws when it fails. Calls `working()` each time it made progress. */
  session(working: () => void): Promise<void>;
  /** A failure the user should see; `retryInMs` is null when the loop stops for good. */
  failed(failure: MailServerError, retryInMs: number | null): Promise<void>;
  /** Another worker has the mailbox. */
  leaseTaken(error: LeaseLost): void;
  /** Waits, unless stopped meanwhile. */
  sleep(ms: number): Promise<unknown>;
  stopped(): boolean;
}

/**
 * Keeps a mailbox connected: runs sessions one after another, and between them
 * waits as `afterFailure` decides. The backoff starts over only once a session
 * made progress (see MailboxSync), so a server or a link that fails before
 * that is never hammered.
 */
export async function runConnectionLoop(delegate: LoopDelegate, random = Math.random): Promise<void> {
  let failuresInARow = 0;
  while (!delegate.stopped()) {
    try {
      await delegate.session(() => (failuresInARow = 0));
    } catch (error) {
      if (delegate.stopped()) return;
      const next = afterFailure(error, failuresInARow + 1, random);
      if (next.action === 'wait_for_lease') {
        delegate.leaseTaken(error as LeaseLost);
        await delegate.sleep(next.delayMs);
        continue;
      }
      if (next.action === 'stop') {
        await delegate.failed(next.failure, null);
        return;
      }
      failuresInARow += 1;
      await delegate.failed(next.failure, next.delayMs);
      await delegate.sleep(next.delayMs);
    }
  }
}
