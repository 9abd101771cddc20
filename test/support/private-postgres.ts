// A PostgreSQL cluster of a test's own, on a free port, for tests that stop or
// restart the database server: the shared one on 5432 serves everyone else's tests.
// As root (CI), the server runs as the `postgres` user, which PostgreSQL requires.
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts, run, tail } from './process.ts';

const INSTALLED = '/usr/lib/postgresql';

export interface PrivatePostgres {
  url: string;
  /** `pg_ctl restart -m fast`: every session is ended ("terminating connection due to administrator command"). */
  restart(): Promise<void>;
  /** Stops the server (fast shutdown); `start()` brings it back on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  dispose(): Promise<void>;
}

/** The folder with initdb and pg_ctl, or null when no PostgreSQL server is installed. */
export function postgresBinDir(): string | null {
  if (!existsSync(INSTALLED)) return null;
  const versions = readdirSync(INSTALLED).sort((a, b) => Number(b) - Number(a)); // the newest first
  const dirs = versions.map((version) => path.join(INSTALLED, version, 'bin'));
  return dirs.find((dir) => existsSync(path.join(dir, 'pg_ctl'))) ?? null;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`no PostgreSQL server binaries in ${INSTALLED}/*/bin (test/support/install-packages.sh)`);
  const root = mkdtempSync(path.join(os.tmpdir(), 'tandem-pg-'));
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chownByName(root, 'postgres');
  const [port] = await freePorts(1);
  const pg = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args], { timeoutMs: 120_000 })
      : run(path.join(bin, program), args, { timeoutMs: 120_000 });
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const ctl = async (...args: string[]) => {
    try {
      await pg('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', ...args]);
    } catch (error) {
      throw new Error(`pg_ctl ${args[0]} failed; server log:\n${await tail(logFile)}`, { cause: error });
    }
  };
  await pg('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  await ctl('start', '-o', options);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => ctl('restart', '-m', 'fast', '-o', options),
    stop: () => ctl('stop', '-m', 'fast'),
    start: () => ctl('start', '-o', options),
    async dispose() {
      await ctl('stop', '-m', 'immediate').catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Gives the folder to a system user (by name: its ids differ between machines). */
async function chownByName(dir: string, user: string): Promise<void> {
  const uid = Number((await run('id', ['-u', user])).trim());
  const gid = Number((await run('id', ['-g', user])).trim());
  chownSync(dir, uid, gid);
}
