import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../../db/index.ts';
import type { SyncControl } from '../mailboxes/index.ts';
import type { SyncEngine } from './engine.ts';

/**
 * Scale-out (PostgreSQL): `tandem web` processes tell the `tandem worker`
 * processes about changes through LISTEN/NOTIFY. A hint only makes a worker
 * act sooner — the store stays the truth: workers reconcile with it every few
 * seconds, and a hint that is lost only costs that delay.
 */
const CHANNEL = 'tandem_sync';

type HintKind = 'start' | 'stop' | 'restart' | 'nudge';

/** The SyncControl of a process without an engine: each call becomes a hint to the workers. */
export function hintingSyncControl(db: Kysely<Database>, logger: Logger): SyncControl {
  const send = (kind: HintKind, mailboxId: string) =>
    sql`SELECT pg_notify(${CHANNEL}, ${`${kind}:${mailboxId}`})`
      .execute(db)
      .then(() => undefined)
      .catch((error: unknown) => logger.warn({ err: error, mailboxId }, 'could not notify the sync workers; they will notice within seconds'));
  return {
    startMailbox: (mailboxId) => void send('start', mailboxId),
    stopMailbox: (mailboxId) => send('stop', mailboxId),
    restartMailbox: (mailboxId) => send('restart', mailboxId),
    nudge: (mailboxId) => void send('nudge', mailboxId),
  };
}

export interface HintListener {
  close(): Promise<void>;
}

/** Listens for hints on a connection of its own and hands them to the engine; reconnects when it drops. */
export function listenForHints(databaseUrl: string, engine: SyncEngine, logger: Logger): HintListener {
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;

  const apply = async (payload: string) => {
    const [kind, mailboxId] = payload.split(/:(.*)/s) as [string, string | undefined];
    if (!mailboxId) return;
    if (kind === 'nudge') engine.nudge(mailboxId);
    // A new mailbox may belong to another database schema sharing the channel: the store decides.
    else if (kind === 'start') await engine.reconcile();
    else if (kind === 'stop') await engine.stopMailbox(mailboxId);
    else if (kind === 'restart' && engine.isRunning(mailboxId)) await engine.restartMailbox(mailboxId);
  };

  const connect = async () => {
    const next = new pg.Client({ connectionString: databaseUrl });
    next.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      apply(message.payload).catch((error: unknown) => logger.warn({ err: error }, 'sync hint failed'));
    });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'lost the hint connection to PostgreSQL; reconnecting');
      void next.end().catch(() => undefined);
      schedule();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      client = next;
      if (closed) await next.end();
    } catch (error) {
      logger.warn({ err: error }, 'cannot listen for sync hints; retrying');
      await next.end().catch(() => undefined);
      schedule();
    }
  };

  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, 2000);
  };

  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
