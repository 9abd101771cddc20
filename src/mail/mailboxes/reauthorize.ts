import { ownedMailbox } from '../../access/index.ts';
import type { TandemContext } from '../../context/index.ts';
import { TandemError } from '../../errors/index.ts';
import type { SyncControl } from '../sync/index.ts';
import { imapSettingsOf, mailboxSecretsSchema, verifyImap, verifySmtp } from '../account/index.ts';
import type { MailboxSecrets } from '../account/index.ts';
import { smtpSettingsOf } from '../send/index.ts';

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

/**
 * After the password was changed on the mail server: the new one is tried
 * (IMAP, and SMTP with its own password or else the new one when both logins
 * shared a password), sealed, and the mailbox syncs again from where it was —
 * its emails, folders and cursors are kept. Nothing is saved unless the logins work.
 */
export async function changeMailboxPassword(
  context: TandemContext,
  sync: SyncControl,
  ownerId: string,
  mailboxId: string,
  change: { password: string; smtpPassword?: string | undefined },
): Promise<void> {
  const { db } = context.store;
  const mailbox = await ownedMailbox(db, ownerId, mailboxId);
  if (mailbox.oauth_grant_id)
    throw new TandemError('validation_failed', `${mailbox.address} signs in with its provider: sign in again instead`);
  const sealed = mailboxSecretsSchema.parse(context.secrets.openJson(mailbox.secrets));
  const sharedPassword = sealed.smtpPassword === sealed.imapPassword;
  const secrets: MailboxSecrets = {
    ...sealed,
    imapPassword: change.password,
    smtpPassword: change.smtpPassword ?? (sharedPassword ? change.password : sealed.smtpPassword),
  };
  const updated = { ...mailbox, secrets: context.secrets.sealJson(secrets) };
  await verifyImap(imapSettingsOf(updated, context.secrets, db, context.outbound));
  await verifySmtp(smtpSettingsOf(updated, context.secrets, db, context.outbound));
  await db
    .updateTable('mailboxes')
    .set({ secrets: updated.secrets, state: 'syncing', error: null, updated_at: Date.now() })
    .where('id', '=', mailboxId)
    .execute();
  await sync.restartMailbox(mailboxId);
}
