import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { automaticReason } from '../crm/index.ts';
import type { Database } from '../db/index.ts';

export interface HandReply {
  from: string;
  subject: string;
  date: number;
}

/**
 * A reply one of `recipients` wrote by hand to an email this workflow sent: a
 * stored email from them whose In-Reply-To or References names one of the
 * workflow's sent emails, and that no machine wrote (auto-replies, bounces and
 * list mail are told apart as the group-mailbox loop rules do). Null when none.
 */
export async function handReplyFrom(
  db: Kysely<Database>,
  workflowId: string,
  recipients: string[],
): Promise<HandReply | null> {
  if (recipients.length === 0) return null;
  const sent = await db
    .selectFrom('sends')
    .innerJoin('workflow_steps', 'workflow_steps.send_id', 'sends.id')
    .innerJoin('workflow_runs', 'workflow_runs.id', 'workflow_steps.run_id')
    .select(['sends.message_id', 'sends.mailbox_id'])
    .where('workflow_runs.workflow_id', '=', workflowId)
    .where('sends.state', '=', 'sent')
    .execute();
  if (sent.length === 0) return null;
  const sentIds = new Set(sent.map((s) => s.message_id));
  const candidates = await db
    .selectFrom('messages')
    .select(['id', 'in_reply_to', 'references', 'headers_json', 'from_address', 'subject', 'date'])
    .where('mailbox_id', 'in', [...new Set(sent.map((s) => s.mailbox_id))])
    .where(sql<string>`lower(from_address)`, 'in', recipients)
    .orderBy('date')
    .execute();
  for (const email of candidates) {
    if (!referencedIds(email).some((id) => sentIds.has(id))) continue;
    const parts = await db
      .selectFrom('attachments')
      .select('content_type')
      .where('message_id', '=', email.id)
      .execute();
    const reason = automaticReason({
      fromAddress: email.from_address,
      headers: parsed<Record<string, string>>(email.headers_json, {}),
      partTypes: parts.map((p) => p.content_type),
    });
    if (reason === null) return { from: email.from_address ?? '', subject: email.subject, date: Number(email.date) };
  }
  return null;
}

function referencedIds(email: { in_reply_to: string | null; references: string }): string[] {
  return [...(email.in_reply_to ? [email.in_reply_to] : []), ...parsed<string[]>(email.references, [])];
}

function parsed<T>(json: string, fallback: T): T {
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
}
