import { describe, expect, it } from 'vitest';
import { conditionMatches, ruleMatches } from './conditions.ts';
import type { RuleEmail } from './conditions.ts';
import { regexProblem, ruleInputSchema } from './rule-schema.ts';

const email: RuleEmail = {
  from: { name: 'Ann Buyer', address: 'Ann@Customer.example' },
  to: [{ name: 'Support', address: 'support@tandem.test' }],
  cc: [],
  subject: 'Order #1234 is broken',
  body: 'Hello, my order arrived broken.',
  folder: 'INBOX',
};

describe('mailroom conditions', () => {
  it('compares case-insensitively, per operator and field', () => {
    expect(conditionMatches({ field: 'subject', op: 'contains', value: 'BROKEN' }, email)).toBe(true);
    expect(conditionMatches({ field: 'from', op: 'equals', value: 'ann@customer.example' }, email)).toBe(true);
    expect(conditionMatches({ field: 'from', op: 'equals', value: 'customer.example' }, email)).toBe(false);
    expect(conditionMatches({ field: 'from', op: 'domain_is', value: '@customer.example' }, email)).toBe(true);
    expect(conditionMatches({ field: 'to', op: 'domain_is', value: 'customer.example' }, email)).toBe(false);
    expect(conditionMatches({ field: 'from', op: 'contains', value: 'ann buyer' }, email)).toBe(true);
    expect(conditionMatches({ field: 'subject', op: 'matches', value: '^order #\\d+' }, email)).toBe(true);
    expect(conditionMatches({ field: 'cc', op: 'contains', value: 'a' }, email)).toBe(false);
    expect(conditionMatches({ field: 'folder', op: 'equals', value: 'inbox' }, email)).toBe(true);
  });

  it('combines with all / any', () => {
    const conditions = [
      { field: 'subject' as const, op: 'contains' as const, value: 'order' },
      { field: 'body' as const, op: 'contains' as const, value: 'invoice' },
    ];
    expect(ruleMatches('all', conditions, email)).toBe(false);
    expect(ruleMatches('any', conditions, email)).toBe(true);
  });

  it('refuses patterns that are invalid, too long or catastrophic, and caps the text a pattern sees', () => {
    expect(regexProblem('(a+)+$')).toMatch(/nested repetition/);
    expect(regexProblem('([')).toMatch(/not a valid/);
    expect(regexProblem('a'.repeat(201))).toMatch(/at most 200/);
    expect(regexProblem('^re: .*invoice')).toBeNull();
    const parsed = ruleInputSchema.safeParse({ name: 'x', conditions: [{ field: 'body', op: 'matches', value: '(x+x+)+y' }], actions: [{ type: 'archive' }] });
    expect(parsed.success).toBe(false);
    const huge = { ...email, body: `${'a'.repeat(30_000)}tail` };
    expect(conditionMatches({ field: 'body', op: 'matches', value: 'tail$' }, huge)).toBe(false);
  });

  it('refuses domain_is on a field that holds no address', () => {
    const parsed = ruleInputSchema.safeParse({ name: 'x', conditions: [{ field: 'subject', op: 'domain_is', value: 'a.test' }], actions: [{ type: 'archive' }] });
    expect(parsed.success).toBe(false);
  });
});
