import { ownedMailbox, workflowMaySendAs } from '../access/index.ts';
import { bouncingAddresses, linkSentMessage } from '../crm/index.ts';
import { TandemError } from '../errors/index.ts';
import { foundInSent, markFoundInSent, sendMessage, sendStateOf } from '../mail/send/index.ts';
import { valueAt } from './conditions.ts';
import type { Action } from './definition.ts';
import { mergeValuesOf } from './facts.ts';
import { handReplyFrom } from './replies.ts';
import { templateAttachments } from './template-attachments.ts';
import type { StepContext, StepResult } from './run-context.ts';
import { takeSendToken } from './send-rate.ts';

type SendEmail = Extract<Action, { type: 'send_email' }>;

/** A send refused for a passing reason (4xx, no connection) is tried again this many times, with backoff. */
export const MAX_SEND_ATTEMPTS = 5;

/**
 * Send Email, exactly once. The step's send id (so its Message-ID) was chosen
 * when the step was claimed and is the same on every attempt. Before acting,
 * what an earlier attempt did is read from its `sends` row:
 * - none: nothing went out, send;
 * - failed (refused by the server): not delivered, may be sent again;
 * - sent: done;
 * - attempted or uncertain (a crash or a cut connection after the whole
 *   message went out): its mailbox's Sent folder is searched; found, it was
 *   sent; not found, the step ends `uncertain` and is never retried blindly.
 */
export async function sendEmailStep(ctx: StepContext, action: SendEmail): Promise<StepResult> {
  const { deps, step } = ctx;
  const { db, dialect } = deps.context.store;
  const sendId = step.send_id as string;
  const earlier = await sendStateOf(db, sendId);
  if (earlier?.state === 'sent') return sent(ctx, action, sendId, { resumed: true });
  if (earlier?.state === 'attempted' || earlier?.state === 'uncertain') return settleUnknown(ctx, action, sendId);

  const sender = await senderOf(ctx, action);
  if ('error' in sender) return { kind: 'failed', error: sender.error };
  const { mailbox, writerId } = sender;
  const to = await recipientsOf(ctx, action);
  if (to.length === 0) return { kind: 'failed', error: 'No recipient: the record has no contact email address' };
  if (ctx.stopOnReply) {
    const reply = await handReplyFrom(db, ctx.run.workflow_id, to);
    if (reply)
      return {
        kind: 'stopped',
        error: `${reply.from} replied by hand on ${new Date(reply.date).toISOString()} (“${reply.subject}”): no more emails are sent`,
      };
  }

  const wait = await takeSendToken(db, dialect, mailbox.id, deps.context.config.workflowSendsPerMinute, deps.now());
  if (wait > 0) return { kind: 'retry', at: deps.now() + wait, error: 'waiting for the mailbox’s send rate' };

  const values = await mergeValuesOf(db, ctx.facts);
  // A bouncing recipient does not stop the step: the run records the warning for people to see.
  const warnings = (await bouncingAddresses(db, to)).map((b) => ({
    code: 'bouncing_recipient',
    address: b.address,
    reason: b.reason,
  }));
  const attachments = await templateAttachments(deps.context.blobs, action.attachments).catch(() => null);
  if (!attachments) return { kind: 'failed', error: 'A file attached to the template is missing from the store' };
  try {
    await sendMessage(
      deps.context,
      writerId,
      {
        mailboxId: mailbox.id,
        noWriter: action.from === 'group',
        to,
        subject: action.template.subject,
        text: action.template.text,
        html: action.template.html,
        attachments,
        autoSubmitted: 'auto-generated',
        sendId,
      },
      async () => values,
    );
  } catch (error) {
    if (!(error instanceof TandemError)) {
      return retryOrFail(ctx, `The message was not sent: ${String(error)}`, true);
    }
    if (error.code === 'send_failed' && error.details?.state === 'uncertain') return settleUnknown(ctx, action, sendId);
    if (error.code === 'send_failed') {
      const code = Number(error.details?.responseCode ?? 0);
      return retryOrFail(ctx, error.message, code === 0 || (code >= 400 && code < 500));
    }
    return { kind: 'failed', error: error.message };
  }
  deps.nudge(mailbox.id);
  return sent(ctx, action, sendId, warnings.length > 0 ? { warnings } : {});
}

/**
 * The mailbox the email goes out from, and who writes it: the record owner's
 * personal mailbox (the workflow's owner may send as them), or a group mailbox
 * the workflow's owner is (still) a member of.
 */
