import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MailServerError } from '../imap/index.ts';
import { afterFailure, MAX_THROTTLE_WAIT_MS, runConnectionLoop } from './connection-loop.ts';
import type { LoopDelegate } from './connection-loop.ts';
import { LEASE_TTL_MS, LeaseLost } from './leases.ts';

/** What one session does: fail with an error, work (call `working`) and then fail, or end because the loop was stopped. */
type Script = ({ fail: unknown; afterWorking?: boolean } | 'stop')[];

/** A delegate that plays a script of sessions on fake timers and records what the loop did. */
function scripted(script: Script) {
  let stopped = false;
  const events: string[] = [];
  const delegate: LoopDelegate = {
    async session(working) {
      const next = script.shift() ?? 'stop';
      if (next === 'stop') {
        stopped = true;
        return;
      }
      if (next.afterWorking) working();
      throw next.fail;
    },
    async failed(failure, retryInMs) {
      events.push(retryInMs === null ? `stop:${failure.failure}` : `failed:${failure.failure}:${retryInMs}`);
    },
    leaseTaken: () => events.push('lease'),
    sleep: (ms) => new Promise((resolve) => setTimeout(() => resolve(events.push(`slept:${ms}`)), ms)),
    stopped: () => stopped,
  };
  return { delegate, events, stop: () => (stopped = true) };
}

const dropped = () => Object.assign(new Error('Connection closed'), { code: 'EConnectionClosed' });
const MAX_JITTER = () => 0.999999; // the delay at its ceiling, so the growth shows

describe('the connection loop', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('backs off more after each failure in a row, up to five minutes', async () => {
    const { delegate, events } = scripted(Array.from({ length: 12 }, () => ({ fail: dropped() })));
    const done = runConnectionLoop(delegate, MAX_JITTER);
    await vi.runAllTimersAsync();
    await done;
    const delays = events.filter((e) => e.startsWith('slept:')).map((e) => Number(e.slice(6)));
    expect(delays.slice(0, 5)).toEqual([2000, 4000, 8000, 16000, 32000]);
    expect(delays.at(-1)).toBe(5 * 60_000);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1]!)).toBe(true);
  });

  it('starts the backoff over only after a session whose step worked', async () => {
    const { delegate, events } = scripted([
      { fail: dropped() },
      { fail: dropped() },
      { fail: dropped(), afterWorking: true },
      { fail: dropped() },
    ]);
    const done = runConnectionLoop(delegate, MAX_JITTER);
    await vi.runAllTimersAsync();
    await done;
    expect(events.filter((e) => e.startsWith('slept:'))).toEqual([
      'slept:2000',
      'slept:4000',
      'slept:2000',
      'slept:4000',
    ]);
  });

  it('stops for good on a refused login, showing why', async () => {
    const { delegate, events } = scripted([
      { fail: { authenticationFailed: true, responseText: 'Invalid credentials' } },
      { fail: dropped() },
    ]);
    const done = runConnectionLoop(delegate);
    await vi.runAllTimersAsync();
    await done;
    expect(events).toEqual(['stop:auth_failed']);
  });

  it('never comes back sooner than a throttling server asked, nor later than the cap', async () => {
    const throttled = (ms: number) => ({
      responseStatus: 'NO',
      responseText: `Request is throttled. Suggested Backoff Time: ${ms} milliseconds`,
    });
    const { delegate, events } = scripted([{ fail: throttled(92_415) }, { fail: throttled(10 * 3600_000) }]);
    const done = runConnectionLoop(delegate);
    await vi.runAllTimersAsync();
    await done;
    expect(events).toEqual([
      'failed:throttled:92415',
      'slept:92415',
      `failed:throttled:${MAX_THROTTLE_WAIT_MS}`,
      `slept:${MAX_THROTTLE_WAIT_MS}`,
    ]);
  });

  it('waits for a lease another worker holds without counting it as a failure', async () => {
    const { delegate, events } = scripted([
      { fail: new LeaseLost('taken') },
      { fail: new LeaseLost('taken') },
      { fail: dropped() },
    ]);
    const done = runConnectionLoop(delegate, MAX_JITTER);
    await vi.runAllTimersAsync();
    await done;
    expect(events).toEqual([
      'lease',
      `slept:${LEASE_TTL_MS / 3}`,
      'lease',
      `slept:${LEASE_TTL_MS / 3}`,
      'failed:connection_failed:2000',
      'slept:2000',
    ]);
  });

  it('ends without reporting a failure when stopped while a session fails', async () => {
    const { delegate, events, stop } = scripted([]);
    delegate.session = async () => {
      stop();
      throw dropped();
    };
    await runConnectionLoop(delegate);
    expect(events).toEqual([]);
  });
});

describe('afterFailure', () => {
  it('retries a session whatever failed in it; only a refused login stops it', () => {
    expect(afterFailure(new MailServerError('no_such_folder', 'gone'), 1, () => 0.5)).toMatchObject({
      action: 'retry',
      delayMs: 1000,
    });
    expect(afterFailure(new MailServerError('auth_failed', 'refused'), 3)).toMatchObject({ action: 'stop' });
  });
});
