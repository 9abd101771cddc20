import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { TandemContext } from '../context/index.ts';
import { OutboundPolicy } from '../outbound/index.ts';
import type { WorkflowDeps } from './run-context.ts';
import { claimRuns, executeRun, releaseLeasesOf } from './runner.ts';
import { consumeEvents, fireSchedules } from './triggers.ts';

export interface WorkflowEngineOptions {
  /** The clock; tests drive it. */
  now?: () => number;
  /** How often the engine looks for work (ms); 0: never by itself (tests call tick()). */
  intervalMs?: number;
  /** Push a mailbox's outbox now (the Sent copy of a workflow email). */
  nudge?: (mailboxId: string) => void;
  /** Runs performed at the same time. */
  concurrency?: number;
}

/**
 * Runs workflows in the process that runs the sync engine (`tandem serve`,
 * each `tandem worker`): turns change events into runs, fires schedules,
 * claims due runs and performs their steps. Several engines on one PostgreSQL
 * share the work through row locks and run leases; each run happens once.
 */
export class WorkflowEngine {
  readonly owner: string;
  readonly #deps: WorkflowDeps;
  readonly #intervalMs: number;
  readonly #concurrency: number;
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;

  constructor(
    private readonly context: TandemContext,
    options: WorkflowEngineOptions = {},
  ) {
    this.owner =
      context.store.dialect === 'sqlite'
        ? 'embedded'
        : `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.#deps = {
      context,
      now: options.now ?? Date.now,
      webhooks: new OutboundPolicy(context.config.allowedWebhookHosts),
      nudge: options.nudge ?? (() => undefined),
    };
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#concurrency = options.concurrency ?? 4;
  }

  async start(): Promise<void> {
    if (this.context.store.dialect === 'sqlite') await releaseLeasesOf(this.context.store.db, this.owner);
    if (this.#intervalMs > 0) {
      this.#timer = setInterval(() => {
        this.tick().catch((error: unknown) => this.context.logger.error({ err: error }, 'workflow engine pass failed'));
      }, this.#intervalMs);
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#ticking?.catch(() => undefined);
  }

  /** One pass: events → runs, schedules due, then every due run until none is left. Passes never overlap. */
  tick(): Promise<void> {
    this.#ticking ??= this.#pass().finally(() => {
      this.#ticking = null;
    });
    return this.#ticking;
  }

  async #pass(): Promise<void> {
    const { db, dialect } = this.context.store;
    while ((await consumeEvents(db, dialect, this.#deps.now())) > 0);
    await fireSchedules(db, dialect, this.context.config.timeZone, this.#deps.now());
    for (;;) {
      const claimed = await claimRuns(this.#deps, this.owner, this.#concurrency);
      if (claimed.length === 0) return;
      await Promise.all(
        claimed.map((c) =>
          executeRun(this.#deps, c).catch((error: unknown) =>
            this.context.logger.error({ err: error, runId: c.run.id }, 'workflow run failed to proceed'),
          ),
        ),
      );
      // Steps may have changed records: their events are turned into runs before the next batch.
      while ((await consumeEvents(db, dialect, this.#deps.now())) > 0);
    }
  }
}
