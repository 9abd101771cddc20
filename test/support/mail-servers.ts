// Real mail servers for tests: a private Dovecot (IMAP, LMTP) and Postfix (SMTP) per
// call, on free 127.0.0.1 ports, in a fresh temp dir. Plus helpers that act as "the
// user's other mail app" (doveadm, a second IMAP client) and as a sender (SMTP).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { COURIER_DIR } from './courier.ts';
import { dovecotPidFile, startDovecot, usersDirOf } from './dovecot.ts';
import type { DovecotOAuth2, DovecotProfile } from './dovecot.ts';
import { postfixPidFile, startPostfix } from './postfix.ts';
import { freePorts, run } from './process.ts';

export interface Endpoint {
  host: string;
  port: number;
}

/** Everything about running servers that can cross vitest's provide/inject (no functions). */
export interface MailServersInfo {
  dir: string;
  imap: Endpoint;
  /** Implicit-TLS IMAP, only with `tls: true`. */
  imapTls?: Endpoint;
  /**
   * Postfix. Accepts mail from 127.0.0.1 without AUTH, and offers AUTH PLAIN/LOGIN with
   * the IMAP credentials (through Dovecot: while Dovecot is down, SMTP is down too).
   */
  smtp: Endpoint;
  lmtpPort: number;
  /** Path of dovecot.conf, for `doveadm -c`. */
  dovecotConfig: string;
  /** Postfix's config dir, for `postfix -c` / `postqueue -c`. */
  postfixConfigDir: string;
  /** With `tls: true`: the self-signed certificate (PEM path), usable as `ca` to verify. */
  tlsCert?: string;
}

export interface MailServers extends MailServersInfo {
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Capabilities Dovecot must not advertise after login, e.g. ['QRESYNC', 'CONDSTORE']. */
  disableCapabilities?: string[];
  /** Capabilities Dovecot advertises besides its own, e.g. ['APPENDLIMIT=2000000'] (advertised, not enforced). */
  addCapabilities?: string[];
  /** false: users start with INBOX only, and a deleted Sent or Drafts stays deleted (default true). */
  autoCreateFolders?: boolean;
  /**
   * Adds a self-signed certificate: an implicit-TLS IMAP port (`imapTls`), and STARTTLS
   * offered on the plain IMAP port and on SMTP (clients then need
   * `rejectUnauthorized: false` or `ca: tlsCert`, or must not upgrade).
   */
  tls?: boolean;
  /** 'courier': INBOX.-prefixed folders, roles by name only, Courier's capabilities (see DovecotProfile). */
  profile?: DovecotProfile;
  /** Also accept OAuth2 tokens (XOAUTH2 / OAUTHBEARER) on IMAP and, through Dovecot's SASL, on SMTP. */
  oauth2?: DovecotOAuth2;
  /** false: Postfix offers no SMTP AUTH at all, as a relay for trusted networks does (default true). */
  smtpAuth?: boolean;
  /** Dovecot holds this many IMAP connections at once (default: its own limits, 100 processes per service). */
  maxConnections?: number;
}

export interface MailUser {
  address: string;
  username: string;
  password: string;
}

const INSTALL_SCRIPT = fileURLToPath(new URL('./install-packages.sh', import.meta.url));
const WATCHDOG = fileURLToPath(new URL('./watchdog.sh', import.meta.url));
const REQUIRED = [
  '/usr/sbin/dovecot',
  '/usr/bin/doveadm',
  '/usr/lib/dovecot/imap',
  '/usr/lib/dovecot/lmtp',
  '/usr/sbin/postfix',
  '/usr/bin/openssl',
  '/usr/sbin/dnsmasq',
  path.join(COURIER_DIR, 'usr/bin/imapd'),
];

