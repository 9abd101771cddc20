import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { Database, MailboxesTable } from '../../db/index.ts';
import type { OutboundPolicy } from '../../outbound/index.ts';
import type { SecretBox } from '../../secrets/index.ts';
import type { ConnectOptions, ImapSettings } from '../imap/index.ts';
import { GrantTokenSource } from '../oauth/index.ts';
import { presetById } from '../providers/index.ts';

/** A mailbox as stored: its address, servers and sealed secrets. */
export type MailboxRow = Selectable<MailboxesTable>;

/** What a mailbox keeps sealed in its `secrets` column. */
export const mailboxSecretsSchema = z.object({
  imapPassword: z.string(),
  smtpPassword: z.string(),
  allowInvalidCertificate: z.boolean().optional(),
});
export type MailboxSecrets = z.infer<typeof mailboxSecretsSchema>;

export function imapSettingsOf(
  mailbox: MailboxRow,
  secrets: SecretBox,
  db: Kysely<Database>,
  outbound: OutboundPolicy,
): ImapSettings {
  const sealed = mailboxSecretsSchema.parse(secrets.openJson(mailbox.secrets));
  return {
    host: mailbox.imap_host,
    port: mailbox.imap_port,
    security: mailbox.imap_security,
    username: mailbox.imap_username,
    password: sealed.imapPassword,
    accessToken: accessTokenOf(mailbox, secrets, db),
    allowInvalidCertificate: sealed.allowInvalidCertificate,
    outbound,
  };
}

/** An OAuth2 mailbox's token source (IMAP and SMTP share the grant); undefined for a password mailbox. */
export function accessTokenOf(
  mailbox: MailboxRow,
  secrets: SecretBox,
  db: Kysely<Database>,
): GrantTokenSource | undefined {
  return mailbox.oauth_grant_id ? new GrantTokenSource(db, secrets, mailbox.oauth_grant_id) : undefined;
}

/** How the sync session connects: QRESYNC is asked for unless the provider's is known to be broken (iCloud). */
export function syncConnectOptions(mailbox: Pick<MailboxRow, 'provider_id'>): ConnectOptions {
  const broken = mailbox.provider_id ? presetById(mailbox.provider_id)?.behaviour.qresyncBroken : false;
  return { disableAutoIdle: true, qresync: !broken };
}
