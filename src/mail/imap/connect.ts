import { ImapFlow } from 'imapflow';
import type { ImapFlowOptions } from 'imapflow';
import { classifyImapError } from './errors.ts';

export type Security = 'tls' | 'starttls' | 'none';

export interface ImapSettings {
  host: string;
  port: number;
  security: Security;
  username: string;
  password: string;
  /** Accept a self-signed or otherwise unverifiable certificate (self-hosted servers). */
  allowInvalidCertificate?: boolean | undefined;
}

export interface ConnectOptions {
  /** Milliseconds before auto-IDLE starts; ImapFlow's default is 15 s. */
  autoIdleDelay?: number;
  disableAutoIdle?: boolean;
  /** ENABLE QRESYNC where the server has it (RFC 7162): expunges then arrive as VANISHED UIDs. */
  qresync?: boolean;
}

export function imapOptions(settings: ImapSettings, options: ConnectOptions = {}): ImapFlowOptions {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    // STARTTLS is required when chosen, and never attempted on a plain (loopback) connection.
    doSTARTTLS: settings.security === 'starttls' ? true : settings.security === 'none' ? false : undefined,
    auth: { user: settings.username, pass: settings.password },
    tls: { rejectUnauthorized: !settings.allowInvalidCertificate },
    logger: false,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    clientInfo: { name: 'Tandem' },
    ...(options.autoIdleDelay !== undefined ? { autoIdleDelay: options.autoIdleDelay } : {}),
    ...(options.disableAutoIdle ? { disableAutoIdle: true } : {}),
    ...(options.qresync ? { qresync: true } : {}),
  };
}

/** A logged-in client; failures are thrown as typed MailServerErrors. */
export async function connectImap(settings: ImapSettings, options: ConnectOptions = {}): Promise<ImapFlow> {
  const client = new ImapFlow(imapOptions(settings, options));
  // A dropped connection is reported through the next command; keep the emitter from throwing.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.close();
    throw classifyImapError(error, settings.host);
  }
}

/** Logs out politely when the connection still works, else (or after 3 s) just closes it. */
export async function closeQuietly(client: ImapFlow): Promise<void> {
  if (client.usable) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 3000)));
    await Promise.race([client.logout().catch(() => undefined), timeout]);
    clearTimeout(timer);
  }
  client.close();
}
