import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Database } from '../../db/index.ts';
import { mailEventSchema, onMailEvent, publishMailEvent } from '../../events/index.ts';
import type { MailEvent } from '../../events/index.ts';
import { backoffDelay } from '../run/index.ts';
import type { SyncControl } from './control.ts';
import type { SyncEngine } from './engine.ts';

/**
 * Scale-out (PostgreSQL): `tandem web` processes tell the `tandem worker`
 * processes about changes through LISTEN/NOTIFY, and workers tell web
 * processes what changed for live views. A hint only makes a worker
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
      .catch((error: unknown) =>
        logger.warn({ err: error, mailboxId }, 'could not notify the sync workers; they will notice within seconds'),
      );
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

/** Listens for hints on a connection of its own and hands them to the engine. */
export function listenForHints(databaseUrl: string, engine: SyncEngine, logger: Logger): HintListener {
  const apply = async (payload: string) => {
    const [kind, mailboxId] = payload.split(/:(.*)/s) as [string, string | undefined];
    if (!mailboxId) return;
    if (kind === 'nudge') engine.nudge(mailboxId);
    // A new mailbox may belong to another database schema sharing the channel: the store decides.
    else if (kind === 'start') await engine.reconcile();
    else if (kind === 'stop') await engine.stopMailbox(mailboxId);
    else if (kind === 'restart' && engine.isRunning(mailboxId)) await engine.restartMailbox(mailboxId);
  };
  // Hints sent while the connection was down are lost: every mailbox looks for waiting changes once it is back.
  const caughtUp = async () => {
    await engine.reconcile();
    engine.nudgeAll();
  };
  return listen(databaseUrl, CHANNEL, apply, logger, caughtUp);
}

/**
 * Live-view events cross processes the same way: each process relays the
 * events it publishes — a worker its engine's, a `tandem web` its API's (a
 * conversation assigned, a note, a notification) — and each `tandem web`
 * re-publishes the others' to its own streams (which still show each
 * mailbox's events to its members only). An event received is never relayed
 * again, and a process skips its own. Presence has a relay of its own
 * (api/presence-relay.ts), as each process merges it.
 */
const EVENTS_CHANNEL = 'tandem_events';
const ORIGIN = randomUUID();
const relayedSchema = z.object({ origin: z.string(), event: mailEventSchema });
/** Events this process published because another relayed them. */
const received = new WeakSet<MailEvent>();

/** Every event this process publishes itself is sent on. Returns the function that stops relaying. */
export function relayMailEvents(db: Kysely<Database>, logger: Logger): () => void {
  return onMailEvent((event) => {
    if (received.has(event) || event.type === 'presence') return;
    sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify({ origin: ORIGIN, event })})`
      .execute(db)
      .catch((error: unknown) => logger.debug({ err: error }, 'could not relay a live event'));
  });
}

/** In a web process: events relayed by the other processes are published here. */
export function receiveMailEvents(databaseUrl: string, logger: Logger): HintListener {
  return listen(
    databaseUrl,
    EVENTS_CHANNEL,
    async (payload) => {
      const parsed = relayedSchema.safeParse(JSON.parse(payload));
      if (!parsed.success || parsed.data.origin === ORIGIN) return;
      received.add(parsed.data.event);
      publishMailEvent(parsed.data.event);
    },
    logger,
  );
}

/** The longest wait between two attempts to LISTEN again. */
const LISTEN_RETRY_CAP_MS = 30_000;

/**
 * LISTENs on `channel` on a connection of its own; when it drops (a database
 * restart) it reconnects with growing, jittered delays, reset once LISTEN works.
 */
export function listen(
  databaseUrl: string,
  channel: string,
  handle: (payload: string) => Promise<void>,
  logger: Logger,
  /** Called when LISTEN works again after the connection was lost. */
  reconnected: () => Promise<void> = async () => undefined,
): HintListener {
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let failures = 0;

  const connect = async () => {
    const next = new pg.Client({ connectionString: databaseUrl });
    next.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      handle(message.payload).catch((error: unknown) =>
        logger.warn({ err: error, channel }, 'notification not handled'),
      );
    });
    next.on('error', (error) => {
      logger.warn({ err: error, channel }, 'lost the LISTEN connection to PostgreSQL; reconnecting');
      void next.end().catch(() => undefined);
      schedule();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
      client = next;
      if (failures > 0) {
        logger.info({ channel }, 'listening on PostgreSQL again');
        reconnected().catch((error: unknown) => logger.warn({ err: error, channel }, 'could not catch up'));
      }
      failures = 0;
      if (closed) await next.end();
    } catch (error) {
      logger.warn({ err: error, channel }, 'cannot LISTEN on PostgreSQL; retrying');
      await next.end().catch(() => undefined);
      schedule();
    }
  };

  const schedule = () => {
    if (closed || retry) return;
    failures += 1;
    retry = setTimeout(
      () => {
        retry = null;
        void connect();
      },
      backoffDelay(failures, 1000, LISTEN_RETRY_CAP_MS),
    );
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
