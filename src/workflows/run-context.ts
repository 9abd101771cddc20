import type { Kysely, Selectable } from 'kysely';
import type { TandemContext } from '../context/index.ts';
import type { Database, WorkflowRunsTable, WorkflowStepsTable } from '../db/index.ts';
import type { OutboundPolicy } from '../outbound/index.ts';
import type { Facts } from './conditions.ts';

/** What the engine hands each run: the process's context, its clock, and how to push a mailbox's outbox now. */
export interface WorkflowDeps {
  context: TandemContext;
  /** The clock (tests drive it). */
  now: () => number;
  /** Which hosts webhooks may reach: the public Internet and what the setting allowedWebhookHosts adds. */
  webhooks: OutboundPolicy;
  /** Local changes wait in a mailbox's outbox (the Sent copy): push them now. */
  nudge: (mailboxId: string) => void;
}

export type RunRow = Selectable<WorkflowRunsTable>;
export type StepRow = Selectable<WorkflowStepsTable>;

/** One step of one run being performed, under the run's lease. */
export interface StepContext {
  deps: WorkflowDeps;
  run: RunRow;
  step: StepRow;
  facts: Facts;
  /** The workflow's owner: the workflow acts with their rights. */
  owner: { id: string; isAdmin: boolean };
  /** The workflow sends no more email to a contact who replied by hand (sequences). */
  stopOnReply: boolean;
  /**
   * Does a step's work in the transaction that records it done (and fails when
   * this process no longer holds the run's lease): store-only steps happen once.
   */
  completeWith(work: (trx: Kysely<Database>) => Promise<Record<string, unknown>>): Promise<StepResult>;
}

/** How a step ended this time. */
export type StepResult =
  | {
      kind: 'done';
      outcome: Record<string, unknown>;
      /** The run waits until then before its next step (Wait). */
      resumeAt?: number;
      /** Already recorded done, in the work's own transaction. */
      recorded?: boolean;
    }
  | { kind: 'retry'; at: number; error: string }
  | { kind: 'failed'; error: string }
  | { kind: 'uncertain'; error: string }
  /** The step is skipped and the run ends: the contact replied by hand. */
  | { kind: 'stopped'; error: string };

/** Lost the run's lease: another process has it now; this one stops touching it. */
export class RunLeaseLost extends Error {
  override readonly name = 'RunLeaseLost';
}
