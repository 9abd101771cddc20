import safeRegex from 'safe-regex2';
import { z } from 'zod';

export const MAX_PATTERN = 200;

const condition = z
  .object({
    field: z.enum(['from', 'to', 'cc', 'subject', 'body', 'folder']),
    op: z
      .enum(['contains', 'equals', 'domain_is', 'matches'])
      .describe('Case-insensitive; matches takes a regular expression'),
    value: z.string().trim().min(1).max(500),
  })
  .superRefine((c, ctx) => {
    if (c.op === 'domain_is' && !['from', 'to', 'cc'].includes(c.field)) {
      ctx.addIssue({ code: 'custom', message: 'domain_is applies to from, to or cc', path: ['op'] });
    }
    if (c.op === 'matches') {
      const problem = regexProblem(c.value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['value'] });
    }
  });

const action = z.discriminatedUnion('type', [
  z.object({ type: z.literal('archive').describe('Link the email to the records it matches') }),
  z.object({
    type: z.literal('create').describe('Create the record from the email when none matches, then link'),
    recordType: z.enum(['contact', 'lead', 'organization', 'case']),
  }),
  z.object({ type: z.literal('mark_private') }),
]);

export const ruleInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  mailboxId: z.string().nullable().optional().describe('Only this mailbox of yours; null or absent: all of them'),
  position: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .optional()
    .describe('Rules run in ascending position; default: after the others'),
  enabled: z.boolean().optional(),
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(condition).min(1).max(20),
  actions: z.array(action).min(1).max(10),
});

export const rulePatchSchema = ruleInputSchema.partial().extend({ match: z.enum(['all', 'any']).optional() });

export type RuleInput = z.infer<typeof ruleInputSchema>;
export type RulePatch = z.infer<typeof rulePatchSchema>;
export type RuleCondition = z.infer<typeof condition>;
export type RuleAction = z.infer<typeof action>;

/**
 * A pattern is refused when it is long, invalid, or has the nested repetition
 * that makes backtracking explode (safe-regex2's star height check); the text
 * it runs on is capped too (see conditions.ts).
 */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN) return `a pattern has at most ${MAX_PATTERN} characters`;
  try {
    new RegExp(pattern, 'iu');
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  if (!safeRegex(pattern)) return 'this pattern could take very long on some input (nested repetition); simplify it';
  return null;
}
