import { createHash, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { TandemContext } from '../../context/index.ts';
import { oauthClient, oauthConfiguration } from './clients.ts';
import { createGrant, tokensFrom } from './grants.ts';

/** A sign-in must come back within this long. */
export const AUTHORIZATION_TTL_MS = 10 * 60_000;

/** Why a sign-in did not finish; `code` goes to the web app as `?oauthError=`. */
export class OAuthFlowError extends Error {
  override readonly name = 'OAuthFlowError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface StartInput {
  userId: string;
  providerId: string;
  address: string;
  /** Signing in again for this (owned) mailbox. */
  mailboxId?: string | undefined;
  redirectUri: string;
  /** The value already in the browser's cookie, if any. */
  browserKey?: string | undefined;
}

const hash = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Starts the authorization code flow with PKCE: remembers the state, the
 * verifier (sealed) and the browser, and returns the provider's URL.
 */
export async function startAuthorization(
  context: TandemContext,
  input: StartInput,
): Promise<{ url: string; browserKey: string }> {
  const { db } = context.store;
  const provider = await oauthClient(db, context.secrets, input.providerId);
  const configuration = await oauthConfiguration(provider);
  const browserKey =
    input.browserKey && /^[\w-]{43}$/.test(input.browserKey) ? input.browserKey : randomBytes(32).toString('base64url');
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const now = Date.now();
  await db.deleteFrom('oauth_authorizations').where('expires_at', '<', now).execute();
  await db
    .insertInto('oauth_authorizations')
    .values({
      state,
      user_id: input.userId,
      browser_hash: hash(browserKey),
      provider_id: provider.id,
      address: input.address.trim().toLowerCase(),
      code_verifier: context.secrets.seal(verifier),
      redirect_uri: input.redirectUri,
      mailbox_id: input.mailboxId ?? null,
      expires_at: now + AUTHORIZATION_TTL_MS,
    })
    .execute();
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: input.redirectUri,
    scope: provider.scopes.join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    login_hint: input.address,
    ...provider.authorizationParams,
  });
  return { url: url.href, browserKey };
}

export interface FinishedAuthorization {
  grantId: string;
  userId: string;
  providerId: string;
  mailboxId: string | null;
}

/**
 * Finishes a sign-in from the provider's redirect: the state must be one this
 * browser started and not yet used; the code is exchanged with the PKCE
 * verifier; the tokens are stored sealed as a new grant.
 */
export async function finishAuthorization(
  context: TandemContext,
  query: URLSearchParams,
  browserKey: string | undefined,
): Promise<FinishedAuthorization> {
  const { db } = context.store;
  const state = query.get('state') ?? '';
  const pending = state
    ? await db.selectFrom('oauth_authorizations').selectAll().where('state', '=', state).executeTakeFirst()
    : undefined;
  if (!pending || !browserKey || pending.browser_hash !== hash(browserKey)) {
    throw new OAuthFlowError(
      'invalid_state',
      'This sign-in was not started in this browser, or was already finished: start again',
    );
  }
  // Single use: a replayed redirect finds nothing.
  await db.deleteFrom('oauth_authorizations').where('state', '=', state).execute();
  if (pending.expires_at < Date.now()) throw new OAuthFlowError('expired', 'The sign-in took too long: start again');
  const denied = query.get('error');
  if (denied)
    throw new OAuthFlowError(
      denied === 'access_denied' ? 'access_denied' : denied.replace(/[^\w]/g, '').slice(0, 40) || 'provider_error',
      query.get('error_description') ?? 'The provider did not grant access',
    );

  const provider = await oauthClient(db, context.secrets, pending.provider_id);
  const configuration = await oauthConfiguration(provider);
  const currentUrl = new URL(pending.redirect_uri);
  currentUrl.search = query.toString();
  let response: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    response = await client.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: context.secrets.open(pending.code_verifier),
      expectedState: state,
    });
  } catch (error) {
    context.logger.warn({ err: error, providerId: provider.id }, 'OAuth code exchange failed');
    throw new OAuthFlowError(
      'token_exchange_failed',
      `${provider.name} did not complete the sign-in: ${(error as Error).message}`,
    );
  }
  if (!response.refresh_token)
    context.logger.warn(
      { providerId: provider.id },
      'the provider gave no refresh token: the mailbox must sign in again when the access token expires',
    );
  // The account actually signed in to must be the one being connected.
  const email = response.claims()?.email;
  if (typeof email === 'string' && email.toLowerCase() !== pending.address) {
    throw new OAuthFlowError(
      'address_mismatch',
      `You signed in as ${email}, not ${pending.address}: sign in with that account`,
    );
  }
  const grantId = await createGrant(db, context.secrets, {
    userId: pending.user_id,
    providerId: provider.id,
    address: pending.address,
    tokens: tokensFrom(response),
    addressConfirmed: typeof email === 'string',
  });
  return { grantId, userId: pending.user_id, providerId: provider.id, mailboxId: pending.mailbox_id };
}
