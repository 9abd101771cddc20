import SMTPConnection from 'nodemailer/lib/smtp-connection';
import XOAuth2 from 'nodemailer/lib/xoauth2';
import { TandemError } from '../../errors/index.ts';
import { isIP } from 'node:net';
import type { OutboundPolicy, OutboundTarget } from '../../outbound/index.ts';
import {
  checkedTarget,
  closeQuietly,
  connectFailure,
  connectImap,
  listServerFolders,
  loginRefused,
  MailServerError,
} from '../imap/index.ts';
import type { AccessTokenSource, ImapSettings, Security, ServerFolder } from '../imap/index.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  security: Security;
  username?: string | undefined;
  password?: string | undefined;
  /** Logs in with XOAUTH2 instead of the password. */
  accessToken?: AccessTokenSource | undefined;
  allowInvalidCertificate?: boolean | undefined;
  /** Which hosts may be reached: the connection goes to an address this policy checked. */
  outbound: OutboundPolicy;
}

/** Logs in over IMAP and lists the folders; a refusal becomes a clear 4xx. */
export async function verifyImap(settings: ImapSettings): Promise<ServerFolder[]> {
  try {
    const client = await connectImap(settings, { disableAutoIdle: true });
    try {
      return (await listServerFolders(client)).filter((f) => f.selectable);
    } finally {
      await closeQuietly(client);
    }
  } catch (error) {
    throw asTandemError(error, 'IMAP');
  }
}

/**
 * verifyImap, and on the same connection the UIDNEXT (STATUS, RFC 3501 §6.3.10)
 * of the folders `chosen` picks: every message from it on arrives after this
 * moment, whatever date it carries.
 */
export async function inspectImap(
  settings: ImapSettings,
  chosen: (folders: ServerFolder[]) => string[],
): Promise<{ folders: ServerFolder[]; uidNext: Map<string, number> }> {
  try {
    const client = await connectImap(settings, { disableAutoIdle: true });
    try {
      const folders = (await listServerFolders(client)).filter((f) => f.selectable);
      const uidNext = new Map<string, number>();
      for (const path of chosen(folders)) {
        const status = await client.status(path, { uidNext: true }).catch(() => false as const);
        if (status && typeof status.uidNext === 'number') uidNext.set(path, status.uidNext);
      }
      return { folders, uidNext };
    } finally {
      await closeQuietly(client);
    }
  } catch (error) {
    throw asTandemError(error, 'IMAP');
  }
}

/** nodemailer's options for a checked target: the socket goes to its address, TLS names the host (SNI, certificate check). */
export function smtpTransportOptions(settings: SmtpSettings, target: OutboundTarget, accessToken?: string) {
  return {
    host: target.address,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    auth: accessToken
      ? { type: 'OAuth2' as const, user: settings.username ?? '', accessToken }
      : settings.username
        ? { user: settings.username, pass: settings.password ?? '' }
        : undefined,
    tls: {
      rejectUnauthorized: !settings.allowInvalidCertificate,
      ...(isIP(target.host) ? {} : { servername: target.host }),
    },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
  };
}

/** SMTP AUTH XOAUTH2 with the token; when the server refuses it, nodemailer asks the source for a renewed one, once. */
export function xoauth2Login(user: string, accessToken: string, source: AccessTokenSource) {
  const oauth2 = new XOAuth2({
    user,
    accessToken,
    provisionCallback: (_user, _renew, done) => {
      source.renew().then(
        (token) => done(null, token),
        (error: Error) => done(error),
      );
    },
  });
  return { user, oauth2 };
}

/**
 * What became of the SMTP login: accepted; not offered by the server (no AUTH
 * in its EHLO reply, RFC 4954), so the credentials could not be tried; or
 * none was asked for.
 */
export type SmtpLogin = 'signed_in' | 'not_offered' | 'no_credentials';

