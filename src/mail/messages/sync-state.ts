import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';

export type SyncState = 'synced' | 'pending' | 'failed';

/**
 * Whether each message's latest change made in Tandem has reached the server:
 * `pending` while its op waits in the outbox, `failed` (with the server's
 * words) when it ended without effect, else `synced`.
 */
export async function syncStates(
  db: Kysely<Database>,
  messageIds: number[],
): Promise<Map<number, { syncState: SyncState; syncError: string | null }>> {
  const states = new Map<number, { syncState: SyncState; syncError: string | null }>();
  if (messageIds.length === 0) return states;
  const ops = await db
    .selectFrom('outbox_ops')
    .select(['message_id', 'state', 'error'])
    .where('message_id', 'in', [...new Set(messageIds)])
    .orderBy('id', 'desc')
    .execute();
  for (const op of ops) {
    if (op.message_id === null || states.has(op.message_id)) continue;
    const syncState: SyncState = op.state === 'done' ? 'synced' : op.state === 'running' ? 'pending' : op.state;
    states.set(op.message_id, { syncState, syncError: op.state === 'failed' ? op.error : null });
  }
  return states;
}
