import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';

export interface Profile {
  name: string;
  signature: string;
}

/** Changes what is given of the user's own name and signature (nothing when empty); returns both as stored. */
export async function updateProfile(db: Kysely<Database>, userId: string, change: Partial<Profile>): Promise<Profile> {
  const { name, signature } = change;
  if (name !== undefined || signature !== undefined) {
    await db
      .updateTable('users')
      .set({ ...(name !== undefined ? { name } : {}), ...(signature !== undefined ? { signature } : {}) })
      .where('id', '=', userId)
      .execute();
  }
  return db.selectFrom('users').select(['name', 'signature']).where('id', '=', userId).executeTakeFirstOrThrow();
}
