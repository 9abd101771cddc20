/**
 * What went wrong talking to a mail server, decided once here for every caller:
 * - `auth_failed`: the login was refused (the user must act: new password, sign in again)
 * - `connection_failed`: no answer, or the connection dropped
 * - `tls_failed`: no secure connection could be made (certificate, protocol)
 * - `temporary`: the server is busy or unavailable for now (`[UNAVAILABLE]`, `[INUSE]`, Outlook's "Server Unavailable")
 * - `throttled`: the server limits this account's rate; `retryAfterMs` when it says how long
 * - `no_such_folder`: the folder does not exist (`[NONEXISTENT]`, `[TRYCREATE]`, or a server's words for it)
 * - `too_large`: the message is over a size limit (`[TOOBIG]`, RFC 4469 / RFC 7889)
 * - `refused`: the server will not do this (`[CANNOT]`, `[NOPERM]`, `[OVERQUOTA]`…)
 * - `host_not_allowed`: the host is on a network Tandem may not connect to (`allowedMailHosts`)
 * - `other`: anything else, a NO without a code the classifier knows among them (tried again)
 */
export type MailServerFailure =
  | 'auth_failed'
  | 'connection_failed'
  | 'tls_failed'
  | 'temporary'
  | 'throttled'
  | 'no_such_folder'
  | 'too_large'
  | 'refused'
  | 'host_not_allowed'
  | 'other';

/** What the caller does next: try again later, stop until the user signs in again, or give this work up. */
export type FailurePolicy = 'retry' | 'reauthorize' | 'give_up';

const POLICY: Record<MailServerFailure, FailurePolicy> = {
  auth_failed: 'reauthorize',
  connection_failed: 'retry',
  tls_failed: 'retry',
  temporary: 'retry',
  throttled: 'retry',
  other: 'retry',
  no_such_folder: 'give_up',
  too_large: 'give_up',
  refused: 'give_up',
  host_not_allowed: 'give_up',
};

/** The one place that decides retry / re-authorize / give up for a kind of failure. */
export function policyFor(failure: MailServerFailure): FailurePolicy {
  return POLICY[failure];
}

export class MailServerError extends Error {
  override readonly name = 'MailServerError';

  constructor(
    readonly failure: MailServerFailure,
    message: string,
    override readonly cause?: unknown,
    /** The server asked to wait this long before trying again (throttling). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** The server answered the command with NO or BAD (as opposed to no answer at all). */
  get refusedByServer(): boolean {
    const status = (this.cause as { responseStatus?: string } | undefined)?.responseStatus;
    return status === 'NO' || status === 'BAD';
  }

  get policy(): FailurePolicy {
    return policyFor(this.failure);
  }

  /** Worth retrying later without the user doing anything. */
  get retryable(): boolean {
    return this.policy === 'retry';
  }
}

/** The fields ImapFlow sets on the errors it raises for a tagged NO / BAD and for socket failures. */
interface ImapFlowErrorShape {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  responseStatus?: string;
  serverResponseCode?: string;
  responseText?: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'EPIPE',
  'NoConnection',
  'ETIMEOUT',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'ClosedAfterConnectTLS',
  'ClosedAfterConnectText',
  'EConnectionClosed',
]);

/** Response codes (RFC 5530 and the RFCs it lists) and what each means here. */
const RESPONSE_CODES: Record<string, MailServerFailure> = {
  AUTHENTICATIONFAILED: 'auth_failed',
  AUTHORIZATIONFAILED: 'auth_failed',
  EXPIRED: 'auth_failed',
  UNAVAILABLE: 'temporary',
  INUSE: 'temporary',
  LIMIT: 'temporary',
  SERVERBUG: 'temporary',
  THROTTLED: 'throttled',
  NONEXISTENT: 'no_such_folder',
  TRYCREATE: 'no_such_folder',
  TOOBIG: 'too_large',
  CANNOT: 'refused',
  NOPERM: 'refused',
  OVERQUOTA: 'refused',
  ALREADYEXISTS: 'refused',
  READONLY: 'refused',
  'READ-ONLY': 'refused',
};

