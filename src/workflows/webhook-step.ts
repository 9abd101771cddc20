import { TargetRefused } from '../outbound/index.ts';
import type { Action } from './definition.ts';
import type { StepContext, StepResult } from './run-context.ts';
import { webhookSecret } from './webhook-secrets.ts';
import { postWebhook, signatureOf } from './webhook.ts';

export const MAX_WEBHOOK_ATTEMPTS = 5;

/**
 * Webhook: POSTs the run's record (and email) as JSON, signed with the
 * workflow's secret. Delivered at least once: a retry (after a 5xx, a timeout,
 * a crash) carries the same X-Tandem-Delivery id so the receiver can drop a
 * repeat. A refused host (private, loopback) or a 4xx answer ends the step failed.
 */
export async function webhookStep(ctx: StepContext, action: Extract<Action, { type: 'webhook' }>): Promise<StepResult> {
  const delivery = `${ctx.run.id}:${ctx.step.step_index}`;
  const body = JSON.stringify({
    delivery,
    workflowId: ctx.run.workflow_id,
    runId: ctx.run.id,
    trigger: ctx.run.trigger,
    record: ctx.facts.record ?? null,
    contact: ctx.facts.contact ?? null,
    email: ctx.facts.email ? { ...ctx.facts.email, body: undefined } : null,
  });
  try {
    const answer = await postWebhook(
      action.url,
      body,
      {
        'x-tandem-delivery': delivery,
        'x-tandem-signature': signatureOf(webhookSecret(ctx.deps.context.secrets, action), body),
      },
      ctx.deps.webhooks,
    );
    if (answer.status >= 200 && answer.status < 300) return { kind: 'done', outcome: { status: answer.status } };
    const passing = answer.status >= 500 || answer.status === 408 || answer.status === 429;
    return retryOrFail(ctx, `The webhook answered HTTP ${answer.status}`, passing);
  } catch (error) {
    if (error instanceof TargetRefused)
      return {
        kind: 'failed',
        error: `${error.message.replace('allowedMailHosts', 'allowedWebhookHosts')}`,
      };
    return retryOrFail(ctx, `The webhook could not be reached: ${(error as Error).message}`, true);
  }
}

function retryOrFail(ctx: StepContext, error: string, passing: boolean): StepResult {
  if (!passing || ctx.step.attempts >= MAX_WEBHOOK_ATTEMPTS) return { kind: 'failed', error };
  return { kind: 'retry', at: ctx.deps.now() + 30_000 * 4 ** (ctx.step.attempts - 1), error };
}
