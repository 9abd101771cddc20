import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_ALLOWED_MAIL_HOSTS } from './stores.ts';

export const tandemBin = fileURLToPath(new URL('../../bin/tandem.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tandem …` to completion, with optional stdin (and working folder). */
export function runTandem(
  args: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tandemBin, ...args], {
      env: { ...cleanEnv(), ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Starts `tandem serve` and resolves with its URL once it prints it. */
export async function startServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const { printed, child, output } = await startTandem(
    ['serve', '--port', '0', ...args],
    env,
    /Tandem is running at (http:\/\/\S+)/,
  );
  return { url: printed, child, output };
}

/** Starts a long-running `tandem …` command; resolves once its output matches `ready`, with the first group. */
export function startTandem(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ printed: string; child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tandemBin, ...args], { env: { ...cleanEnv(), ...env } });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match?.[1]) resolve({ printed: match[1], child, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`tandem ${args[0]} exited with ${code}:\n${output}`)));
  });
}

/** SIGKILLs a child and resolves once it has exited — also when it exited before the caller got to wait. */
export function killNow(child: ChildProcess): Promise<void> {
  const exited = child.exitCode !== null || child.signalCode !== null;
  const done = exited ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return done;
}

/**
 * The test process's environment without Tandem settings that would leak into
 * the child; the child may reach the loopback test servers (`allowedMailHosts`).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('TANDEM_') || name === 'DATABASE_URL') delete env[name];
  return { ...env, TANDEM_ALLOWED_MAIL_HOSTS: TEST_ALLOWED_MAIL_HOSTS };
}

/** A Tandem user made with the CLI, and the headers of an API token for it. */
export async function cliUserHeaders(
  dataDir: string,
  email: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Record<string, string>> {
  await runTandem(['user', 'add', '--email', email, '--password-stdin', '--data', dataDir], {
    stdin: 'cli-user-password',
    env,
  });
  const token = (await runTandem(['token', 'create', '--user', email, '--data', dataDir], { env })).stdout.trim();
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

export interface HttpMailUser {
  address: string;
  username: string;
  password: string;
}

/** Connects a mail user's mailbox through a running `tandem serve` (plain loopback IMAP and SMTP). */
export async function connectOverHttp(
  url: string,
  headers: Record<string, string>,
  servers: { imap: { host: string; port: number }; smtp: { host: string; port: number } },
  user: HttpMailUser,
  options: { syncPeriod: string; folders?: string[] },
): Promise<Response> {
  return fetch(`${url}/api/v1/mailboxes`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      address: user.address,
      imap: {
        host: servers.imap.host,
        port: servers.imap.port,
        security: 'none',
        username: user.username,
        password: user.password,
      },
      smtp: {
        host: servers.smtp.host,
        port: servers.smtp.port,
        security: 'none',
        username: user.username,
        password: user.password,
      },
      ...options,
    }),
  });
}
