import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { ActionResult } from './run.ts';

export interface RuleRunView {
  ruleId: string | null;
  ruleName: string;
  results: ActionResult[];
  at: string;
}

/** The mailroom rules that ran on an email, and what they did. */
export async function ruleRunsOf(db: Kysely<Database>, messageId: number): Promise<RuleRunView[]> {
  const rows = await db.selectFrom('rule_runs').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
  return rows.map((r) => ({
    ruleId: r.rule_id,
    ruleName: r.rule_name,
    results: JSON.parse(r.results) as ActionResult[],
    at: new Date(r.created_at).toISOString(),
  }));
}
