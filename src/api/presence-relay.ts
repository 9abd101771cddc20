import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Database } from '../db/index.ts';
import { listen } from '../mail/sync/index.ts';
import type { HintListener } from '../mail/sync/index.ts';
import { Presence } from './presence.ts';

const CHANNEL = 'tandem_presence';

const relayedSchema = z.object({
  origin: z.string(),
  mailboxId: z.string(),
  conversationId: z.string(),
  user: z.object({ id: z.string(), name: z.string() }),
  state: z.enum(['viewing', 'replying', 'gone']),
});

/**
 * Presence shared by every `tandem web` process around one PostgreSQL: each
 * update a process is told goes out with `NOTIFY tandem_presence`, and each
 * process applies the others' (its own come back too, and are skipped). A
 * process started later learns a member's presence at their next repeat (20 s).
 * A lost notification costs the same: presence is a hint.
 */
export function relayedPresence(
  db: Kysely<Database>,
  databaseUrl: string,
  logger: Logger,
): { presence: Presence; listener: HintListener } {
  const origin = randomUUID();
  const presence = new Presence((update) => {
    sql`SELECT pg_notify(${CHANNEL}, ${JSON.stringify({ origin, ...update })})`
      .execute(db)
      .catch((error: unknown) => logger.debug({ err: error }, 'could not relay a presence'));
  });
  const listener = listen(
    databaseUrl,
    CHANNEL,
    async (payload) => {
      const parsed = relayedSchema.safeParse(JSON.parse(payload));
      if (!parsed.success || parsed.data.origin === origin) return;
      const { origin: _from, ...update } = parsed.data;
      presence.receive(update);
    },
    logger,
  );
  return { presence, listener };
}
