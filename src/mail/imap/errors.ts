/** What went wrong talking to a mail server, decided once here for every caller. */
export type MailServerFailure = 'auth_failed' | 'connection_failed' | 'tls_failed' | 'temporary' | 'host_not_allowed' | 'other';

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

  /** Worth retrying later without the user doing anything. */
  get retryable(): boolean {
    return this.failure === 'connection_failed' || this.failure === 'temporary' || this.failure === 'other';
  }
}

interface ImapFlowErrorShape {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'NoConnection', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'ClosedAfterConnectTLS', 'ClosedAfterConnectText', 'EConnectionClosed']);

export function classifyImapError(error: unknown, host = 'the server'): MailServerError {
  if (error instanceof MailServerError) return error;
  const e = (error ?? {}) as ImapFlowErrorShape;
  const detail = e.responseText || e.message || String(error);
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new MailServerError('auth_failed', `The mail server refused the login: ${detail}`, error);
  }
  const throttled = throttleDelay(detail);
  if (throttled !== null) return new MailServerError('temporary', `The mail server is throttling this account: ${detail}`, error, throttled);
  if (e.serverResponseCode === 'UNAVAILABLE' || e.serverResponseCode === 'LIMIT' || e.serverResponseCode === 'INUSE') {
    return new MailServerError('temporary', `The mail server is busy or unavailable: ${detail}`, error);
  }
  const code = e.code ?? '';
  if (/CERT|SSL|TLS|SELF_SIGNED|DEPTH_ZERO/i.test(code) || /certificate|wrong version number|ssl/i.test(e.message ?? '')) {
    return new MailServerError('tls_failed', `A secure connection to ${host} could not be made: ${detail}`, error);
  }
  if (NETWORK_CODES.has(code) || /timeout|connection|socket/i.test(e.message ?? '')) {
    return new MailServerError('connection_failed', `Cannot reach ${host}: ${detail}`, error);
  }
  return new MailServerError('other', detail, error);
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
      return new MailServerError('temporary', `The ${server} server at ${where} is busy or limiting this account; try again later`, error, known.retryAfterMs);
    default: {
      const code = (error as { code?: string } | null)?.code ?? '';
      if (CERTIFICATE_CODES.test(code)) {
        return new MailServerError('tls_failed', `The certificate of ${where} cannot be verified for ${host} (allow an invalid certificate only for a server you trust)`, error);
      }
      return new MailServerError('connection_failed', `No ${server} server could be reached at ${where} with the chosen security`, error);
    }
  }
}

export function loginRefused(server: 'IMAP' | 'SMTP', host: string, port: number, cause: unknown): MailServerError {
  return new MailServerError('auth_failed', `The ${server} server at ${host}:${port} refused the login: check the username and password`, cause);
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
