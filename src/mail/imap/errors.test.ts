import { describe, expect, it } from 'vitest';
import { classifyImapError, MailServerError, policyFor, throttleDelay } from './errors.ts';
import type { MailServerFailure } from './errors.ts';

/** A tagged NO/BAD as ImapFlow raises it: status, response code and the server's text. */
function refusal(line: string): object {
  const match = /^(NO|BAD) (?:\[([A-Z-]+)[^\]]*\] )?(.*)$/.exec(line);
  if (!match) throw new Error(`not a NO/BAD line: ${line}`);
  const [, status, code, text] = match;
  return {
    message: 'Command failed',
    responseStatus: status,
    ...(code ? { serverResponseCode: code } : {}),
    responseText: text,
  };
}

/** Server responses as the servers send them, and the kind each must be filed under. */
const RECORDED: [server: string, line: string, failure: MailServerFailure][] = [
  ['Dovecot', "NO [NONEXISTENT] Mailbox doesn't exist: Archive", 'no_such_folder'],
  ['Dovecot', "NO [TRYCREATE] Mailbox doesn't exist: Sent", 'no_such_folder'],
  ['Dovecot', 'NO [AUTHENTICATIONFAILED] Authentication failed.', 'auth_failed'],
  ['Dovecot', 'NO [UNAVAILABLE] Temporary authentication failure. [mail:2026-12-02 07:12:01]', 'temporary'],
  ['Dovecot', 'NO [OVERQUOTA] Quota exceeded (mailbox for user is full)', 'refused'],
  ['Dovecot', 'NO [TOOBIG] Mail size is too large', 'too_large'],
  ['Dovecot', 'NO [CANNOT] Renaming not supported across conflicting directory permissions', 'refused'],
  ['Dovecot', 'NO [SERVERBUG] Internal error occurred. Refer to server log for more information.', 'temporary'],
  ['Cyrus', 'NO Mailbox does not exist', 'no_such_folder'],
  ['Cyrus', 'NO [TRYCREATE] Mailbox does not exist', 'no_such_folder'],
  ['Cyrus', 'NO [OVERQUOTA] Over quota', 'refused'],
  ['Cyrus', 'NO Message size exceeds fixed limit', 'too_large'],
  ['Cyrus', 'NO Permission denied', 'other'],
  ['Courier', 'NO Mailbox does not exist, or must be subscribed to.', 'no_such_folder'],
  ['Courier', 'NO [ALERT] Mail quota exceeded.', 'refused'],
  ['Courier', 'NO Cannot create this folder.', 'other'],
  ['Gmail', 'NO [NONEXISTENT] Unknown Mailbox: Archive (now in authenticated state) (Failure)', 'no_such_folder'],
  ['Gmail', 'NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)', 'auth_failed'],
  ['Gmail', 'NO [THROTTLED] Account exceeded command or bandwidth limits. (Failure)', 'throttled'],
  ['Gmail', 'NO [LIMIT] Too many simultaneous connections. (Failure)', 'temporary'],
  ['Microsoft', 'NO The specified folder could not be found in the store.', 'no_such_folder'],
  ['Microsoft', 'NO Request is throttled. Suggested Backoff Time: 92415 milliseconds', 'throttled'],
  ['Microsoft', 'NO Server Unavailable. 15', 'temporary'],
  ['Microsoft', 'BAD User is authenticated but not connected.', 'temporary'],
  ['Microsoft', 'NO [TOOBIG] Message too large', 'too_large'],
];

describe('the IMAP error classifier', () => {
  it.each(RECORDED)('%s: %s → %s', (_server, line, failure) => {
    expect(classifyImapError(refusal(line))).toMatchObject({ failure });
  });

  it('reads a throttling server’s suggested back-off time, or 0 when it gives none', () => {
    expect(
      classifyImapError(refusal('NO Request is throttled. Suggested Backoff Time: 92415 milliseconds')),
    ).toMatchObject({ retryAfterMs: 92415, retryable: true });
    expect(classifyImapError(refusal('NO [THROTTLED] Slow down'))).toMatchObject({ retryAfterMs: 0 });
    expect(throttleDelay('Mailbox does not exist')).toBeNull();
  });

  it('files a refused login, dropped connections and certificate failures', () => {
    expect(classifyImapError({ authenticationFailed: true, responseText: 'Invalid credentials' })).toMatchObject({
      failure: 'auth_failed',
      policy: 'reauthorize',
    });
    expect(classifyImapError({ code: 'ECONNRESET', message: 'read ECONNRESET' })).toMatchObject({
      failure: 'connection_failed',
      policy: 'retry',
    });
    expect(classifyImapError({ code: 'NoConnection', message: 'Connection not available' })).toMatchObject({
      failure: 'connection_failed',
    });
    expect(
      classifyImapError(
        { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' },
        'imap.example.test',
      ),
    ).toMatchObject({
      failure: 'tls_failed',
      message: expect.stringContaining('imap.example.test'),
    });
  });

  it('keeps an error it already classified, and files the unknown as other', () => {
    const known = new MailServerError('too_large', 'Too big');
    expect(classifyImapError(known)).toBe(known);
    expect(classifyImapError(new Error('something odd'))).toMatchObject({ failure: 'other', policy: 'retry' });
  });
});

describe('the failure policy', () => {
  it('retries what time can fix, stops for a refused login, gives up what retrying cannot fix', () => {
    expect(
      ['connection_failed', 'tls_failed', 'temporary', 'throttled', 'other'].map((f) =>
        policyFor(f as MailServerFailure),
      ),
    ).toEqual(Array(5).fill('retry'));
    expect(policyFor('auth_failed')).toBe('reauthorize');
    expect(['no_such_folder', 'too_large', 'refused'].map((f) => policyFor(f as MailServerFailure))).toEqual(
      Array(3).fill('give_up'),
    );
  });
});
