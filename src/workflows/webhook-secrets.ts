import type { SecretBox } from '../secrets/index.ts';
import { TandemError } from '../errors/index.ts';
import type { Action, WorkflowInput } from './definition.ts';

type Webhook = Extract<Action, { type: 'webhook' }>;
/** A webhook as stored: its secret sealed with the secret box, never in clear. */
export type StoredWebhook = Omit<Webhook, 'secret'> & { sealedSecret: string; secretHint: string };

/** The last four characters: enough to tell secrets apart, too few to sign anything. */
const hintOf = (secret: string) => `…${secret.slice(-4)}`;

/**
 * The actions as stored: each webhook's secret sealed (with a hint kept beside
 * it). On an update a webhook sent without a secret keeps the one stored at the
 * same place, when that was a webhook too: the API never gives a secret back.
 */
export function sealWebhookSecrets(
  secrets: SecretBox,
  actions: WorkflowInput['actions'],
  stored: readonly unknown[] = [],
): unknown[] {
  return actions.map((action, index) => {
    if (action.type !== 'webhook') return action;
    const { secret, secretHint: _ignored, ...rest } = action;
    if (secret !== undefined) return { ...rest, sealedSecret: secrets.seal(secret), secretHint: hintOf(secret) };
    const before = stored[index] as (Partial<StoredWebhook> & { secret?: string }) | undefined;
    if (before?.type === 'webhook' && before.secret !== undefined)
      return { ...rest, sealedSecret: secrets.seal(before.secret), secretHint: hintOf(before.secret) }; // stored before sealing
    if (before?.type !== 'webhook' || before.sealedSecret === undefined)
      throw new TandemError('validation_failed', `actions.${index}.secret: a new webhook needs its secret`);
    return { ...rest, sealedSecret: before.sealedSecret, secretHint: before.secretHint ?? '' };
  });
}

/** The actions as the API shows them: a webhook's hint, never its secret. */
export function withoutSecrets(actions: readonly unknown[]): Action[] {
  return actions.map((action) => {
    const a = action as Action | StoredWebhook;
    if (a.type !== 'webhook') return a;
    const { sealedSecret: _sealed, secret: _clear, ...shown } = a as StoredWebhook & { secret?: string };
    return shown as Action;
  });
}

/** The secret a stored webhook signs with. */
export function webhookSecret(secrets: SecretBox, action: Webhook | StoredWebhook): string {
  if ('sealedSecret' in action) return secrets.open(action.sealedSecret);
  return action.secret ?? '';
}