/** Connects to the SMTP server and logs in when credentials are given and the server offers a login. */
export async function verifySmtp(settings: SmtpSettings): Promise<SmtpLogin> {
  let accessToken: string | undefined;
  let target: OutboundTarget;
  try {
    accessToken = await settings.accessToken?.token();
    target = await checkedTarget(settings);
  } catch (error) {
    throw asTandemError(error, 'SMTP');
  }
  const { auth, ...options } = smtpTransportOptions(settings, target, accessToken);
  const connection = new SMTPConnection({ ...options, socketTimeout: 30_000 });
  // A failure may come as an 'error' event rather than through the callback: the first one counts.
  const step = <T>(start: (done: (error: Error | null | undefined, value?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      connection.once('error', reject);
      start((error, value) => (error ? reject(error) : resolve(value as T)));
    });
  try {
    await step<void>((done) => connection.connect(done));
    if (!auth) return 'no_credentials';
    if (!connection.allowsAuth) return 'not_offered';
    // An OAuth2 mailbox signs in with XOAUTH2 (SMTPConnection wants the token as an XOAuth2 source).
    const login =
      accessToken && settings.accessToken
        ? xoauth2Login(settings.username ?? '', accessToken, settings.accessToken)
        : auth;
    await step<unknown>((done) => connection.login(login, done));
    return 'signed_in';
  } catch (error) {
    throw asTandemError(smtpConnectFailure(error, settings), 'SMTP');
  } finally {
    connection.removeAllListeners('error');
    connection.on('error', () => undefined); // a late socket error after QUIT is of no interest
    if (connection._socket && !connection._socket.destroyed) connection.quit();
    connection.close();
  }
}

/** An SMTP failure while connecting or logging in, in Tandem's words only (see connectFailure). */
export function smtpConnectFailure(error: unknown, settings: Pick<SmtpSettings, 'host' | 'port'>): MailServerError {
  const e = error as { code?: string; responseCode?: number };
  if (e.code === 'EAUTH' || e.responseCode === 535) return loginRefused('SMTP', settings.host, settings.port, error);
  return connectFailure(error, 'SMTP', settings.host, settings.port);
}

/**
 * One code per kind of failure: `auth_failed`, `host_not_allowed`, else
 * `connection_failed` (`details.failure` says `tls_failed` for a certificate
 * that cannot be verified).
 */
function asTandemError(error: unknown, server: 'IMAP' | 'SMTP'): TandemError {
  if (error instanceof TandemError) return error;
  const failure =
    error instanceof MailServerError ? error : new MailServerError('connection_failed', 'the connection failed', error);
  const code =
    failure.failure === 'auth_failed'
      ? 'auth_failed'
      : failure.failure === 'host_not_allowed'
        ? 'host_not_allowed'
        : 'connection_failed';
  const kind = failure.failure === 'tls_failed' || failure.failure === 'temporary' ? failure.failure : code;
  // Name the server once: most messages already say "The IMAP server at …".
  const message = failure.message.includes(server) ? failure.message : `${server}: ${failure.message}`;
  return new TandemError(code, message, { server: server.toLowerCase(), failure: kind });
}

export interface ConnectionCheck {
  ok: boolean;
  /** When ok: whether the credentials were tried and accepted (see SmtpLogin; IMAP always signs in). */
  login?: SmtpLogin;
  error?: { code: string; message: string };
}

/**
 * Tries the IMAP and SMTP logins exactly as connecting does, saving nothing.
 * A working IMAP login also lists the server's folders, to choose from before saving.
 */
export async function testConnection(
  imap: Omit<ImapSettings, 'outbound'>,
  smtp: Omit<SmtpSettings, 'outbound'>,
  outbound: OutboundPolicy,
): Promise<{ imap: ConnectionCheck & { folders?: ServerFolder[] }; smtp: ConnectionCheck }> {
  let folders: ServerFolder[] = [];
  const [imapCheck, smtpCheck] = await Promise.all([
    check(async () => {
      folders = await verifyImap({ ...imap, outbound });
      return 'signed_in' as const;
    }),
    check(() => verifySmtp({ ...smtp, outbound })),
  ]);
  return { imap: imapCheck.ok ? { ...imapCheck, folders } : imapCheck, smtp: smtpCheck };
}

async function check(attempt: () => Promise<SmtpLogin>): Promise<ConnectionCheck> {
  try {
    return { ok: true, login: await attempt() };
  } catch (error) {
    if (error instanceof TandemError) return { ok: false, error: { code: error.code, message: error.message } };
    throw error;
  }
}
