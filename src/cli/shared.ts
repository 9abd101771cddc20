import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config/index.ts';
import type { Config, ConfigInput } from '../config/index.ts';
import { openContext } from '../context/index.ts';
import type { OpenOptions, TandemContext } from '../context/index.ts';
import { TandemError } from '../errors/index.ts';

/** Options every command takes, so the CLI works on the same store as a running server. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--data <dir>', 'data folder (SQLite store, blobs, secret key); env TANDEM_DATA_DIR', undefined)
    .option('--config <file>', 'JSON settings file; env TANDEM_CONFIG');
}

export interface StoreFlags {
  data?: string;
  config?: string;
}

export function configFrom(flags: StoreFlags, overrides: ConfigInput = {}): Config {
  return loadConfig({ file: flags.config, overrides: { dataDir: flags.data, ...overrides } });
}

export interface CommandOptions extends OpenOptions {
  /**
   * The command only reads or works on an existing store: it refuses a data
   * folder without a database rather than create one (with a new secret key)
   * where a mistyped or missing --data points.
   */
  existingStore?: boolean;
}

/** Refuses to go on when the embedded store the settings name does not exist. PostgreSQL's database is the store itself. */
function assertStoreExists(config: Config): void {
  if (config.databaseUrl || existsSync(path.join(config.dataDir, 'tandem.sqlite'))) return;
  throw new TandemError(
    'not_found',
    `No Tandem store in ${path.resolve(config.dataDir)}: pass --data (or TANDEM_DATA_DIR) naming the data folder of an existing one, or set DATABASE_URL`,
  );
}

/** Runs `work` with an open context and always closes it. */
export async function withContext<T>(
  config: Config,
  work: (context: TandemContext) => Promise<T>,
  options: CommandOptions = {},
): Promise<T> {
  if (options.existingStore) assertStoreExists(config);
  // Logs go to stderr: stdout carries the command's answer (a token, JSON) alone.
  const logger = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
  const context = await openContext(config, { logger, ...options });
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new TandemError('bad_request', 'Pipe the password on stdin, e.g. `echo "$PASSWORD" | tandem …`');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Prints a known failure as one clear line (exit 2 for bad settings, 1 otherwise). */
export function reportFailure(error: unknown): number {
  if (error instanceof ConfigError) {
    console.error(error.message);
    return 2;
  }
  if (error instanceof TandemError) {
    console.error(`Error (${error.code}): ${error.message}`);
    return 1;
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return 1;
}
