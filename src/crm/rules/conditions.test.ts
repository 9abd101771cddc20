import { describe, expect, it } from 'vitest';
import { conditionMatches, ruleMatches } from './conditions.ts';
import type { RuleEmail } from './conditions.ts';
import { PatternTimedOut } from './regex-worker.ts';
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
  it('compares case-insensitively, per operator and field', async () => {
    expect(await conditionMatches({ field: 'subject', op: 'contains', value: 'BROKEN' }, email)).toBe(true);
    expect(await conditionMatches({ field: 'from', op: 'equals', value: 'ann@customer.example' }, email)).toBe(true);
    expect(await conditionMatches({ field: 'from', op: 'equals', value: 'customer.example' }, email)).toBe(false);
    expect(await conditionMatches({ field: 'from', op: 'domain_is', value: '@customer.example' }, email)).toBe(true);
    expect(await conditionMatches({ field: 'to', op: 'domain_is', value: 'customer.example' }, email)).toBe(false);
    expect(await conditionMatches({ field: 'from', op: 'contains', value: 'ann buyer' }, email)).toBe(true);
    expect(await conditionMatches({ field: 'subject', op: 'matches', value: '^order #\\d+' }, email)).toBe(true);
    expect(await conditionMatches({ field: 'cc', op: 'contains', value: 'a' }, email)).toBe(false);
    expect(await conditionMatches({ field: 'folder', op: 'equals', value: 'inbox' }, email)).toBe(true);
  });

  it('combines with all / any', async () => {
    const conditions = [
      { field: 'subject' as const, op: 'contains' as const, value: 'order' },
      { field: 'body' as const, op: 'contains' as const, value: 'invoice' },
    ];
    expect(await ruleMatches('all', conditions, email)).toBe(false);
    expect(await ruleMatches('any', conditions, email)).toBe(true);
  });

  it('refuses patterns that are invalid, too long or catastrophic, and caps the text a pattern sees', async () => {
    expect(regexProblem('(a+)+$')).toMatch(/nested repetition/);
    expect(regexProblem('([')).toMatch(/not a valid/);
    expect(regexProblem('a'.repeat(201))).toMatch(/at most 200/);
    expect(regexProblem('^re: .*invoice')).toBeNull();
    const parsed = ruleInputSchema.safeParse({
      name: 'x',
      conditions: [{ field: 'body', op: 'matches', value: '(x+x+)+y' }],
      actions: [{ type: 'archive' }],
    });
    expect(parsed.success).toBe(false);
    const huge = { ...email, body: `${'a'.repeat(30_000)}tail` };
    expect(await conditionMatches({ field: 'body', op: 'matches', value: 'tail$' }, huge)).toBe(false);
  });

  it('stops a catastrophic pattern the static check lets through, while the main thread goes on', async () => {
    const hostile = { ...email, subject: 'a'.repeat(27), body: 'a'.repeat(20_000) };
    let ticks = 0;
    const ticking = setInterval(() => (ticks += 1), 1);
    try {
      for (const [field, value] of [
        ['subject', '(.|a)*!'],
        ['body', '.*.*=.*'],
      ] as const) {
        expect(regexProblem(value)).toBeNull();
        await expect(conditionMatches({ field, op: 'matches', value }, hostile)).rejects.toBeInstanceOf(
          PatternTimedOut,
        );
      }
    } finally {
      clearInterval(ticking);
    }
    // Timers fired while the patterns ran: the main thread was never blocked.
    expect(ticks).toBeGreaterThan(0);
    // The worker stopped for them is replaced: the next pattern runs as usual.
    expect(await conditionMatches({ field: 'subject', op: 'matches', value: '^order #\\d+' }, email)).toBe(true);
    expect(
      await ruleMatches('any', [{ field: 'subject', op: 'matches', value: '(.|a)*!' }], hostile).catch(
        (e: unknown) => e,
      ),
    ).toBeInstanceOf(PatternTimedOut);
  });

  it('refuses domain_is on a field that holds no address', () => {
    const parsed = ruleInputSchema.safeParse({
      name: 'x',
      conditions: [{ field: 'subject', op: 'domain_is', value: 'a.test' }],
      actions: [{ type: 'archive' }],
    });
    expect(parsed.success).toBe(false);
  });
});
