import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { refreshTouchpoints } from '../engagement/touchpoints.ts';

/**
 * A reply from a record (linkTo): the sent email is stored once its copy in
 * Sent is synced, so the link waits here, keyed by the Message-ID, and is
 * made by whichever comes second: this call or the sync storing the copy.
 */
export async function linkSentMessage(
  db: Kysely<Database>,
  input: { mailboxId: string; messageId: string; recordId: string; userId: string },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('pending_links')
      .values({
        mailbox_id: input.mailboxId,
        message_id_header: input.messageId,
        record_id: input.recordId,
        created_by: input.userId,
        created_at: Date.now(),
      })
      .execute();
    const stored = await trx
      .selectFrom('messages')
      .select('id')
      .where('mailbox_id', '=', input.mailboxId)
      .where('message_id', '=', input.messageId)
      .execute();
    if (stored.length > 0)
      await resolvePendingLinks(
        trx,
        input.mailboxId,
        stored.map((s) => ({ id: s.id, messageId: input.messageId })),
      );
  });
}

/** Makes the links waiting for these freshly stored messages (manual links: a user asked for them). */
export async function resolvePendingLinks(
  trx: Kysely<Database>,
  mailboxId: string,
  messages: { id: number; messageId: string | null }[],
): Promise<void> {
  const byHeader = new Map<string, number[]>();
  for (const m of messages) if (m.messageId) byHeader.set(m.messageId, [...(byHeader.get(m.messageId) ?? []), m.id]);
  if (byHeader.size === 0) return;
  const pending = await trx
    .selectFrom('pending_links')
    .selectAll()
    .where('mailbox_id', '=', mailboxId)
    .where('message_id_header', 'in', [...byHeader.keys()])
    .execute();
  for (const p of pending) {
    for (const id of byHeader.get(p.message_id_header) ?? []) {
      await trx
        .insertInto('email_links')
        .values({
          message_id: id,
          record_id: p.record_id,
          source: 'manual',
          state: 'linked',
          created_by: p.created_by,
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.columns(['message_id', 'record_id']).doUpdateSet({ source: 'manual', state: 'linked' }))
        .execute();
    }
  }
  await refreshTouchpoints(
    trx,
    pending.map((p) => p.record_id),
  );
}
