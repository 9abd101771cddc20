import type { Kysely } from 'kysely';
import { ruleOf } from '../../access/index.ts';
import type { Database } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import type { MailAddress } from '../../mail/mime/index.ts';
import { addLinks, matchingRecords } from '../links/match.ts';
import { insertRecord } from '../records/records.ts';
import { ruleMatches } from './conditions.ts';
import type { RuleEmail } from './conditions.ts';
import { MATCH_BUDGET_MS, PatternTimedOut } from './regex-worker.ts';
import type { RuleAction } from './rule-schema.ts';
import { toView } from './rules.ts';

/** What one action did, as logged on the email. */
export type ActionResult =
  | { type: 'archive'; linked: string[] }
  | { type: 'create'; recordType: string; created: string | null; linked: string[]; skipped?: string }
  | { type: 'mark_private' }
  | { type: 'wait'; reason: string }
  | { type: RuleAction['type'] | 'match'; error: string };

interface StoredEmail extends RuleEmail {
  id: number;
  threadId: string;
  snippet: string;
  /** False while only the header pass stored it: `body` is empty until the indexer reads it. */
  indexed: boolean;
}

/** Logged on an email whose rules wait for its body. */
export const WAITING_FOR_BODY = 'waiting for the body of this email: the rule runs once it is indexed';

interface Mailbox {
  id: string;
  address: string;
  owner_user_id: string;
}

/**
 * Runs the mailbox owner's enabled rules, in order, on freshly stored emails
 * of one folder, inside the transaction that stores them; each rule that
 * matches is logged on the email with what its actions did.
 */
export async function applyRules(
  trx: Kysely<Database>,
  mailbox: Mailbox,
  folder: string,
  messageIds: number[],
): Promise<void> {
  if (messageIds.length === 0) return;
  const rules = (
    await trx
      .selectFrom('mailroom_rules')
      .selectAll()
      .where(ruleOf(mailbox.owner_user_id))
      .where('enabled', '=', 1)
      .where((eb) => eb.or([eb('mailbox_id', 'is', null), eb('mailbox_id', '=', mailbox.id)]))
      .orderBy('position')
      .orderBy('created_at')
      .execute()
  ).map(toView);
  if (rules.length === 0) return;
  // A rule whose pattern ran out of time is not tried again in this batch: the batch's
  // transaction (and on SQLite every other query) waits while the rules run.
  const stopped = new Set<string>();
  const bodyRules = rules.filter(readsBody);
  for (const email of await loadEmails(trx, messageIds, folder)) {
    if (!email.indexed && bodyRules.length > 0) {
      // All of its rules run later, in order, once the indexer has the body (runWaitingRules).
      await trx.insertInto('rule_waits').values({ message_id: email.id, folder, created_at: Date.now() }).execute();
      for (const rule of bodyRules) await logRun(trx, email.id, rule, [{ type: 'wait', reason: WAITING_FOR_BODY }]);
      continue;
    }
    for (const rule of rules) {
      if (stopped.has(rule.id)) {
        await logRun(trx, email.id, rule, [
          {
            type: 'match',
            error: `skipped: a pattern of this rule ran over ${MATCH_BUDGET_MS} ms on an earlier email of the same batch`,
          },
        ]);
        continue;
      }
      const matched = await ruleMatches(rule.match, rule.conditions, email).catch((error: unknown) => {
        if (!(error instanceof PatternTimedOut)) throw error;
        return 'timed_out' as const;
      });
      if (matched === 'timed_out') {
        // Logged on the email so its owner sees why the rule did nothing; the sync goes on.
        stopped.add(rule.id);
        await logRun(trx, email.id, rule, [
          {
            type: 'match',
            error: `a pattern of this rule ran over ${MATCH_BUDGET_MS} ms on this email and was stopped`,
          },
        ]);
        continue;
      }
      if (!matched) continue;
      const results: ActionResult[] = [];
      for (const action of rule.actions) results.push(await runActionSafely(trx, mailbox, email, action));
      await logRun(trx, email.id, rule, results);
    }
  }
}

