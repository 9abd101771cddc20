import { ownedMailbox } from '../../access/index.ts';
import type { TandemContext } from '../../context/index.ts';
import { TandemError } from '../../errors/index.ts';
import type { SyncControl } from '../sync/index.ts';

/**
 * After the user signed in again: the mailbox uses the new grant (the old one
 * is dropped) and syncs again. The grant must be for the same provider and address.
 */
export async function reauthorizeMailbox(
  context: TandemContext,
  sync: SyncControl,
  ownerId: string,
  mailboxId: string,
  grantId: string,
): Promise<void> {
  const mailbox = await ownedMailbox(context.store.db, ownerId, mailboxId);
  const { db } = context.store;
  const grant = await db
    .selectFrom('oauth_grants')
    .select(['provider_id', 'address'])
    .where('id', '=', grantId)
    .where('user_id', '=', ownerId)
    .executeTakeFirst();
  if (!grant || grant.provider_id !== mailbox.provider_id || grant.address !== mailbox.address) {
    throw new TandemError('validation_failed', `Sign in as ${mailbox.address} to reconnect this mailbox`);
  }
  const previous = mailbox.oauth_grant_id;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('mailboxes')
      .set({ oauth_grant_id: grantId, state: 'syncing', error: null, updated_at: Date.now() })
      .where('id', '=', mailboxId)
      .execute();
    if (previous && previous !== grantId) await trx.deleteFrom('oauth_grants').where('id', '=', previous).execute();
  });
  await sync.restartMailbox(mailboxId);
}
