import { regexMatches } from './regex-worker.ts';
import type { RuleCondition } from './rule-schema.ts';

/** What a rule looks at in an email. */
export interface RuleEmail {
  from: { name: string; address: string } | null;
  to: { name: string; address: string }[];
  cc: { name: string; address: string }[];
  subject: string;
  body: string;
  folder: string;
}

/** A regular expression runs on at most this much of each text (subject, body, …), whatever the email's size. */
export const MAX_MATCH_INPUT = 10_000;

/** Conditions are tried in order until the answer is known. Throws PatternTimedOut when a pattern ran out of time. */
export async function ruleMatches(
  match: 'all' | 'any',
  conditions: RuleCondition[],
  email: RuleEmail,
): Promise<boolean> {
  for (const condition of conditions) {
    const matched = await conditionMatches(condition, email);
    if (match === 'all' && !matched) return false;
    if (match === 'any' && matched) return true;
  }
  return match === 'all';
}

/**
 * Every comparison is case-insensitive; an address field matches when any of its addresses does.
 * A regular expression runs off the main thread within a time budget (regex-worker.ts).
 */
export async function conditionMatches(condition: RuleCondition, email: RuleEmail): Promise<boolean> {
  const value = condition.value.toLowerCase();
  const texts = textsOf(condition.field, email);
  switch (condition.op) {
    case 'contains':
      return texts.some((t) => t.toLowerCase().includes(value));
    case 'equals':
      return texts.some((t) => t.trim().toLowerCase() === value);
    case 'domain_is': {
      const domain = value.replace(/^@/, '');
      return addressesOf(condition.field, email).some((a) => a.toLowerCase().split('@').pop() === domain);
    }
    case 'matches':
      return regexMatches(
        condition.value,
        texts.map((t) => t.slice(0, MAX_MATCH_INPUT)),
      );
  }
}

function addressesOf(field: RuleCondition['field'], email: RuleEmail): string[] {
  if (field === 'from') return email.from ? [email.from.address] : [];
  if (field === 'to') return email.to.map((a) => a.address);
  if (field === 'cc') return email.cc.map((a) => a.address);
  return [];
}

/** Address fields compare each address, and for `contains`/`matches` also "Name <address>". */
function textsOf(field: RuleCondition['field'], email: RuleEmail): string[] {
  if (field === 'subject') return [email.subject];
  if (field === 'body') return [email.body];
  if (field === 'folder') return [email.folder];
  const people = field === 'from' ? (email.from ? [email.from] : []) : field === 'to' ? email.to : email.cc;
  return people.flatMap((p) => [p.address, p.name ? `${p.name} <${p.address}>` : p.address]);
}