/** A rule that reads the body: a condition on it, or a case made from the email (its description is the body). */
function readsBody(rule: { conditions: { field: string }[]; actions: RuleAction[] }): boolean {
  return (
    rule.conditions.some((c) => c.field === 'body') ||
    rule.actions.some((a) => a.type === 'create' && a.recordType === 'case')
  );
}

/**
 * Runs the rules of the mailbox's emails that waited for their body and have
 * it now (indexed in the background or on demand). Called in the transaction
 * of each batch the indexer stores, so a wait is taken exactly once.
 */
export async function runWaitingRules(trx: Kysely<Database>, mailbox: Mailbox): Promise<void> {
  for (;;) {
    const waits = await trx
      .selectFrom('rule_waits')
      .innerJoin('messages', 'messages.id', 'rule_waits.message_id')
      .select(['rule_waits.message_id', 'rule_waits.folder'])
      .where('messages.mailbox_id', '=', mailbox.id)
      .where('messages.indexed', '=', 1)
      .orderBy('rule_waits.message_id')
      .limit(500)
      .execute();
    if (waits.length === 0) return;
    await trx
      .deleteFrom('rule_waits')
      .where(
        'message_id',
        'in',
        waits.map((w) => w.message_id),
      )
      .execute();
    for (const folder of new Set(waits.map((w) => w.folder))) {
      const ids = waits.filter((w) => w.folder === folder).map((w) => w.message_id);
      await applyRules(trx, mailbox, folder, ids);
    }
  }
}

async function logRun(
  trx: Kysely<Database>,
  messageId: number,
  rule: { id: string; name: string },
  results: ActionResult[],
): Promise<void> {
  await trx
    .insertInto('rule_runs')
    .values({
      message_id: messageId,
      rule_id: rule.id,
      rule_name: rule.name,
      results: JSON.stringify(results),
      created_at: Date.now(),
    })
    .execute();
}

/**
 * An action refused by validation (checked before any write) is logged on the
 * email instead of failing the batch: a rule must never stop a mailbox's sync.
 */
async function runActionSafely(
  trx: Kysely<Database>,
  mailbox: Mailbox,
  email: StoredEmail,
  action: RuleAction,
): Promise<ActionResult> {
  try {
    return await runAction(trx, mailbox, email, action);
  } catch (error) {
    if (!(error instanceof TandemError)) throw error;
    return { type: action.type, error: error.message };
  }
}

async function runAction(
  trx: Kysely<Database>,
  mailbox: Mailbox,
  email: StoredEmail,
  action: RuleAction,
): Promise<ActionResult> {
  switch (action.type) {
    case 'archive': {
      const matches = (await matchingRecords(trx, [email.id])).get(email.id) ?? new Set<string>();
      await addLinks(trx, new Map([[email.id, matches]]), 'rule', null);
      return { type: 'archive', linked: [...matches] };
    }
    case 'mark_private':
      await trx.updateTable('messages').set({ private: 1 }).where('id', '=', email.id).execute();
      return { type: 'mark_private' };
    case 'create':
      return createFromEmail(trx, mailbox, email, action.recordType);
  }
}

/** The other party: the sender, or for mail the mailbox sent itself, the first recipient. */
function counterpart(mailbox: Mailbox, email: StoredEmail): MailAddress | null {
  const own = mailbox.address.toLowerCase();
  if (email.from && email.from.address && email.from.address.toLowerCase() !== own) return email.from;
  return [...email.to, ...email.cc].find((a) => a.address && a.address.toLowerCase() !== own) ?? null;
}

/**
 * Creates a contact, lead, organization or case from the email unless one
 * already matches (then that one is linked): a person by address, an
 * organization by a website or address at the party's domain, a case by an
 * open case already linked to the same thread.
 */
