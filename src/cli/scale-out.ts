import type { Command } from 'commander';
import { relayedPresence } from '../api/index.ts';
import type { Config } from '../config/index.ts';
import { ConfigError } from '../config/index.ts';
import { collectBlobsPeriodically, openContext } from '../context/index.ts';
import { purgeEventsPeriodically } from '../engagement/index.ts';
import { hintingSyncControl, listenForHints, receiveMailEvents, relayMailEvents } from '../mail/sync/index.ts';
import { newEngine, newHeldSendRunner, newWorkflowEngine, serveHttp, stopOnSignal, withHttpOptions } from './serve.ts';
import type { HttpFlags } from './serve.ts';
import { configFrom, withStoreOptions } from './shared.ts';
import type { StoreFlags } from './shared.ts';

/**
 * The two halves of `tandem serve`, for running on several machines around
 * one PostgreSQL: any number of `tandem web` (API and web app, no sync) and of
 * `tandem worker` (sync only). Workers share the mailboxes through leases.
 */
export function scaleOutCommands(program: Command): void {
  withStoreOptions(program.command('worker'))
    .description('Sync mailboxes, sharing them with the other workers (PostgreSQL only: DATABASE_URL)')
    .action(async (flags: StoreFlags) => {
      const config = postgresConfig(configFrom(flags), 'worker');
      const context = await openContext(config);
      const engine = newEngine(context);
      await engine.start();
      const workflows = newWorkflowEngine(context, engine);
      await workflows.start();
      const heldSends = newHeldSendRunner(context, engine);
      heldSends.start();
      const hints = listenForHints(config.databaseUrl, engine, context.logger);
      const stopRelay = relayMailEvents(context.store.db, context.logger);
      const stopCollecting = collectBlobsPeriodically(context);
      const stopPurging = purgeEventsPeriodically(context);
      console.log(`Tandem worker ${engine.owner} is running`);
      stopOnSignal(async () => {
        stopCollecting();
        stopPurging();
        stopRelay();
        await hints.close();
        await heldSends.stop();
        await workflows.stop();
        await engine.stop();
        await context.close();
      });
    });

  withHttpOptions(program.command('web'))
    .description(
      'Serve the API and web app without syncing; `tandem worker` processes sync (PostgreSQL only: DATABASE_URL)',
    )
    .action(async (flags: HttpFlags) => {
      const config = postgresConfig(configFrom(flags, { port: flags.port, host: flags.host }), 'web');
      const context = await openContext(config);
      const events = receiveMailEvents(config.databaseUrl, context.logger);
      const stopRelay = relayMailEvents(context.store.db, context.logger);
      const { presence, listener } = relayedPresence(context.store.db, config.databaseUrl, context.logger);
      const sync = hintingSyncControl(context.store.db, context.logger);
      const { app, url } = await serveHttp(context, config, sync, presence);
      console.log(`Tandem is running at ${url}`);
      stopOnSignal(async () => {
        stopRelay();
        await listener.close();
        await events.close();
        await app.close();
        await context.close();
      });
    });
}

function postgresConfig(config: Config, command: string): Config & { databaseUrl: string } {
  if (!config.databaseUrl) {
    throw new ConfigError(
      `tandem ${command} shares its store with other processes and needs PostgreSQL: set DATABASE_URL (for one process on SQLite, use tandem serve)`,
    );
  }
  return { ...config, databaseUrl: config.databaseUrl };
}
