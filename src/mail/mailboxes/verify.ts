import nodemailer from 'nodemailer';
import { TandemError } from '../../errors/index.ts';
import { closeQuietly, connectImap, listServerFolders, MailServerError } from '../imap/index.ts';
import type { ImapSettings, Security, ServerFolder } from '../imap/index.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  security: Security;
  username?: string | undefined;
  password?: string | undefined;
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

export function smtpTransportOptions(settings: SmtpSettings) {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    auth: settings.username ? { user: settings.username, pass: settings.password ?? '' } : undefined,
    tls: { rejectUnauthorized: !settings.allowInvalidCertificate },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
  };
}

/** Connects (and logs in, when credentials are given) to the SMTP server. */
export async function verifySmtp(settings: SmtpSettings): Promise<void> {
  const transport = nodemailer.createTransport(smtpTransportOptions(settings));
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

function asTandemError(error: unknown, server: 'IMAP'): TandemError {
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
