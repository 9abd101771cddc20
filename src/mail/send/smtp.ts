import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Database } from '../../db/index.ts';
import type { OutboundPolicy } from '../../outbound/index.ts';
import type { SecretBox } from '../../secrets/index.ts';
import { checkedTarget } from '../imap/index.ts';
import { smtpTransportOptions, xoauth2Login } from '../account/index.ts';
import type { SmtpSettings } from '../account/index.ts';
import { accessTokenOf, mailboxSecretsSchema } from '../account/index.ts';
import type { MailboxRow } from '../account/index.ts';

export function smtpSettingsOf(
  mailbox: MailboxRow,
  secrets: SecretBox,
  db: Kysely<Database>,
  outbound: OutboundPolicy,
): SmtpSettings {
  const sealed = mailboxSecretsSchema.parse(secrets.openJson(mailbox.secrets));
  return {
    host: mailbox.smtp_host,
    port: mailbox.smtp_port,
    security: mailbox.smtp_security,
    username: mailbox.smtp_username || undefined,
    password: sealed.smtpPassword,
    accessToken: accessTokenOf(mailbox, secrets, db),
    allowInvalidCertificate: sealed.allowInvalidCertificate,
    outbound,
  };
}

/** An SMTP failure with where it happened: before the message data was complete it cannot have been delivered. */
export class SmtpFailure extends Error {
  override readonly name = 'SmtpFailure';

  constructor(
    message: string,
    /** The server's reply code (4xx/5xx), when it answered. */
    readonly responseCode: number | undefined,
    /** The whole message was handed over: a lost connection now may still mean it went out. */
    readonly dataComplete: boolean,
  ) {
    super(message);
  }
}

/**
 * One SMTP session over nodemailer's SMTPConnection: connect (and log in),
 * then read the SIZE limit from the EHLO reply before anything is sent
 * (RFC 1870), then send on the same connection.
 */
export class SmtpSession {
  /** Largest message the server takes, in bytes; null when it advertises none. */
  maxSize: number | null = null;
  #pending: ((error: Error) => void) | null = null;

  private constructor(private readonly connection: SMTPConnection) {
    connection.on('error', (error: Error) => this.#pending?.(error));
    connection.on('end', () => this.#pending?.(new Error('The SMTP server closed the connection')));
  }

  static async open(settings: SmtpSettings): Promise<SmtpSession> {
    const accessToken = await settings.accessToken?.token().catch((error: unknown) => {
      throw asFailure(error, false);
    });
    const target = await checkedTarget(settings).catch((error: unknown) => {
      throw asFailure(error, false);
    });
    const { auth, ...options } = smtpTransportOptions(settings, target, accessToken);
    const session = new SmtpSession(new SMTPConnection({ ...options, socketTimeout: 5 * 60_000 }));
    try {
      await session.#call<void>((done) => session.connection.connect((error) => done(error ?? null)));
      // Right after the handshake, the last reply is the (post-STARTTLS) EHLO: `250-SIZE 10240000`.
      const size = /^250[ -]SIZE[ \t]+(\d+)/im.exec(session.connection.lastServerResponse || '')?.[1];
      session.maxSize = size && Number(size) > 0 ? Number(size) : null;
      const login =
        accessToken && settings.accessToken
          ? xoauth2Login(settings.username ?? '', accessToken, settings.accessToken)
          : auth;
      if (login && session.connection.allowsAuth)
        await session.#call<boolean | undefined>((done) => session.connection.login(login, done));
      return session;
    } catch (error) {
      session.close();
      throw asFailure(error, false);
    }
  }

  /** Sends the raw message; resolves with the server's final reply and the recipients it refused (if only some). */
  async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<{ response: string; rejected: string[] }> {
    let dataComplete = false;
    const source = Readable.from([raw]).on('end', () => (dataComplete = true));
    try {
      const info = await this.#call<SMTPConnection.SentMessageInfo>((done) =>
        this.connection.send({ ...envelope, size: raw.length }, source, done),
      );
      const rejected = info.rejected.map(
        (address, i) => `${address} (${info.rejectedErrors?.[i]?.response ?? 'refused'})`,
      );
      return { response: info.response, rejected };
    } catch (error) {
      throw asFailure(error, dataComplete);
    }
  }

  /** RSET: after a refused transaction, the next one starts clean on the same connection. */
  async reset(): Promise<void> {
    try {
      await this.#call<void>((done) => this.connection.reset((error) => done(error ?? null)));
    } catch (error) {
      throw asFailure(error, false);
    }
  }

  /** QUIT when the connection is still up, then close (ending the socket flushes the QUIT). */
  close(): void {
    this.#pending = null;
    const socket = this.connection._socket;
    if (!this.connection.destroyed && socket && !socket.destroyed) this.connection.quit();
    this.connection.close();
  }

  /** Runs one callback-style operation; a connection error or close meanwhile rejects it. */
  #call<T>(start: (done: (error: Error | null, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (error: Error | null, value?: T) => {
        this.#pending = null;
        if (error) reject(error);
        else resolve(value as T);
      };
      this.#pending = (error) => settle(error);
      start(settle);
    });
  }
}

function asFailure(error: unknown, dataComplete: boolean): SmtpFailure {
  if (error instanceof SmtpFailure) return error;
  const e = error as { message?: string; responseCode?: number };
  return new SmtpFailure(e.message ?? String(error), e.responseCode, dataComplete);
}
