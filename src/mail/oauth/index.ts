export {
  deleteOAuthClient,
  hasOAuthClient,
  listOAuthClients,
  oauthClient,
  oauthClientForDomain,
  oauthClientInputSchema,
  saveOAuthClient,
} from './clients.ts';
export type { OAuthClient, OAuthClientInput, OAuthClientSummary } from './clients.ts';
export { AUTHORIZATION_TTL_MS, finishAuthorization, OAuthFlowError, startAuthorization } from './flow.ts';
export type { FinishedAuthorization, StartInput } from './flow.ts';
export { createGrant, GrantTokenSource, REFRESH_MARGIN_MS } from './grants.ts';
export type { GrantTokens } from './grants.ts';
