import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';

/** An OAuth2 sign-in of this user that still works, for connecting a mailbox with it; another user's is not_found. */
export async function ownedGrant(db: Kysely<Database>, userId: string, grantId: string) {
  const grant = await db
    .selectFrom('oauth_grants')
    .select(['id', 'provider_id', 'address', 'state', 'created_at'])
    .where('id', '=', grantId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!grant) throw new TandemError('not_found', 'No such sign-in: sign in with the provider again');
  if (grant.state !== 'active')
    throw new TandemError('reauthorization_required', 'This sign-in was revoked: sign in with the provider again', {
      providerId: grant.provider_id,
    });
  return grant;
}