async function createFromEmail(
  trx: Kysely<Database>,
  mailbox: Mailbox,
  email: StoredEmail,
  kind: 'contact' | 'lead' | 'organization' | 'case',
): Promise<ActionResult> {
  const party = counterpart(mailbox, email);
  const owner = { id: mailbox.owner_user_id, isAdmin: true };
  const done = async (existing: string | undefined, create: () => Promise<string>, also: string[] = []) => {
    const id = existing ?? (await create());
    const linked = [id, ...also];
    await addLinks(trx, new Map([[email.id, new Set(linked)]]), 'rule', null);
    return { type: 'create' as const, recordType: kind, created: existing ? null : id, linked };
  };
  if (kind === 'case') {
    const existing = await trx
      .selectFrom('email_links')
      .innerJoin('messages', 'messages.id', 'email_links.message_id')
      .innerJoin('records', 'records.id', 'email_links.record_id')
      .select('records.id')
      .where('messages.thread_id', '=', email.threadId)
      .where('messages.mailbox_id', '=', mailbox.id)
      .where('records.kind', '=', 'case')
      .where('records.open', '=', 1)
      .where('email_links.state', '=', 'linked')
      .executeTakeFirst();
    const contact = party ? await byAddress(trx, 'contact', party.address) : undefined;
    const org = contact
      ? (await trx.selectFrom('records').select('organization_id').where('id', '=', contact).executeTakeFirst())
          ?.organization_id
      : null;
    return done(
      existing?.id,
      () =>
        insertRecord(trx, owner, 'case', {
          name: email.subject.trim() || '(no subject)',
          contactId: contact ?? null,
          organizationId: org ?? null,
          description: email.body.slice(0, 20_000),
        }),
      contact ? [contact] : [],
    );
  }
  if (!party?.address)
    return {
      type: 'create',
      recordType: kind,
      created: null,
      linked: [],
      skipped: 'the email has no other party’s address',
    };
  const address = party.address.toLowerCase();
  if (kind === 'organization') {
    const domain = address.split('@').pop() ?? '';
    const existing = await trx
      .selectFrom('records')
      .select('id')
      .where('kind', '=', 'organization')
      .where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['website']), 'like', `%${domain}%`),
          eb.exists(
            eb
              .selectFrom('record_emails')
              .select('record_id')
              .whereRef('record_emails.record_id', '=', 'records.id')
              .where('address', 'like', `%@${domain}`),
          ),
        ]),
      )
      .executeTakeFirst();
    return done(existing?.id, () => insertRecord(trx, owner, 'organization', { name: domain, website: domain }));
  }
  const existing = await byAddress(trx, kind, address);
  const { firstName, lastName } = splitName(party);
  return done(existing, () => insertRecord(trx, owner, kind, { firstName, lastName, emails: [address] }));
}

async function byAddress(
  trx: Kysely<Database>,
  kind: 'contact' | 'lead',
  address: string,
): Promise<string | undefined> {
  const row = await trx
    .selectFrom('record_emails')
    .innerJoin('records', 'records.id', 'record_emails.record_id')
    .select('records.id')
    .where('record_emails.address', '=', address.toLowerCase())
    .where('records.kind', '=', kind)
    .orderBy('records.created_at')
    .executeTakeFirst();
  return row?.id;
}

/** "Ann Buyer" → Ann / Buyer; without a display name, the address's local part. */
export function splitName(party: MailAddress): { firstName: string; lastName: string } {
  const name = party.name.trim() || (party.address.split('@')[0] ?? '');
  const space = name.lastIndexOf(' ');
  return space < 0
    ? { firstName: name, lastName: '' }
    : { firstName: name.slice(0, space).trim(), lastName: name.slice(space + 1).trim() };
}

async function loadEmails(trx: Kysely<Database>, ids: number[], folder: string): Promise<StoredEmail[]> {
  const rows = await trx
    .selectFrom('messages')
    .select(['id', 'thread_id', 'subject', 'from_name', 'from_address', 'to_json', 'cc_json', 'body_text', 'snippet'])
    .select('indexed')
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    indexed: r.indexed === 1,
    threadId: r.thread_id,
    snippet: r.snippet,
    from: r.from_address ? { name: r.from_name ?? '', address: r.from_address } : null,
    to: JSON.parse(r.to_json) as MailAddress[],
    cc: JSON.parse(r.cc_json) as MailAddress[],
    subject: r.subject,
    body: r.body_text,
    folder,
  }));
}
