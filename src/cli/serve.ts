import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { buildApp, WEB_APP_DIR, webAppBuilt } from '../api/index.ts';
import type { ApiApp, Presence } from '../api/index.ts';
import type { Config } from '../config/index.ts';
import { collectBlobsPeriodically, openContext } from '../context/index.ts';
import { purgeEventsPeriodically } from '../engagement/index.ts';
import type { TandemContext } from '../context/index.ts';
import { ParsePool } from '../mail/mime/index.ts';
import type { ParseRaw } from '../mail/messages/index.ts';
import { SyncEngine } from '../mail/sync/index.ts';
import { HeldSendRunner } from '../mail/drafts/index.ts';
import type { SyncControl, SyncTiming } from '../mail/sync/index.ts';
import { linkSentMessage, noteEngagement, onMessagesIndexed, onMessagesStored } from '../crm/index.ts';
import { onMessagesStoredForWorkflows, WorkflowEngine } from '../workflows/index.ts';
import { countUsers } from '../users/index.ts';
import { configFrom, withStoreOptions } from './shared.ts';
import type { StoreFlags } from './shared.ts';

export interface HttpFlags extends StoreFlags {
  port?: string;
  host?: string;
}

/** The --port and --host options of the commands that serve HTTP. */
export function withHttpOptions(command: Command): Command {
  return withStoreOptions(command)
    .option('--port <port>', 'HTTP port (default 3000); env TANDEM_PORT')
    .option('--host <host>', 'address to listen on (default 127.0.0.1); env TANDEM_HOST');
}

export function serveCommand(program: Command): void {
  withHttpOptions(program.command('serve'))
    .description('Run the API, web app and sync in one process (SQLite in the data folder unless DATABASE_URL is set)')
    .action(async (flags: HttpFlags) => {
      const config = configFrom(flags, { port: flags.port, host: flags.host });
      const context = await openContext(config);
      const engine = newEngine(context);
      const { app, url } = await serveHttp(context, config, engine);
      await engine.start();
      const workflows = newWorkflowEngine(context, engine);
      await workflows.start();
      const heldSends = newHeldSendRunner(context, engine);
      heldSends.start();
      const stopCollecting = collectBlobsPeriodically(context);
      const stopPurging = purgeEventsPeriodically(context);
      console.log(`Tandem is running at ${url}`);
      stopOnSignal(async () => {
        stopCollecting();
        stopPurging();
        await app.close();
        await heldSends.stop();
        await workflows.stop();
        await engine.stop();
        await context.close();
      });
    });
}

/** The sync engine with the CRM's and the workflows' hooks; bodies are parsed on worker threads unless `parseBody` is given. */
export function newEngine(
  context: TandemContext,
  timing?: Partial<SyncTiming>,
  parseBody: ParseRaw = new ParsePool().parse,
): SyncEngine {
  const { store, blobs, secrets, logger, outbound } = context;
  return new SyncEngine({
    timing,
    db: store.db,
    dialect: store.dialect,
    blobs,
    secrets,
    logger,
    outbound,
    parseBody,
    hooks: {
      // The CRM links and files the new emails first, then reads their engagement (replies, bounces,
      // touchpoints); then workflows waiting for email are told of them.
      onStored: async (trx, batch) => {
        await onMessagesStored(trx, batch);
        await noteEngagement(trx, batch, blobs);
        await onMessagesStoredForWorkflows(trx, batch);
      },
      // Mailroom rules that waited for an email's body run once the indexer has read it.
      onIndexed: onMessagesIndexed,
    },
  });
}

/** Workflows run beside the sync engine, which files their emails' Sent copies. */
export function newWorkflowEngine(context: TandemContext, sync: SyncControl): WorkflowEngine {
  return new WorkflowEngine(context, { nudge: (mailboxId) => sync.nudge(mailboxId) });
}

/** Held sends (undo send, schedule send) go out beside the sync engine, which files their Sent copies. */
export function newHeldSendRunner(context: TandemContext, sync: SyncControl): HeldSendRunner {
  return new HeldSendRunner(context, {
    nudge: (mailboxId) => sync.nudge(mailboxId),
    onSent: ({ mailboxId, messageId, ownerId, linkTo }) =>
      linkSentMessage(context.store.db, { mailboxId, messageId, recordId: linkTo.recordId, userId: ownerId }),
  });
}

/** Builds the app and listens; while there is no user, logs the one-time setup code for the first admin. */
export async function serveHttp(
  context: TandemContext,
  config: Config,
  sync: SyncControl,
  presence?: Presence,
): Promise<{ app: ApiApp; url: string }> {
  const setupCode = (await countUsers(context.store.db)) === 0 ? newSetupCode() : null;
  const webApp = webAppBuilt() ? WEB_APP_DIR : undefined;
  if (!webApp)
    context.logger.warn(`The web app is not built (${WEB_APP_DIR}): run \`npm run build\`; serving the API only`);
  const app = await buildApp(context, {
    setupCode,
    sync,
    ...(presence ? { presence } : {}),
    ...(webApp ? { webApp } : {}),
  });
  const address = await app.listen({ port: config.port, host: config.host });
  const url = config.publicUrl ?? address;
  if (setupCode) {
    context.logger.warn(
      { setupCode },
      `No user yet: create the first admin at ${url} with setup code ${setupCode} (or run \`tandem user add --admin\`)`,
    );
  }
  return { app, url };
}

/** Stops cleanly on SIGINT / SIGTERM, then exits. */
export function stopOnSignal(stop: () => Promise<void>): void {
  const handler = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

/** 12 unambiguous characters, grouped: e.g. `K7QM-2XWD-9RTA`. */
function newSetupCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const chars = [...randomBytes(12)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}
