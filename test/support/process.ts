// Small process and socket helpers shared by the mail-server harness.
import { execFile, spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import net from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

// Dovecot and Postfix live in /usr/sbin, which a non-login shell's PATH may lack.
const PATH = [process.env.PATH ?? '/usr/bin:/bin', '/usr/sbin', '/sbin'].join(':');

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface ExecError extends Error {
  code?: number | string | null;
  stdout?: string;
  stderr?: string;
}

/** Runs a program (no shell) and returns its stdout; throws with its stderr on failure. */
export async function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const promise = execFileAsync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeoutMs ?? 60_000,
    env: { ...process.env, PATH, ...options.env },
  });
  // Always close stdin so nothing waits on it; a child that exits without reading it
  // makes the write fail with EPIPE, which must not crash the test process.
  promise.child.stdin?.on('error', () => {});
  promise.child.stdin?.end(options.input ?? '');
  try {
    return (await promise).stdout;
  } catch (error) {
    const e = error as ExecError;
    const detail = (e.stderr ?? '').trim() || (e.stdout ?? '').trim() || e.message;
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${String(e.code)}): ${detail}`, { cause: error });
  }
}

/**
 * Runs a program with stdout and stderr going to `outFile`, and resolves when it
 * exits. For commands that start daemons: the daemon (or a check `postfix start`
 * leaves running in the background) inherits stdout/stderr, so execFile, which
 * waits for those pipes to close, would wait for it (Dovecot: until the timeout).
 * Also, Node's piped stdio is a socket, which the imap binary refuses as stdout.
 */
export async function runToFile(
  cmd: string,
  args: readonly string[],
  outFile: string,
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; output: string }> {
  const out = await open(outFile, 'w');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(cmd, args, {
        // Dovecot's imap needs a stdin it can poll (a pipe, not /dev/null or a file).
        stdio: [options.input === undefined ? 'ignore' : 'pipe', out.fd, out.fd],
        env: { ...process.env, PATH, ...options.env },
      });
      child.stdin?.on('error', () => {});
      child.stdin?.end(options.input);
      child.on('error', reject);
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    return { code, output: await readFile(outFile, 'utf8') };
  } finally {
    await out.close();
  }
}

/** Picks `count` distinct free loopback ports (all held open together so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Connects to a TCP port and resolves with the server's first line (its greeting). */
function readGreeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no greeting on port ${port}`)));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\n')) {
        socket.end();
        resolve(data.split('\n')[0] ?? '');
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`port ${port} closed before a greeting`)));
  });
}

/**
 * Waits until `port` greets with a line matching `expected`. `stillRunning` lets the
 * caller stop early when the server has already died (its log then says why).
 */
export async function waitForGreeting(
  port: number,
  expected: RegExp,
  stillRunning: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const line = await readGreeting(port);
      if (expected.test(line)) return;
      lastError = new Error(`unexpected greeting on port ${port}: ${line}`);
    } catch (error) {
      lastError = error;
    }
    if (!(await stillRunning())) throw new Error(`server for port ${port} exited`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`port ${port} did not greet within ${timeoutMs} ms`, { cause: lastError });
}

export async function readPid(pidFile: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(pidFile, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Waits for a daemon's pid file (written after it forks into the background). */
export async function waitForPidFile(pidFile: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = await readPid(pidFile);
    if (pid !== null) return pid;
    if (Date.now() > deadline) throw new Error(`no pid in ${pidFile} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * True while the process exists and is not a zombie. The daemons re-parent to PID 1,
 * which on these machines reaps zombies only every few seconds: kill(pid, 0) alone
 * would report a finished server as alive for that long.
 */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Format: "pid (comm) STATE ..."; comm may contain spaces, so split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits for a process to end; sends SIGKILL if it has not after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Stops a daemon with SIGTERM and waits until it has exited. Kills both the pid it
 * started with and the one its pid file names now, in case a test restarted it.
 */
export async function stopDaemon(pidFile: string, startedPid: number | null): Promise<void> {
  const pids = new Set([startedPid, await readPid(pidFile)]);
  await Promise.all(
    [...pids].map(async (pid) => {
      if (pid === null || !(await isAlive(pid))) return;
      try {
        process.kill(pid, 'SIGTERM'); // what `doveadm stop` / `postfix stop` do
      } catch {
        return; // exited meanwhile
      }
      await waitForExit(pid);
    }),
  );
}

/** Last lines of a log file, for error messages. */
export async function tail(file: string, lines = 20): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}
