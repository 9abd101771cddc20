import { describe, expect, it } from 'vitest';
import { classifyImapError, throttleDelay } from './errors.ts';

describe('throttling', () => {
  it("reads Outlook's suggested back-off time", () => {
    const error = classifyImapError({ message: 'Command failed', responseText: 'Request is throttled. Suggested Backoff Time: 92415 milliseconds' });
    expect(error).toMatchObject({ failure: 'temporary', retryAfterMs: 92415, retryable: true });
  });

  it('treats throttling without a time as temporary, and other refusals as before', () => {
    expect(throttleDelay('Account is throttled')).toBe(0);
    expect(throttleDelay('Mailbox does not exist')).toBeNull();
    expect(classifyImapError({ authenticationFailed: true, responseText: 'Invalid credentials' })).toMatchObject({ failure: 'auth_failed', retryAfterMs: undefined });
  });
});
