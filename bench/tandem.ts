// Tandem as a user runs it: `tandem serve` as a child process on its own data
// folder, a user and an API token made with the CLI, and the HTTP API.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TEST_ALLOWED_MAIL_HOSTS } from '../test/support/stores.ts';
import { now, pollUntil } from './util.ts';
import type { Answer, Mailbox, MessageSummary, NewMailbox } from '../web/src/contract.ts';

export const tandemBin = fileURLToPath(new URL('../bin/tandem.js', import.meta.url));

/**
 * The environment without Tandem settings of the caller's shell, allowing the
 * private mail servers on loopback (which Tandem refuses by default).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('TANDEM_') || name === 'DATABASE_URL') delete env[name];
  return { ...env, TANDEM_ALLOWED_MAIL_HOSTS: TEST_ALLOWED_MAIL_HOSTS };
}

/** Runs `tandem …` to completion; throws with its output on failure. */
export function tandemCli(args: string[], stdin = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tandemBin, ...args], { env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`tandem ${args.join(' ')} exited ${code}: ${stderr || stdout}`)),
    );
    child.stdin.end(stdin);
  });
}

/** `tandem user add` + `tandem token create`: returns the API token. */
export async function createUserWithToken(dataDir: string, email: string, password: string): Promise<string> {
  await tandemCli(['user', 'add', '--email', email, '--password-stdin', '--data', dataDir], `${password}\n`);
  const token =
    (await tandemCli(['token', 'create', '--user', email, '--name', 'bench', '--data', dataDir]))
      .trim()
      .split('\n')
      .at(-1) ?? '';
  if (!token) throw new Error('tandem token create printed no token');
  return token;
}

export interface Serve {
  url: string;
  pid: number;
  child: ChildProcess;
  log: string;
  stop(): Promise<void>;
}

const killOnExit = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of killOnExit) {
    try {
      child.kill('SIGKILL');
    } catch {
      // gone
    }
  }
});

/**
 * Starts `tandem serve --port 0 --data <dir>` (SQLite, default settings and log
 * level; logs to `log`). `nodeArgs` go to node itself, e.g. --cpu-prof; `options`
 * give a fixed port and extra settings (TANDEM_* variables).
 */
export async function startServe(
  dataDir: string,
  log: string,
  nodeArgs: string[] = [],
  options: { port?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Serve> {
  const fd = openSync(log, 'w');
  const port = String(options.port ?? 0);
  const child = spawn(process.execPath, [...nodeArgs, tandemBin, 'serve', '--port', port, '--data', dataDir], {
    env: { ...cleanEnv(), ...options.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  killOnExit.add(child);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      killOnExit.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exitedPromise;
    clearTimeout(timer);
  };
  try {
    const url = await pollUntil(
      async () => {
        if (exited) throw new Error(`tandem serve exited:\n${readFileSync(log, 'utf8').slice(-2000)}`);
        return /Tandem is running at (http:\/\/\S+)/.exec(readFileSync(log, 'utf8'))?.[1];
      },
      { intervalMs: 50, timeoutMs: 60_000, what: 'tandem serve to start' },
    );
    if (child.pid === undefined) throw new Error('tandem serve has no pid');
    return { url, pid: child.pid, child, log, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 500)}`);
  }
}

/** A tiny typed client of the API with one bearer token. */
export class Api {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  /** Sends a request; returns the parsed body and how long until the whole body arrived. */
  async timed<T>(method: string, path: string, body?: unknown): Promise<{ value: T; ms: number }> {
    const started = now();
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const ms = now() - started;
    if (!response.ok) throw new ApiError(response.status, text, `${method} ${path}`);
    return { value: (text ? JSON.parse(text) : null) as T, ms };
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.timed<T>(method, path, body)).value;
  }
}

// The API's answers the benchmark reads, derived from its OpenAPI document (as in the web app).
export type MailboxView = Mailbox;
export type { MessageSummary };
export type MessagePage = Answer<'/messages', 'get'>;

export interface MailAccount {
  address: string;
  username: string;
  password: string;
}

export function mailboxBody(
  account: MailAccount,
  servers: { imap: { host: string; port: number }; smtp: { host: string; port: number } },
  folders?: string[],
): NewMailbox {
  return {
    address: account.address,
    imap: {
      host: servers.imap.host,
      port: servers.imap.port,
      security: 'none',
      username: account.username,
      password: account.password,
    },
    smtp: {
      host: servers.smtp.host,
      port: servers.smtp.port,
      security: 'none',
      username: account.username,
      password: account.password,
    },
    syncPeriod: '6m',
    ...(folders ? { folders } : {}),
  };
}

/** Waits until the mailbox is idle with every enabled folder's first sync done. */
export async function waitMailboxIdle(api: Api, id: string, timeoutMs = 30 * 60_000): Promise<MailboxView> {
  return pollUntil(
    async () => {
      const view = await api.call<MailboxView>('GET', `/api/v1/mailboxes/${id}`);
      if (view.state === 'error') throw new Error(`mailbox ${id} is in error: ${view.error ?? ''}`);
      return view.state === 'idle' &&
        view.folders.every((f) => !f.enabled || f.firstSyncDone) &&
        view.progress.done === view.progress.total
        ? view
        : undefined;
    },
    { intervalMs: 200, timeoutMs, what: `mailbox ${id} to be idle` },
  );
}

/** Every page request's query string for one folder. */
export function listPath(mailboxId: string, folder: string, limit: number, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ mailboxId, folder, limit: String(limit), ...extra });
  return `/api/v1/messages?${query.toString()}`;
}