export async function ensurePackages(): Promise<void> {
  const present = await Promise.all(
    REQUIRED.map((f) =>
      access(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (present.every(Boolean)) return;
  // Installs as root; otherwise fails with one line saying what to install.
  await run('bash', [INSTALL_SCRIPT], { timeoutMs: 30 * 60_000 });
}

async function idOf(flag: '-u' | '-g', user: string): Promise<number> {
  return Number.parseInt((await run('id', [flag, user])).trim(), 10);
}

async function makeCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '30',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  return { cert, key };
}

/**
 * A detached watchdog stops the servers if this process dies without calling stop()
 * (killed by a timeout or Ctrl-C, or a crash): the daemons would otherwise run on.
 */
function startWatchdog(dir: string): () => void {
  const watchdog = spawn(
    'bash',
    [
      WATCHDOG,
      String(process.pid),
      dir,
      dovecotPidFile(path.join(dir, 'dovecot')),
      postfixPidFile(path.join(dir, 'postfix')),
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  return () => {
    try {
      if (watchdog.pid !== undefined) process.kill(-watchdog.pid, 'SIGKILL'); // its group: bash and its sleep
    } catch {
      // already gone
    }
  };
}

async function startOnce(options: StartOptions): Promise<MailServers> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-mail-'));
  // mkdtemp makes 0700: the mail uid and the postfix user could not get through it.
  await chmod(dir, 0o755);
  const [imap = 0, imaps = 0, lmtp = 0, auth = 0, smtp = 0] = await freePorts(5);
  const tls = options.tls ? await makeCertificate(dir) : undefined;
  const [mailUid, mailGid] = [await idOf('-u', 'nobody'), await idOf('-g', 'nobody')];
  const stopWatchdog = startWatchdog(dir);
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    stopWatchdog();
    await Promise.all(started.map((s) => s.stop()));
    if (!process.env.TANDEM_KEEP_MAIL_DIR) await rm(dir, { recursive: true, force: true });
  };
  const track = <T extends { stop(): Promise<void> }>(server: T): T => {
    started.push(server);
    return server;
  };
  try {
    const dovecot = track(
      await startDovecot({
        dir: path.join(dir, 'dovecot'),
        ports: { imap, imaps, lmtp, auth },
        mailUid,
        mailGid,
        tls,
        disableCapabilities: options.disableCapabilities ?? [],
        addCapabilities: options.addCapabilities ?? [],
        autoCreateFolders: options.autoCreateFolders ?? true,
        profile: options.profile ?? 'dovecot',
        oauth2: options.oauth2,
        maxConnections: options.maxConnections,
      }),
    );
    // After Dovecot: Postfix's smtpd asks Dovecot's auth listener for the SASL
    // mechanisms on every connection, and dies (then is throttled) if it is not there.
    const postfix = track(
      await startPostfix({
        dir: path.join(dir, 'postfix'),
        smtpPort: smtp,
        lmtpPort: lmtp,
        authPort: auth,
        tls,
        sasl: options.smtpAuth ?? true,
      }),
    );
    return {
      dir,
      imap: { host: '127.0.0.1', port: imap },
      ...(tls ? { imapTls: { host: '127.0.0.1', port: imaps }, tlsCert: tls.cert } : {}),
      smtp: { host: '127.0.0.1', port: smtp },
      lmtpPort: lmtp,
      dovecotConfig: dovecot.config,
      postfixConfigDir: postfix.configDir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts a private Dovecot and Postfix. Call stop() when done. */
export async function startMailServers(options: StartOptions = {}): Promise<MailServers> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'startMailServers needs root: Postfix only runs as root (CI and the project machines test as root)',
    );
  }
  await ensurePackages();
  // Free ports are picked before the servers bind them; another process may take one
  // in between. Rare, so simply try again with new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/i.test(String((error as Error).message))) throw error;
    }
  }
}

/** The serializable part of MailServers (for `project.provide`). */
export function infoOf(servers: MailServers): MailServersInfo {
  const { stop: _stop, ...info } = servers;
  return info;
}

/** `doveadm -c <config> ...args`; returns stdout, throws with stderr. */
export function doveadm(servers: MailServersInfo, args: string[], input?: string | Buffer): Promise<string> {
  return run('doveadm', ['-c', servers.dovecotConfig, ...args], { input });
}

let userCounter = 0;

/**
 * Creates a fresh user `<localPart>-<unique>@example.test` (username = address).
 * Each user is its own passwd-file, written atomically (temp file + rename), so users
 * made concurrently by parallel workers never clash; Dovecot sees them at once.
 */
