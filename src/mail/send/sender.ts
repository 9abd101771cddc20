import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';

/**
 * The From of mail written in Tandem: the mailbox's address with its display
 * name, or else its owner's name, so recipients never see a bare address when
 * a name is known.
 */
export async function senderOf(
  db: Kysely<Database>,
  mailboxId: string,
): Promise<{ address: string; name: string | null; appendLimit: number | null }> {
  const row = await db
    .selectFrom('mailboxes')
    .innerJoin('users', 'users.id', 'mailboxes.owner_user_id')
    .select(['mailboxes.address', 'mailboxes.display_name', 'mailboxes.append_limit', 'users.name'])
    .where('mailboxes.id', '=', mailboxId)
    .executeTakeFirstOrThrow();
  const name = row.display_name?.trim() || row.name.trim() || null;
  return { address: row.address, name, appendLimit: row.append_limit };
}
