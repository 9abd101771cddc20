import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import * as client from 'openid-client';
import { z } from 'zod';
import type { Database } from '../../db/index.ts';
import type { SecretBox } from '../../secrets/index.ts';
import { MailServerError } from '../imap/index.ts';
import type { AccessTokenSource } from '../imap/index.ts';
import { oauthClient, oauthConfiguration } from './clients.ts';

const tokensSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  /** Epoch ms; the token is refreshed before this. */
  expiresAt: z.number(),
  obtainedAt: z.number(),
});
export type GrantTokens = z.infer<typeof tokensSchema>;

/** Refresh this long before expiry, or halfway through a shorter lifetime. */
export const REFRESH_MARGIN_MS = 60_000;

export function tokensFrom(response: client.TokenEndpointResponse, previous?: GrantTokens): GrantTokens {
  const now = Date.now();
  const lifetime = (response.expires_in ?? 3600) * 1000;
  return {
    accessToken: response.access_token,
    // A provider that does not rotate refresh tokens sends none on refresh: keep the old one.
    ...((response.refresh_token ?? previous?.refreshToken)
      ? { refreshToken: response.refresh_token ?? previous?.refreshToken }
      : {}),
    expiresAt: now + lifetime,
    obtainedAt: now,
  };
}

export async function createGrant(
  db: Kysely<Database>,
  secrets: SecretBox,
  grant: {
    userId: string;
    providerId: string;
    address: string;
    tokens: GrantTokens;
    /** The provider's identity (its email claim) named the address. */
    addressConfirmed: boolean;
  },
): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await db
    .insertInto('oauth_grants')
    .values({
      id,
      user_id: grant.userId,
      provider_id: grant.providerId,
      address: grant.address,
      tokens: secrets.sealJson(grant.tokens),
      address_confirmed: grant.addressConfirmed ? 1 : 0,
      state: 'active',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

function refusal(providerName: string): MailServerError {
  return new MailServerError(
    'auth_failed',
    `reauthorization required: the sign-in with ${providerName} was revoked or has expired; sign in again`,
  );
}

function expiring(tokens: GrantTokens, now = Date.now()): boolean {
  const margin = Math.min(REFRESH_MARGIN_MS, (tokens.expiresAt - tokens.obtainedAt) / 2);
  return now >= tokens.expiresAt - margin;
}

/** Refreshes in progress, by grant: concurrent connections of one mailbox share one refresh. */
const refreshing = new Map<string, Promise<string>>();

/** The tokens of one grant, refreshed before expiry and after a refusal. */
export class GrantTokenSource implements AccessTokenSource {
  #last: string | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretBox,
    readonly grantId: string,
  ) {}

  async token(): Promise<string> {
    const grant = await this.#load();
    const tokens = this.#open(grant);
    this.#last = expiring(tokens) ? await this.#refresh(tokens.accessToken) : tokens.accessToken;
    return this.#last;
  }

  async renew(): Promise<string> {
    this.#last = await this.#refresh(this.#last);
    return this.#last;
  }

  #refresh(stale: string | null): Promise<string> {
    let running = refreshing.get(this.grantId);
    if (!running) {
      running = this.#refreshNow(stale).finally(() => refreshing.delete(this.grantId));
      refreshing.set(this.grantId, running);
    }
    return running;
  }

  async #refreshNow(stale: string | null): Promise<string> {
    const grant = await this.#load();
    const tokens = this.#open(grant);
    // Another connection or process already replaced the refused token.
    if (stale !== null && tokens.accessToken !== stale && !expiring(tokens)) return tokens.accessToken;
    const provider = await oauthClient(this.db, this.secrets, grant.provider_id).catch((error: unknown) => {
      throw new MailServerError('auth_failed', `reauthorization required: ${(error as Error).message}`, error);
    });
    if (!tokens.refreshToken) return this.#revoke(grant, provider.name);
    let response: client.TokenEndpointResponse;
    try {
      response = await client.refreshTokenGrant(await oauthConfiguration(provider), tokens.refreshToken);
    } catch (error) {
      if (
        error instanceof client.ResponseBodyError &&
        (error.error === 'invalid_grant' || error.error === 'unauthorized_client')
      ) {
        const now = await this.#load();
        // A refresh by another process rotated the refresh token meanwhile: use its result.
        if (now.state === 'active' && now.token_version !== grant.token_version) return this.#open(now).accessToken;
        return this.#revoke(grant, provider.name);
      }
      throw new MailServerError(
        'temporary',
        `Cannot renew the sign-in with ${provider.name}: ${(error as Error).message}`,
        error,
      );
    }
    const fresh = tokensFrom(response, tokens);
    const result = await this.db
      .updateTable('oauth_grants')
      .set({ tokens: this.secrets.sealJson(fresh), token_version: grant.token_version + 1, updated_at: Date.now() })
      .where('id', '=', this.grantId)
      .where('token_version', '=', grant.token_version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return this.#open(await this.#load()).accessToken;
    return fresh.accessToken;
  }

  /** The provider refused the refresh token: the grant is dead until the user signs in again. Never retried. */
  async #revoke(grant: { token_version: number }, providerName: string): Promise<never> {
    await this.db
      .updateTable('oauth_grants')
      .set({
        state: 'revoked',
        tokens: this.secrets.sealJson({}),
        token_version: grant.token_version + 1,
        updated_at: Date.now(),
      })
      .where('id', '=', this.grantId)
      .execute();
    throw refusal(providerName);
  }

  async #load() {
    const grant = await this.db
      .selectFrom('oauth_grants')
      .selectAll()
      .where('id', '=', this.grantId)
      .executeTakeFirst();
    if (!grant || grant.state !== 'active') throw refusal(grant ? grant.provider_id : 'the provider');
    return grant;
  }

  #open(grant: { tokens: string }): GrantTokens {
    return tokensSchema.parse(this.secrets.openJson(grant.tokens));
  }
}
