import { pino } from 'pino';
import type { Logger } from 'pino';
import { BlobStore } from '../blobs/index.ts';
import type { Config } from '../config/index.ts';
import { migrateToLatest, openStore } from '../db/index.ts';
import type { Store } from '../db/index.ts';
import { OutboundPolicy } from '../outbound/index.ts';
import { SecretBox, loadSecretKey } from '../secrets/index.ts';

/** Everything a Tandem process shares: settings, store, blobs, secrets and the logger. */
export interface TandemContext {
  config: Config;
  store: Store;
  blobs: BlobStore;
  secrets: SecretBox;
  logger: Logger;
  /** Which hosts users may make Tandem connect to (mail servers, autoconfig). */
  outbound: OutboundPolicy;
  close(): Promise<void>;
}

export interface OpenOptions {
  logger?: Logger;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

export async function openContext(config: Config, options: OpenOptions = {}): Promise<TandemContext> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const store = openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    timeouts: {
      statementMs: config.dbStatementTimeoutMs,
      lockMs: config.dbLockTimeoutMs,
      idleInTransactionMs: config.dbIdleInTransactionTimeoutMs,
    },
    onConnectionError: (error) => logger.warn({ err: error }, 'a database connection broke; it will be opened anew'),
  });
  try {
    if (options.migrate !== false) {
      const applied = await migrateToLatest(store);
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
    }
    const secrets = new SecretBox(loadSecretKey(config.secretKey, config.dataDir));
    const outbound = new OutboundPolicy(config.allowedMailHosts);
    return {
      config,
      store,
      blobs: new BlobStore(config.dataDir),
      secrets,
      logger,
      outbound,
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
