import type { Kysely } from 'kysely';
import * as client from 'openid-client';
import { z } from 'zod';
import type { Database } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import type { SecretBox } from '../../secrets/index.ts';
import { presetById } from '../providers/index.ts';
import type { ServerPreset } from '../providers/index.ts';

const server = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls', 'none']),
});

/** What an administrator sets for one provider (see docs/providers.md). */
export const oauthClientInputSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  clientId: z.string().min(1),
  /** Omitted on an update: the stored one is kept. */
  clientSecret: z.string().min(1).optional(),
  /** The authorization server's issuer (its metadata is read from there); a preset's endpoints are used when omitted. */
  issuer: z.url().optional(),
  scopes: z.array(z.string().min(1)).optional(),
  imap: server.optional(),
  smtp: server.optional(),
  /** Addresses at these domains are offered this sign-in when the address is entered (a company's own provider). */
  domains: z.array(z.string().trim().toLowerCase().min(1)).optional(),
});
export type OAuthClientInput = z.infer<typeof oauthClientInputSchema>;

const settingsSchema = z.object({
  scopes: z.array(z.string()).optional(),
  imap: server.optional(),
  smtp: server.optional(),
  domains: z.array(z.string()).optional(),
});

/** A provider ready for sign-in: the preset merged with what the administrator set. */
export interface OAuthClient {
  id: string;
  name: string;
  clientId: string;
  clientSecret: string;
  issuer: string | null;
  scopes: string[];
  authorizationParams: Record<string, string>;
  imap: ServerPreset;
  smtp: ServerPreset;
  domains: string[];
  updatedAt: string;
}

export interface OAuthClientSummary {
  id: string;
  name: string;
  clientId: string;
  issuer: string | null;
  scopes: string[];
  imap: ServerPreset;
  smtp: ServerPreset;
  domains: string[];
  updatedAt: string;
}

export async function saveOAuthClient(
  db: Kysely<Database>,
  secrets: SecretBox,
  id: string,
  input: OAuthClientInput,
): Promise<void> {
  const preset = presetById(id);
  if (preset && !preset.oauth)
    throw new TandemError('validation_failed', `${preset.name} does not sign in with OAuth2`);
  if (!preset && (!input.issuer || !input.imap || !input.smtp)) {
    throw new TandemError('validation_failed', `"${id}" is not a built-in provider: give its issuer, imap and smtp`);
  }
  const existing = await db
    .selectFrom('oauth_providers')
    .select('client_secret')
    .where('id', '=', id)
    .executeTakeFirst();
  const secret = input.clientSecret !== undefined ? secrets.seal(input.clientSecret) : existing?.client_secret;
  if (!secret) throw new TandemError('validation_failed', 'clientSecret is required');
  const now = Date.now();
  const row = {
    name: input.name ?? preset?.name ?? id,
    client_id: input.clientId,
    client_secret: secret,
    issuer_url: input.issuer ?? null,
    settings_json: JSON.stringify(
      settingsSchema.parse({ scopes: input.scopes, imap: input.imap, smtp: input.smtp, domains: input.domains }),
    ),
    updated_at: now,
  };
  await db
    .insertInto('oauth_providers')
    .values({ id, ...row, created_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
}

export async function deleteOAuthClient(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('oauth_providers').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listOAuthClients(db: Kysely<Database>, secrets: SecretBox): Promise<OAuthClientSummary[]> {
  const rows = await db.selectFrom('oauth_providers').select('id').orderBy('id').execute();
  const clients = await Promise.all(rows.map((r) => oauthClient(db, secrets, r.id)));
  return clients.map(({ clientSecret: _secret, authorizationParams: _params, ...rest }) => rest);
}

export async function oauthClient(db: Kysely<Database>, secrets: SecretBox, id: string): Promise<OAuthClient> {
  const row = await db.selectFrom('oauth_providers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row)
    throw new TandemError(
      'not_found',
      `Sign-in with "${id}" is not set up: an administrator registers Tandem with the provider first`,
      { providerId: id },
    );
  const preset = presetById(id);
  const settings = settingsSchema.parse(JSON.parse(row.settings_json));
  const imap = settings.imap ?? preset?.imap;
  const smtp = settings.smtp ?? preset?.smtp;
  if (!imap || !smtp) throw new TandemError('internal', `Provider ${id} has no IMAP or SMTP server`);
  return {
    id,
    name: row.name,
    clientId: row.client_id,
    clientSecret: secrets.open(row.client_secret),
    issuer: row.issuer_url,
    scopes: settings.scopes ?? preset?.oauth?.scopes ?? ['openid', 'email', 'offline_access'],
    authorizationParams: preset?.oauth?.authorizationParams ?? {},
    imap,
    smtp,
    domains: settings.domains ?? [],
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The provider an administrator set up for addresses at `domain`, if any. */
export async function oauthClientForDomain(
  db: Kysely<Database>,
  secrets: SecretBox,
  domain: string,
): Promise<OAuthClientSummary | undefined> {
  return (await listOAuthClients(db, secrets)).find((c) => c.domains.includes(domain));
}

/** openid-client configurations by provider and version of its settings, so metadata is read once. */
const configurations = new Map<string, Promise<client.Configuration>>();

/**
 * The openid-client configuration for a provider: from the issuer's published
 * metadata when an issuer is set (plain HTTP only for one on this machine),
 * else from the preset's endpoints.
 */
export function oauthConfiguration(c: OAuthClient): Promise<client.Configuration> {
  const key = `${c.id}|${c.updatedAt}`;
  let configuration = configurations.get(key);
  if (!configuration) {
    configuration = makeConfiguration(c).catch((error: unknown) => {
      if (error instanceof TandemError) throw error;
      throw new TandemError(
        'connection_failed',
        `Cannot reach the sign-in service of ${c.name} (${c.issuer ?? 'preset'}): ${(error as Error).message}`,
        { providerId: c.id },
      );
    });
    configurations.set(key, configuration);
    // A failed metadata fetch is tried again next time.
    configuration.catch(() => configurations.delete(key));
  }
  return configuration;
}

async function makeConfiguration(c: OAuthClient): Promise<client.Configuration> {
  const auth = client.ClientSecretPost(c.clientSecret);
  if (c.issuer) {
    const url = new URL(c.issuer);
    const local = url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    return client.discovery(url, c.clientId, undefined, auth, {
      ...(local ? { execute: [client.allowInsecureRequests] } : {}),
      timeout: 10,
    });
  }
  const oauth = presetById(c.id)?.oauth;
  if (!oauth) throw new TandemError('internal', `Provider ${c.id} has neither an issuer nor preset endpoints`);
  return new client.Configuration(
    {
      issuer: new URL(oauth.authorizationEndpoint).origin,
      authorization_endpoint: oauth.authorizationEndpoint,
      token_endpoint: oauth.tokenEndpoint,
      revocation_endpoint: oauth.revocationEndpoint,
    },
    c.clientId,
    undefined,
    auth,
  );
}

/** Whether an admin has registered Tandem with this provider, so signing in with it can start. */
export async function hasOAuthClient(db: Kysely<Database>, id: string): Promise<boolean> {
  return (await db.selectFrom('oauth_providers').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
