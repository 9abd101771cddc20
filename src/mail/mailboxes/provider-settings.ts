import { ownedGrant } from '../../access/index.ts';
import type { TandemContext } from '../../context/index.ts';
import type { Security } from '../imap/index.ts';
import type { ImapSettings } from '../imap/index.ts';
import { GrantTokenSource, oauthClient } from '../oauth/index.ts';
import { TandemError } from '../../errors/index.ts';
import { PROVIDER_PRESETS, presetById, presetForDomain } from '../providers/index.ts';
import type { ProviderPreset } from '../providers/index.ts';
import type { SmtpSettings } from '../account/index.ts';

/** Server settings given with an OAuth2 grant; what is left out comes from the provider. */
export interface OAuthServerChoice {
  host?: string | undefined;
  port?: number | undefined;
  security?: Security | undefined;
  username?: string | undefined;
  allowInvalidCertificate?: boolean | undefined;
}

/** IMAP and SMTP settings that log in with the user's grant (both share it). */
export async function oauthMailboxSettings(
  context: TandemContext,
  ownerId: string,
  grantId: string,
  imap: OAuthServerChoice,
  smtp: OAuthServerChoice | undefined,
): Promise<{ imap: ImapSettings; smtp: SmtpSettings; providerId: string; address: string }> {
  const grant = await ownedGrant(context.store.db, ownerId, grantId);
  // A grant belongs to one mailbox: deleting that mailbox deletes it.
  const user = await context.store.db
    .selectFrom('mailboxes')
    .select('id')
    .where('oauth_grant_id', '=', grantId)
    .executeTakeFirst();
  if (user)
    throw new TandemError('conflict', 'This sign-in is already used by another mailbox: sign in again for a new one', {
      mailboxId: user.id,
    });
  const provider = await oauthClient(context.store.db, context.secrets, grant.provider_id);
  const accessToken = new GrantTokenSource(context.store.db, context.secrets, grant.id);
  const server = (choice: OAuthServerChoice, fallback: typeof provider.imap) => ({
    host: choice.host ?? fallback.host,
    port: choice.port ?? fallback.port,
    security: choice.security ?? fallback.security,
    username: choice.username ?? grant.address,
    allowInvalidCertificate: choice.allowInvalidCertificate,
    accessToken,
    outbound: context.outbound,
  });
  return {
    imap: { ...server(imap, provider.imap), password: '' },
    smtp: server(smtp ?? {}, provider.smtp),
    providerId: provider.id,
    address: grant.address,
  };
}

/** The built-in provider a mailbox is on: by id, else by its IMAP host or its address (a password mailbox at Yahoo, iCloud…). */
export function mailboxPreset(
  providerId: string | undefined,
  imapHost: string,
  address: string,
): ProviderPreset | undefined {
  if (providerId) return presetById(providerId);
  const host = imapHost.toLowerCase();
  return (
    PROVIDER_PRESETS.find((p) => p.imap.host === host) ??
    presetForDomain(address.trim().toLowerCase().split('@')[1] ?? '')
  );
}

/** A refused password at a provider that wants an app password (or OAuth2) says so, with the provider's help page. */
export function withProviderHelp(error: unknown, preset: ProviderPreset | undefined): unknown {
  if (!(error instanceof TandemError) || error.code !== 'auth_failed' || !preset?.helpUrl) return error;
  const advice =
    preset.auth === 'oauth2'
      ? `${preset.name} wants you to sign in with ${preset.name} rather than give a password`
      : `${preset.name} refuses your account password in mail apps: make an app password and enter that instead`;
  return new TandemError('auth_failed', `${error.message}. ${advice} (${preset.helpUrl})`, {
    ...error.details,
    providerId: preset.id,
    helpUrl: preset.helpUrl,
  });
}
