import { ImapFlow } from 'imapflow';
import type { ImapFlowOptions } from 'imapflow';
import { isIP } from 'node:net';
import { TargetRefused } from '../../outbound/index.ts';
import type { OutboundPolicy, OutboundTarget } from '../../outbound/index.ts';
import { connectFailure, MailServerError } from './errors.ts';
import { refusalRecorder } from './refusals.ts';

export type Security = 'tls' | 'starttls' | 'none';

/** Where an OAuth2 mailbox gets the access token it logs in with (XOAUTH2 / OAUTHBEARER). */
export interface AccessTokenSource {
  /** A token believed valid (refreshed first when it is about to expire). */
  token(): Promise<string>;
  /** A new token, after the server refused the last one; fails for good when the grant was revoked. */
  renew(): Promise<string>;
}

export interface ImapSettings {
  host: string;
  port: number;
  security: Security;
  username: string;
  /** Empty when `accessToken` is set. */
  password: string;
  accessToken?: AccessTokenSource | undefined;
  /** Accept a self-signed or otherwise unverifiable certificate (self-hosted servers). */
  allowInvalidCertificate?: boolean | undefined;
  /** Which hosts may be reached: the connection goes to an address this policy checked. */
  outbound: OutboundPolicy;
}

export interface ConnectOptions {
  /** Milliseconds before auto-IDLE starts; ImapFlow's default is 15 s. */
  autoIdleDelay?: number;
  disableAutoIdle?: boolean;
  /** ENABLE QRESYNC where the server has it (RFC 7162): expunges then arrive as VANISHED UIDs. */
  qresync?: boolean;
  /** Milliseconds of silence after which ImapFlow ends the connection (its default is 5 min). */
  socketTimeout?: number;
}

/** ImapFlow's options for a checked target: the socket goes to its address, TLS names the host (SNI, certificate check). */
export function imapOptions(
  settings: ImapSettings,
  target: OutboundTarget,
  options: ConnectOptions = {},
  accessToken?: string,
): ImapFlowOptions {
  return {
    host: target.address,
    ...(isIP(target.host) ? {} : { servername: target.host }),
    port: settings.port,
    secure: settings.security === 'tls',
    // STARTTLS is required when chosen, and never attempted on a plain (loopback) connection.
    doSTARTTLS: settings.security === 'starttls' ? true : settings.security === 'none' ? false : undefined,
    // With a token ImapFlow logs in with OAUTHBEARER where offered, else XOAUTH2.
    auth: accessToken ? { user: settings.username, accessToken } : { user: settings.username, pass: settings.password },
    tls: { rejectUnauthorized: !settings.allowInvalidCertificate },
    logger: false,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    clientInfo: { name: 'Tandem' },
    ...(options.autoIdleDelay !== undefined ? { autoIdleDelay: options.autoIdleDelay } : {}),
    ...(options.disableAutoIdle ? { disableAutoIdle: true } : {}),
    ...(options.qresync ? { qresync: true } : {}),
    ...(options.socketTimeout !== undefined ? { socketTimeout: options.socketTimeout } : {}),
  };
}

/**
 * A logged-in client; failures are thrown as typed MailServerErrors. An OAuth2
 * token the server refuses (revoked or expired early) is renewed once.
 */
export async function connectImap(settings: ImapSettings, options: ConnectOptions = {}): Promise<ImapFlow> {
  const source = settings.accessToken;
  if (!source) return connectOnce(settings, options);
  try {
    return await connectOnce(settings, options, await source.token());
  } catch (error) {
    if (!(error instanceof MailServerError) || error.failure !== 'auth_failed') throw error;
    return connectOnce(settings, options, await source.renew());
  }
}

async function connectOnce(settings: ImapSettings, options: ConnectOptions, accessToken?: string): Promise<ImapFlow> {
  const refusals = refusalRecorder();
  const client = new ImapFlow({
    ...imapOptions(settings, await checkedTarget(settings), options, accessToken),
    logger: refusals.logger,
  });
  refusals.attach(client);
  // A dropped connection is reported through the next command; keep the emitter from throwing.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.close();
    throw connectFailure(error, 'IMAP', settings.host, settings.port);
  }
}

/** Where to connect: the host's address once the outbound policy allowed every address it has. */
export async function checkedTarget(settings: Pick<ImapSettings, 'host' | 'outbound'>): Promise<OutboundTarget> {
  try {
    return await settings.outbound.resolve(settings.host);
  } catch (error) {
    if (error instanceof TargetRefused) throw new MailServerError('host_not_allowed', error.message, error);
    throw new MailServerError('connection_failed', `${settings.host} has no address`, error);
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
