import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { buildApp, WEB_APP_DIR, webAppBuilt } from '../api/index.ts';
import { openContext } from '../context/index.ts';
import { SyncEngine } from '../mail/sync/index.ts';
import { countUsers } from '../users/index.ts';
import { configFrom, withStoreOptions } from './shared.ts';
import type { StoreFlags } from './shared.ts';

interface ServeFlags extends StoreFlags {
  port?: string;
  host?: string;
}

export function serveCommand(program: Command): void {
  withStoreOptions(program.command('serve'))
    .description('Run the API, web app and sync in one process (SQLite in the data folder unless DATABASE_URL is set)')
    .option('--port <port>', 'HTTP port (default 3000); env TANDEM_PORT')
    .option('--host <host>', 'address to listen on (default 127.0.0.1); env TANDEM_HOST')
    .action(async (flags: ServeFlags) => {
      const config = configFrom(flags, { port: flags.port, host: flags.host });
      const context = await openContext(config);
      const setupCode = (await countUsers(context.store.db)) === 0 ? newSetupCode() : null;
      const engine = new SyncEngine({ db: context.store.db, dialect: context.store.dialect, blobs: context.blobs, secrets: context.secrets, logger: context.logger });
      const webApp = webAppBuilt() ? WEB_APP_DIR : undefined;
      if (!webApp) context.logger.warn(`The web app is not built (${WEB_APP_DIR}): run \`npm run build\`; serving the API only`);
      const app = await buildApp(context, { setupCode, sync: engine, ...(webApp ? { webApp } : {}) });
      const address = await app.listen({ port: config.port, host: config.host });
      const url = config.publicUrl ?? address;
      if (setupCode) {
        context.logger.warn(
          { setupCode },
          `No user yet: create the first admin at ${url} with setup code ${setupCode} (or run \`tandem user add --admin\`)`,
        );
      }
      await engine.start();
      console.log(`Tandem is running at ${url}`);
      const stop = async () => {
        await app.close();
        await engine.stop();
        await context.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

/** 12 unambiguous characters, grouped: e.g. `K7QM-2XWD-9RTA`. */
function newSetupCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const chars = [...randomBytes(12)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}
