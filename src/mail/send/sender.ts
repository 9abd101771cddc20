import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';

/**
 * The From of mail a user writes in Tandem: the mailbox's address with its
 * display name, or else the writer's name, so recipients never see a bare
 * address when a name is known. From a group mailbox it names the writer and
 * the group ("Ann at Support"), or the group alone when no person writes (a
 * workflow: `writerId` null).
 */
export async function senderOf(
  db: Kysely<Database>,
  mailboxId: string,
  writerId: string | null,
): Promise<{ address: string; name: string | null; appendLimit: number | null }> {
  const row = await db
    .selectFrom('mailboxes')
    .leftJoin('groups', 'groups.id', 'mailboxes.group_id')
    .select(['mailboxes.address', 'mailboxes.display_name', 'mailboxes.append_limit', 'groups.name as group_name'])
    .where('mailboxes.id', '=', mailboxId)
    .executeTakeFirstOrThrow();
  const writer =
    writerId === null
      ? undefined
      : await db.selectFrom('users').select('name').where('id', '=', writerId).executeTakeFirst();
  const writerName = writer?.name.trim() || null;
  const name =
    row.group_name !== null
      ? writerName !== null
        ? `${writerName} at ${row.group_name}`
        : row.group_name
      : row.display_name?.trim() || writerName;
  return { address: row.address, name, appendLimit: row.append_limit };
}
