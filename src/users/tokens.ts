import { createHash, randomBytes } from 'node:crypto';

/** Session tokens start with `tds_`, API tokens with `tdt_`, password reset tokens with `tdr_`; only their sha256 is stored. */
export type TokenKind = 'session' | 'api' | 'reset';

const PREFIX: Record<TokenKind, string> = { session: 'tds_', api: 'tdt_', reset: 'tdr_' };

export function newToken(kind: TokenKind): { token: string; hash: string } {
  const token = PREFIX[kind] + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function tokenKind(token: string): TokenKind | null {
  if (token.startsWith(PREFIX.session)) return 'session';
  if (token.startsWith(PREFIX.api)) return 'api';
  if (token.startsWith(PREFIX.reset)) return 'reset';
  return null;
}