/** Servers that say it in words instead of a code (Courier, Cyrus, Exchange, older Dovecot). */
const NO_SUCH_FOLDER_TEXT =
  /does ?n[o']t exist|unknown mailbox|no such (mailbox|folder)|could not be found|folder not found|mailbox not found/i;
const TOO_LARGE_TEXT = /too (large|big)|exceeds? .*(size|limit)|size limit/i;
const QUOTA_TEXT = /quota/i;
const TEMPORARY_TEXT = /server unavailable|try again later|temporar|not connected/i;

export function classifyImapError(error: unknown, host = 'the server'): MailServerError {
  if (error instanceof MailServerError) return error;
  const e = (error ?? {}) as ImapFlowErrorShape;
  const detail = e.responseText || e.message || String(error);
  if (e.authenticationFailed)
    return new MailServerError('auth_failed', `The mail server refused the login: ${detail}`, error);
  const throttled = throttleDelay(detail);
  if (throttled !== null || e.serverResponseCode === 'THROTTLED') {
    return new MailServerError(
      'throttled',
      `The mail server is throttling this account: ${detail}`,
      error,
      throttled ?? 0,
    );
  }
  const byCode = e.serverResponseCode ? RESPONSE_CODES[e.serverResponseCode.toUpperCase()] : undefined;
  if (byCode) return new MailServerError(byCode, describe(byCode, detail, host), error);
  const code = e.code ?? '';
  if (
    /CERT|SSL|TLS|SELF_SIGNED|DEPTH_ZERO/i.test(code) ||
    /certificate|wrong version number|ssl/i.test(e.message ?? '')
  ) {
    return new MailServerError('tls_failed', describe('tls_failed', detail, host), error);
  }
  if (NETWORK_CODES.has(code) || (!e.responseStatus && /timeout|connection|socket/i.test(e.message ?? ''))) {
    return new MailServerError('connection_failed', describe('connection_failed', detail, host), error);
  }
  if (e.responseStatus === 'NO' || e.responseStatus === 'BAD') {
    const byText = NO_SUCH_FOLDER_TEXT.test(detail)
      ? 'no_such_folder'
      : TOO_LARGE_TEXT.test(detail)
        ? 'too_large'
        : QUOTA_TEXT.test(detail)
          ? 'refused'
          : TEMPORARY_TEXT.test(detail)
            ? 'temporary'
            : null;
    if (byText) return new MailServerError(byText, describe(byText, detail, host), error);
  }
  return new MailServerError('other', detail, error);
}

function describe(failure: MailServerFailure, detail: string, host: string): string {
  switch (failure) {
    case 'auth_failed':
      return `The mail server refused the login: ${detail}`;
    case 'temporary':
      return `The mail server is busy or unavailable: ${detail}`;
    case 'tls_failed':
      return `A secure connection to ${host} could not be made: ${detail}`;
    case 'connection_failed':
      return `Cannot reach ${host}: ${detail}`;
    case 'no_such_folder':
      return `The folder does not exist on the server: ${detail}`;
    case 'too_large':
      return `The message is over the server's size limit: ${detail}`;
    case 'refused':
      return `The server refused: ${detail}`;
    default:
      return detail;
  }
}

/** A certificate that cannot be verified: the other side did speak TLS. */
const CERTIFICATE_CODES = /CERT|SELF_SIGNED|DEPTH_ZERO|UNABLE_TO_VERIFY|ALTNAME/i;

/**
 * A failure while connecting and logging in, told in Tandem's words only: the
 * server's own bytes are never repeated (whatever listens on a port could be
 * made to show its banner), and anything that is not a working mail server —
 * a closed port, one that stays silent, or one that answers something else —
 * is the same `connection_failed`. Details stay in `cause`, for the log.
 */
export function connectFailure(error: unknown, server: 'IMAP' | 'SMTP', host: string, port: number): MailServerError {
  if (error instanceof MailServerError && error.failure === 'host_not_allowed') return error;
  const where = `${host}:${port}`;
  const known = classifyImapError(error, host);
  switch (known.failure) {
    case 'auth_failed':
      return loginRefused(server, host, port, error);
    case 'temporary':
    case 'throttled':
      return new MailServerError(
        known.failure,
        `The ${server} server at ${where} is busy or limiting this account; try again later`,
        error,
        known.retryAfterMs,
      );
    default: {
      const code = (error as { code?: string } | null)?.code ?? '';
      if (CERTIFICATE_CODES.test(code)) {
        return new MailServerError(
          'tls_failed',
          `The certificate of ${where} cannot be verified for ${host} (allow an invalid certificate only for a server you trust)`,
          error,
        );
      }
      return new MailServerError(
        'connection_failed',
        `No ${server} server could be reached at ${where} with the chosen security`,
        error,
      );
    }
  }
}

export function loginRefused(server: 'IMAP' | 'SMTP', host: string, port: number, cause: unknown): MailServerError {
  return new MailServerError(
    'auth_failed',
    `The ${server} server at ${host}:${port} refused the login: check the username and password`,
    cause,
  );
}

/**
 * How long a throttling server asks to wait, in ms (Outlook: "Request is
 * throttled. Suggested Backoff Time: 92415 milliseconds"); 0 when it throttles
 * without saying; null when this is not throttling.
 */
export function throttleDelay(text: string): number | null {
  const suggested = /backoff time:\s*(\d+)\s*milliseconds/i.exec(text);
  if (suggested) return Number(suggested[1]);
  return /\bthrottl/i.test(text) ? 0 : null;
}
