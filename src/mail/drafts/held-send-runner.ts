import type { Selectable } from 'kysely';
import type { TandemContext } from '../../context/index.ts';
import type { HeldSendsTable } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import type { MergeValues } from '../mime/index.ts';
import { sendMessage, sendStateOf } from '../send/index.ts';
import { draftBack, sendInputOf } from './held-sends.ts';
import type { HeldLink } from './held-sends.ts';

type HeldSendRow = Selectable<HeldSendsTable>;

/** A claim this old belongs to a process that stopped (a send takes far less). */
export const HELD_CLAIM_STALE_MS = 2 * 60_000;

export interface HeldSendRunnerOptions {
  /** How often due sends are looked for (ms); 0: never by itself (tests call tick()). */
  intervalMs?: number;
  /** Once a held email went out: the sent email linked to its record (the CRM's part). */
  onSent?: (sent: { mailboxId: string; messageId: string; ownerId: string; linkTo: HeldLink }) => Promise<void>;
  /** Push a mailbox's outbox now (the Sent copy). */
  nudge?: (mailboxId: string) => void;
}

/**
 * Performs held sends at their time, beside the sync engine (`tandem serve`,
 * each `tandem worker`). A send is claimed by compare-and-set (held → claimed)
 * and sent under the held row's id, whose `sends` row is recorded before the
 * SMTP exchange and never sent again (docs/sync.md invariant 6): whatever
 * crashes or how many processes claim it, at most one delivery and one Sent
 * copy. A claim left by a stopped process is taken again; if its send had
 * begun, its recorded outcome stands.
 */
export class HeldSendRunner {
  readonly #startedAt = Date.now();
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;

  constructor(
    private readonly context: TandemContext,
    private readonly options: HeldSendRunnerOptions = {},
  ) {
    this.#intervalMs = options.intervalMs ?? 1000;
  }

  start(): void {
    if (this.#intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.context.logger.error({ err: error }, 'held sends pass failed'));
    }, this.#intervalMs);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#ticking?.catch(() => undefined);
  }

  /** One pass: every due send (and every stale claim) claimed and performed, one after another. */
  tick(): Promise<void> {
    this.#ticking ??= this.#pass().finally(() => {
      this.#ticking = null;
    });
    return this.#ticking;
  }

  /**
   * Claims made before this process started are stale where it is the only one (SQLite);
   * with several workers, once older than a send could take.
   */
  #staleBefore(now: number): number {
    return this.context.store.dialect === 'sqlite'
      ? Math.max(this.#startedAt, now - HELD_CLAIM_STALE_MS)
      : now - HELD_CLAIM_STALE_MS;
  }

  async #pass(): Promise<void> {
    const { db } = this.context.store;
    const now = Date.now();
    const staleBefore = this.#staleBefore(now);
    const due = await db
      .selectFrom('held_sends')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'held'), eb('send_at', '<=', now)]),
          eb.and([eb('state', '=', 'claimed'), eb('claimed_at', '<', staleBefore)]),
        ]),
      )
      .orderBy('send_at')
      .limit(20)
      .execute();
    for (const { id } of due) {
      const row = await this.#claim(id, now, staleBefore);
      if (row) await this.#perform(row);
    }
  }

  async #claim(id: string, now: number, staleBefore: number): Promise<HeldSendRow | null> {
    const { db } = this.context.store;
    const claimedAt = Date.now();
    const result = await db
      .updateTable('held_sends')
      .set({ state: 'claimed', claimed_at: claimedAt, updated_at: claimedAt })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'held'), eb('send_at', '<=', now)]),
          eb.and([eb('state', '=', 'claimed'), eb('claimed_at', '<', staleBefore)]),
        ]),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return null; // undone, or taken by another process
    return (await db.selectFrom('held_sends').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async #perform(row: HeldSendRow): Promise<void> {
    const earlier = await sendStateOf(this.context.store.db, row.id);
    if (earlier) return this.#settle(row, earlier.state, earlier.error);
    const values = JSON.parse(row.merge_values_json) as MergeValues;
    try {
      await sendMessage(this.context, row.owner_user_id, sendInputOf(row), async () => values);
    } catch (error) {
      const state = (await sendStateOf(this.context.store.db, row.id))?.state;
      return this.#settle(row, state ?? 'failed', error instanceof TandemError ? error.message : String(error));
    }
    await this.#settle(row, 'sent', null);
  }

  /** What became of the send decides: sent → linked; refused before going out → the draft is back; else it stands. */
  async #settle(row: HeldSendRow, state: string, error: string | null): Promise<void> {
    const { db } = this.context.store;
    let shown: string | null = null;
    if (state === 'sent') {
      const link = row.link_to_json ? (JSON.parse(row.link_to_json) as HeldLink) : null;
      const send = await db.selectFrom('sends').select('message_id').where('id', '=', row.id).executeTakeFirst();
      if (link && send && this.options.onSent)
        await this.options.onSent({
          mailboxId: row.mailbox_id,
          messageId: send.message_id,
          ownerId: row.owner_user_id,
          linkTo: link,
        });
    } else if (state === 'failed') {
      await draftBack(this.context, row).catch((e: unknown) =>
        this.context.logger.warn({ err: e, heldSendId: row.id }, 'a refused held send could not be put back in Drafts'),
      );
      shown = `${error ?? 'The message was not sent'}. It is back in Drafts.`;
    } else {
      shown = error;
    }
    await db
      .updateTable('held_sends')
      .set({ state: 'done', error: shown, updated_at: Date.now() })
      .where('id', '=', row.id)
      .where('state', '=', 'claimed')
      .execute();
    this.options.nudge?.(row.mailbox_id);
  }
}
