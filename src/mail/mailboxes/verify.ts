import nodemailer from 'nodemailer';
import XOAuth2 from 'nodemailer/lib/xoauth2';
import { TandemError } from '../../errors/index.ts';
import { closeQuietly, connectImap, listServerFolders, MailServerError } from '../imap/index.ts';
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
export async function inspectImap(settings: ImapSettings, chosen: (folders: ServerFolder[]) => string[]): Promise<{ folders: ServerFolder[]; uidNext: Map<string, number> }> {
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

export function smtpTransportOptions(settings: SmtpSettings, accessToken?: string) {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    auth: accessToken
      ? { type: 'OAuth2' as const, user: settings.username ?? '', accessToken }
      : settings.username
        ? { user: settings.username, pass: settings.password ?? '' }
        : undefined,
    tls: { rejectUnauthorized: !settings.allowInvalidCertificate },
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

/** Connects (and logs in, when credentials are given) to the SMTP server. */
export async function verifySmtp(settings: SmtpSettings): Promise<void> {
  let accessToken: string | undefined;
  try {
    accessToken = await settings.accessToken?.token();
  } catch (error) {
    throw asTandemError(error, 'SMTP');
  }
  const transport = nodemailer.createTransport(smtpTransportOptions(settings, accessToken));
  try {
    await transport.verify();
  } catch (error) {
    const e = error as { code?: string; responseCode?: number; message?: string };
    if (e.code === 'EAUTH' || e.responseCode === 535) {
      throw new TandemError('auth_failed', `The SMTP server refused the login: ${e.message ?? ''}`.trim(), { server: 'smtp' });
    }
    throw new TandemError('connection_failed', `Cannot use the SMTP server ${settings.host}:${settings.port}: ${e.message ?? String(error)}`, { server: 'smtp' });
  } finally {
    transport.close();
  }
}

function asTandemError(error: unknown, server: 'IMAP' | 'SMTP'): TandemError {
  if (!(error instanceof MailServerError)) return new TandemError('connection_failed', `${server}: ${String(error)}`);
  const code = error.failure === 'auth_failed' ? 'auth_failed' : 'connection_failed';
  return new TandemError(code, `${server}: ${error.message}`, { server: server.toLowerCase(), failure: error.failure });
}

export interface ConnectionCheck {
  ok: boolean;
  error?: { code: string; message: string };
}

/**
 * Tries the IMAP and SMTP logins exactly as connecting does, saving nothing.
 * A working IMAP login also lists the server's folders, to choose from before saving.
 */
export async function testConnection(imap: ImapSettings, smtp: SmtpSettings): Promise<{ imap: ConnectionCheck & { folders?: ServerFolder[] }; smtp: ConnectionCheck }> {
  let folders: ServerFolder[] = [];
  const [imapCheck, smtpCheck] = await Promise.all([check(async () => (folders = await verifyImap(imap))), check(() => verifySmtp(smtp))]);
  return { imap: imapCheck.ok ? { ...imapCheck, folders } : imapCheck, smtp: smtpCheck };
}

async function check(attempt: () => Promise<unknown>): Promise<ConnectionCheck> {
  try {
    await attempt();
    return { ok: true };
  } catch (error) {
    if (error instanceof TandemError) return { ok: false, error: { code: error.code, message: error.message } };
    throw error;
  }
}
