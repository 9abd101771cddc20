import { z } from 'zod';
import type { SecretBox } from '../../secrets/index.ts';
import type { ImapSettings } from '../imap/index.ts';
import type { MailboxRow } from './run-context.ts';

/** What a mailbox keeps sealed in its `secrets` column. */
export const mailboxSecretsSchema = z.object({
  imapPassword: z.string(),
  smtpPassword: z.string(),
  allowInvalidCertificate: z.boolean().optional(),
});
export type MailboxSecrets = z.infer<typeof mailboxSecretsSchema>;

export function imapSettingsOf(mailbox: MailboxRow, secrets: SecretBox): ImapSettings {
  const sealed = mailboxSecretsSchema.parse(secrets.openJson(mailbox.secrets));
  return {
    host: mailbox.imap_host,
    port: mailbox.imap_port,
    security: mailbox.imap_security,
    username: mailbox.imap_username,
    password: sealed.imapPassword,
    allowInvalidCertificate: sealed.allowInvalidCertificate,
  };
}