async function senderOf(
  ctx: StepContext,
  action: SendEmail,
): Promise<{ mailbox: { id: string }; writerId: string } | { error: string }> {
  const { db } = ctx.deps.context.store;
  if (action.from === 'group') {
    const mailbox = await ownedMailbox(db, ctx.owner.id, action.mailboxId ?? '').catch(() => null);
    if (mailbox?.kind !== 'group')
      return { error: 'The workflow’s owner is no longer a member of the group mailbox it sends from' };
    return { mailbox, writerId: ctx.owner.id };
  }
  const writerId = typeof ctx.facts.record?.ownerId === 'string' ? ctx.facts.record.ownerId : ctx.owner.id;
  if (!workflowMaySendAs(ctx.owner, writerId))
    return { error: 'The workflow’s owner may not send from the record owner’s mailbox' };
  const mailbox = await db
    .selectFrom('mailboxes')
    .select('id')
    .where('owner_user_id', '=', writerId)
    .where('kind', '=', 'personal')
    .executeTakeFirst();
  if (!mailbox) return { error: 'The record’s owner has no mailbox connected to send from' };
  return { mailbox, writerId };
}

async function settleUnknown(ctx: StepContext, action: SendEmail, sendId: string): Promise<StepResult> {
  const { db } = ctx.deps.context.store;
  let found: boolean;
  try {
    found = await foundInSent(ctx.deps.context, sendId);
  } catch (error) {
    return {
      kind: 'uncertain',
      error: `The email may or may not have been sent, and its Sent folder could not be searched (${String(error)}): it is not sent again`,
    };
  }
  if (!found)
    return {
      kind: 'uncertain',
      error:
        'The connection was lost after the whole email went out, and no copy is in Sent: it may or may not have been delivered, so it is not sent again',
    };
  await markFoundInSent(db, sendId);
  return sent(ctx, action, sendId, { foundInSent: true });
}

async function sent(
  ctx: StepContext,
  action: SendEmail,
  sendId: string,
  extra: Record<string, unknown>,
): Promise<StepResult> {
  const { db } = ctx.deps.context.store;
  const send = await db
    .selectFrom('sends')
    .select(['mailbox_id', 'message_id', 'recipients'])
    .where('id', '=', sendId)
    .executeTakeFirstOrThrow();
  const recordId = ctx.run.record_id;
  const mailbox = await db
    .selectFrom('mailboxes')
    .select(['owner_user_id', 'kind'])
    .where('id', '=', send.mailbox_id)
    .executeTakeFirstOrThrow();
  if (action.linkToRecord && recordId) {
    await linkSentMessage(db, {
      mailboxId: send.mailbox_id,
      messageId: send.message_id,
      recordId,
      userId: mailbox.kind === 'group' ? ctx.owner.id : mailbox.owner_user_id,
    });
  }
  return {
    kind: 'done',
    outcome: {
      sendId,
      messageId: send.message_id,
      mailboxId: send.mailbox_id,
      to: (JSON.parse(send.recipients) as { to: string[] }).to,
      ...extra,
    },
  };
}

function retryOrFail(ctx: StepContext, error: string, passing: boolean): StepResult {
  if (!passing || ctx.step.attempts >= MAX_SEND_ATTEMPTS) return { kind: 'failed', error };
  const delay = 60_000 * 2 ** (ctx.step.attempts - 1);
  return { kind: 'retry', at: ctx.deps.now() + delay, error };
}

async function recipientsOf(ctx: StepContext, action: SendEmail): Promise<string[]> {
  const out: string[] = [];
  for (const r of action.to) {
    if (r.type === 'address') out.push(r.address);
    if (r.type === 'contact') out.push(...first(ctx.facts.contact?.email));
    if (r.type === 'field') out.push(...first(valueAt(ctx.facts, r.field)));
    if (r.type === 'owner') {
      const ownerId = ctx.facts.record?.ownerId ?? ctx.owner.id;
      const user = await ctx.deps.context.store.db
        .selectFrom('users')
        .select('email')
        .where('id', '=', String(ownerId))
        .executeTakeFirst();
      if (user) out.push(user.email);
    }
  }
  return [...new Set(out.map((a) => a.trim().toLowerCase()).filter((a) => /^[^@\s]+@[^@\s]+$/.test(a)))];
}

function first(value: unknown): string[] {
  if (Array.isArray(value)) return value.length > 0 ? [String(value[0])] : [];
  return typeof value === 'string' && value ? [value] : [];
}
