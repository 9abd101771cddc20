import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { Database, MailroomRulesTable } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';

/** Mailroom rules belong to one user: only theirs are listed, changed and run on their mail. */
export function ruleOf(userId: string) {
  return (eb: ExpressionBuilder<Database, 'mailroom_rules'>) => eb('mailroom_rules.owner_user_id', '=', userId);
}

/** The user's rule with this id, or not_found. */
export async function ownedRule(
  db: Kysely<Database>,
  userId: string,
  ruleId: string,
): Promise<Selectable<MailroomRulesTable>> {
  const row = await db
    .selectFrom('mailroom_rules')
    .selectAll()
    .where('mailroom_rules.id', '=', ruleId)
    .where(ruleOf(userId))
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', 'No such rule');
  return row;
}