export async function createMailUser(servers: MailServersInfo, localPart = 'user'): Promise<MailUser> {
  const safe = localPart.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
  const unique = `${process.pid}-${++userCounter}-${randomBytes(3).toString('hex')}`;
  const address = `${safe}-${unique}@example.test`;
  const password = randomBytes(12).toString('hex');
  const usersDir = usersDirOf(path.join(servers.dir, 'dovecot'));
  const file = path.join(usersDir, address);
  // Dovecot's auth process runs as the `dovecot` user: the file must be world-readable.
  await writeFile(`${file}.tmp`, `${address}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  await rename(`${file}.tmp`, file);
  return { address, username: address, password };
}

// deliver() finds the new UID as the mailbox's highest: serialize deliveries per user
// and folder in this process so two of them cannot interleave.
const deliveryQueues = new Map<string, Promise<unknown>>();

/**
 * Puts a message into a user's folder as another mail app would (`doveadm save`), sets
 * `flags` (e.g. ['\\Seen']) and returns its UID. The folder must exist. The UID is read
 * as the folder's newest: do not APPEND to the same folder from elsewhere meanwhile.
 */
export async function deliver(
  servers: MailServersInfo,
  username: string,
  raw: string | Buffer,
  options: { folder?: string; flags?: string[] } = {},
): Promise<number> {
  const folder = options.folder ?? 'INBOX';
  const key = `${servers.dovecotConfig}\n${username}\n${folder}`;
  const previous = deliveryQueues.get(key) ?? Promise.resolve();
  const next = previous
    .catch(() => {})
    .then(async () => {
      await doveadm(servers, ['save', '-u', username, '-m', folder], raw);
      // '*' is the last message by sequence number, i.e. the one just saved.
      const out = await doveadm(servers, ['fetch', '-u', username, 'uid', 'mailbox', folder, '*']);
      const uid = Number.parseInt(/uid: (\d+)/.exec(out)?.[1] ?? '', 10);
      if (!Number.isInteger(uid)) throw new Error(`no UID after saving to ${folder}: ${out}`);
      if (options.flags?.length) {
        await doveadm(servers, [
          'flags',
          'add',
          '-u',
          username,
          options.flags.join(' '),
          'mailbox',
          folder,
          'uid',
          String(uid),
        ]);
      }
      return uid;
    });
  deliveryQueues.set(key, next);
  try {
    return await next;
  } finally {
    if (deliveryQueues.get(key) === next) deliveryQueues.delete(key);
  }
}

/** A logged-in ImapFlow client acting as the user's other mail app. Call logout() when done. */
export async function otherClient(
  servers: MailServersInfo,
  user: Pick<MailUser, 'username' | 'password'>,
): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: servers.imap.host,
    port: servers.imap.port,
    secure: false,
    doSTARTTLS: false, // with `tls: true` the plain port offers STARTTLS; stay in cleartext
    auth: { user: user.username, pass: user.password },
    logger: false,
  });
  await client.connect();
  return client;
}

export interface ServerCopy {
  uid: number;
  /** Sorted. */
  flags: string[];
  source: Buffer;
}

/** What another mail app sees in a folder of `user`, oldest first; [] when the folder cannot be opened. */
export async function serverCopies(
  servers: MailServersInfo,
  user: Pick<MailUser, 'username' | 'password'>,
  folder: string,
): Promise<ServerCopy[]> {
  const client = await otherClient(servers, user);
  try {
    await client.mailboxOpen(folder, { readOnly: true });
    const copies: ServerCopy[] = [];
    for await (const m of client.fetch('1:*', { uid: true, flags: true, source: true })) {
      if (m.source) copies.push({ uid: m.uid, flags: [...(m.flags ?? [])].sort(), source: m.source });
    }
    return copies;
  } catch {
    return [];
  } finally {
    await client.logout();
  }
}

/** The subjects another mail app sees in a folder of `user`, oldest first; [] when the folder cannot be opened. */
export async function serverSubjects(
  servers: MailServersInfo,
  user: Pick<MailUser, 'username' | 'password'>,
  folder: string,
): Promise<string[]> {
  const client = await otherClient(servers, user);
  try {
    await client.mailboxOpen(folder, { readOnly: true });
    const subjects: string[] = [];
    for await (const m of client.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
    return subjects;
  } catch {
    return [];
  } finally {
    await client.logout();
  }
}

/** Subject → flags (sorted) of the messages another mail app sees in a folder of `user`; empty when it cannot be opened. */
export async function serverFlags(
  servers: MailServersInfo,
  user: Pick<MailUser, 'username' | 'password'>,
  folder: string,
): Promise<Map<string, string[]>> {
  const client = await otherClient(servers, user);
  try {
    await client.mailboxOpen(folder, { readOnly: true });
    const flags = new Map<string, string[]>();
    if (client.mailbox && client.mailbox.exists === 0) return flags;
    for await (const m of client.fetch('1:*', { envelope: true, flags: true }))
      flags.set(m.envelope?.subject ?? '', [...(m.flags ?? [])].sort());
    return flags;
  } catch {
    return new Map();
  } finally {
    await client.logout();
  }
}

/** Sends a raw message through Postfix with the given envelope. */
export async function sendViaPostfix(
  servers: MailServersInfo,
  message: { from: string; to: string | string[]; raw: string | Buffer; auth?: { user: string; pass: string } },
) {
  const transport = nodemailer.createTransport({
    host: servers.smtp.host,
    port: servers.smtp.port,
    secure: false,
    tls: { rejectUnauthorized: false }, // the self-signed certificate, with `tls: true`
    ...(message.auth ? { auth: message.auth } : {}),
  });
  try {
    return await transport.sendMail({
      envelope: { from: message.from, to: Array.isArray(message.to) ? message.to : [message.to] },
      raw: message.raw,
    });
  } finally {
    transport.close();
  }
}

/** Changes a user's password on the server, as the user would at their provider. */
export async function setMailPassword(servers: MailServersInfo, user: MailUser, password: string): Promise<void> {
  const file = path.join(usersDirOf(path.join(servers.dir, 'dovecot')), user.address);
  await writeFile(`${file}.tmp`, `${user.address}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  await rename(`${file}.tmp`, file);
}
