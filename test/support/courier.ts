// A real Courier IMAP 5.0 (Debian's courier-imap) for tests, run from its unpacked
// package: Debian's IMAP servers conflict, so installing it would remove Dovecot.
// install-packages.sh unpacks it (apt-get download + dpkg -x) into COURIER_DIR.
//
// Courier's own login chain (couriertcpd, imaplogin, authdaemond) is replaced by a small
// proxy here: it answers the greeting, CAPABILITY and LOGIN (users and passwords kept in
// memory), then hands the connection to Courier's `imapd`, started pre-authenticated for
// that user with Debian's /etc/courier/imapd settings. Everything after the login is
// Courier's. IDLE is Courier's FAM-based one, through gamin's gam_server (as Debian installs
// it); without it each SELECT would wait a second for FAM and IDLE would only poll.
import { spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Endpoint, MailUser } from './mail-servers.ts';

export const COURIER_DIR = process.env.TANDEM_COURIER_DIR ?? '/opt/tandem-test/courier-imap';
const IMAPD = path.join(COURIER_DIR, 'usr/bin/imapd');

/** Debian's IMAP_CAPABILITY for a connection without TLS. */
const CAPABILITY = 'IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE';

/** The settings of Debian's /etc/courier/imapd that imapd reads from its environment. */
const IMAPD_SETTINGS: Record<string, string> = {
  IMAP_CAPABILITY: CAPABILITY,
  IMAP_KEYWORDS: '1',
  IMAP_ACL: '1',
  IMAP_IDLE_TIMEOUT: '60',
  IMAP_ENHANCEDIDLE: '0',
  IMAP_MAILBOX_SANITY_CHECK: '1',
  IMAP_UMASK: '022',
  IMAP_USELOCKS: '1',
  IMAP_TRASHFOLDERNAME: 'Trash',
  IMAP_MOVE_EXPUNGE_TO_TRASH: '0',
  IMAP_CHECK_ALL_FOLDERS: '0',
};

/** The folders a Courier user starts with, as Debian's maildirmake would make them. */
const FOLDERS = ['Sent', 'Drafts', 'Trash', 'Archive'];

export interface RunningCourier {
  imap: Endpoint;
  /** Makes the user's Maildir and lets it log in. */
  addUser(user: Pick<MailUser, 'username' | 'password'>): Promise<void>;
  stop(): Promise<void>;
}

export async function courierAvailable(): Promise<boolean> {
  return access(IMAPD).then(
    () => true,
    () => false,
  );
}

async function makeMaildir(home: string): Promise<void> {
  const maildir = path.join(home, 'Maildir');
  for (const folder of ['', ...FOLDERS.map((f) => `.${f}`)]) {
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(maildir, folder, sub), { recursive: true });
    if (folder) await writeFile(path.join(maildir, folder, 'maildirfolder'), '');
  }
  await writeFile(path.join(maildir, 'courierimapsubscribed'), FOLDERS.map((f) => `INBOX.${f}\n`).join(''));
}

/** An IMAP string argument: a quoted string or an atom (Courier's clients send no literals at login here). */
function parseArguments(text: string): string[] | null {
  const args: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"{}()]+))/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text))) {
    args.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? ''));
  }
  return pattern.lastIndex >= text.trimEnd().length ? args : null;
}

export async function startCourier(): Promise<RunningCourier> {
  if (!(await courierAvailable()))
    throw new Error(`Courier IMAP is not unpacked in ${COURIER_DIR}: run test/support/install-packages.sh as root`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-courier-'));
  const passwords = new Map<string, string>();
  const children = new Set<ReturnType<typeof spawn>>();
  const sockets = new Set<net.Socket>();

  const handOver = (socket: net.Socket, user: string, pending: Buffer) => {
    const home = path.join(dir, 'users', user);
    const child = spawn(IMAPD, ['Maildir'], {
      cwd: home,
      env: {
        ...IMAPD_SETTINGS,
        PATH: '/usr/bin:/bin',
        LD_LIBRARY_PATH: [path.join(COURIER_DIR, 'usr/lib'), path.join(COURIER_DIR, 'usr/lib/x86_64-linux-gnu')].join(
          ':',
        ),
        // libgamin starts its own gam_server for Courier's FAM (IDLE, folder watching) from here.
        GAMIN_DEBUG_SERVER: path.join(COURIER_DIR, 'usr/libexec/gam_server'),
        AUTHENTICATED: user,
        HOME: home,
        MAILDIR: path.join(home, 'Maildir'),
        TCPREMOTEIP: '127.0.0.1',
        TCPREMOTEPORT: String(socket.remotePort ?? 0),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    children.add(child);
    child.on('exit', () => {
      children.delete(child);
      socket.end();
    });
    child.stdin.on('error', () => {});
    // imapd greets a pre-authenticated session (after a FAM warning): the client already had its LOGIN answer.
    let greeted = false;
    let head = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (greeted) {
        socket.write(chunk);
        return;
      }
      head += chunk.toString('latin1');
      const end = head.indexOf('* PREAUTH');
      const lineEnd = end < 0 ? -1 : head.indexOf('\n', end);
      if (lineEnd < 0) return;
      greeted = true;
      const rest = head.slice(lineEnd + 1);
      if (rest) socket.write(Buffer.from(rest, 'latin1'));
    });
    socket.on('data', (chunk: Buffer) => child.stdin.write(chunk));
    socket.on('close', () => child.kill('SIGTERM'));
    if (pending.length > 0) child.stdin.write(pending);
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write(`* OK [CAPABILITY ${CAPABILITY}] Courier-IMAP ready. Copyright 1998-2018 Double Precision, Inc.\r\n`);
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.subarray(0, end).toString('utf8');
        buffer = buffer.subarray(end + 2);
        const [tag = '*', command = '', ...rest] = line.split(' ');
        const verb = command.toUpperCase();
        if (verb === 'CAPABILITY') socket.write(`* CAPABILITY ${CAPABILITY}\r\n${tag} OK CAPABILITY completed\r\n`);
        else if (verb === 'NOOP') socket.write(`${tag} OK NOOP completed\r\n`);
        else if (verb === 'LOGOUT')
          socket.end(`* BYE Courier-IMAP server shutting down\r\n${tag} OK LOGOUT completed\r\n`);
        else if (verb === 'LOGIN') {
          const [user, password] = parseArguments(rest.join(' ')) ?? [];
          if (user === undefined || password === undefined || passwords.get(user) !== password) {
            socket.write(`${tag} NO Login failed.\r\n`);
            continue;
          }
          socket.off('data', onData);
          socket.write(`${tag} OK LOGIN Ok.\r\n`);
          handOver(socket, user, buffer);
          return;
        } else socket.write(`${tag} BAD Error in IMAP command received by server.\r\n`);
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    imap: { host: '127.0.0.1', port },
    async addUser(user) {
      await makeMaildir(path.join(dir, 'users', user.username));
      passwords.set(user.username, user.password);
    },
    async stop() {
      server.close();
      for (const socket of sockets) socket.destroy();
      for (const child of children) child.kill('SIGKILL');
      if (!process.env.TANDEM_KEEP_MAIL_DIR) await rm(dir, { recursive: true, force: true });
    },
  };
}
