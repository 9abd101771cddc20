import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.ts';
import { openContext } from '../../src/context/index.ts';
import type { TandemContext } from '../../src/context/index.ts';
import type { Dialect } from '../../src/db/index.ts';
import { OutboundPolicy } from '../../src/outbound/index.ts';
import { freshPostgresSchema, postgresUrl } from './databases.ts';

/**
 * Every test server runs on this machine: Tandem started by the tests may
 * reach loopback mail servers (the setting `allowedMailHosts`).
 */
export const TEST_ALLOWED_MAIL_HOSTS = 'localhost,127.0.0.0/8,::1';
export const testOutbound = new OutboundPolicy(TEST_ALLOWED_MAIL_HOSTS.split(','));

/** The stores every store-touching test runs on: SQLite always, PostgreSQL where it runs (always in CI). */
export async function storeDialects(): Promise<Dialect[]> {
  if (await postgresUrl()) return ['sqlite', 'postgres'];
  console.warn('PostgreSQL is not reachable at 127.0.0.1:5432: its store tests are skipped on this machine');
  return ['sqlite'];
}

export interface TestContext extends TandemContext {
  /** Closes the store and removes its data folder (and PostgreSQL schema). */
  dispose(): Promise<void>;
}

export interface TestContextOptions {
  /** `allowedMailHosts`; loopback by default (the test servers), '' for none. */
  allowedMailHosts?: string;
  trustProxy?: string;
  publicUrl?: string;
}

/** A migrated Tandem context on a fresh, private store of the given dialect. */
export async function openTestContext(dialect: Dialect, options: TestContextOptions = {}): Promise<TestContext> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-test-'));
  const schema = dialect === 'postgres' ? await freshPostgresSchema() : null;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      databaseUrl: schema?.url,
      logLevel: 'silent',
      allowedMailHosts: options.allowedMailHosts ?? TEST_ALLOWED_MAIL_HOSTS,
      trustProxy: options.trustProxy,
      publicUrl: options.publicUrl,
    },
  });
  // TANDEM_TEST_LOG=debug shows the server's log while debugging a test.
  const context = await openContext(config, { logger: pino({ level: process.env.TANDEM_TEST_LOG ?? 'silent' }) });
  return {
    ...context,
    async dispose() {
      await context.close();
      await schema?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
