import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ownedMailbox } from '../../access/index.ts';
import type { TandemContext } from '../../context/index.ts';
import type { Database, SendState, SendVia } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import { flagColumns } from '../messages/write.ts';
import { assertWithinQuota, repliedMessage } from '../messages/index.ts';
import type { RepliedMessage } from '../messages/index.ts';
import { composeMessage, fillMergeTags, megabytes } from '../mime/index.ts';
import type { ComposedMessage, ComposeInput, MergeValues } from '../mime/index.ts';
import { enqueueOp } from '../outbox/index.ts';
import { messageIdFromSmtpReply, presetById } from '../providers/index.ts';
import type { MailboxRow } from '../account/index.ts';
import { markVerifiedBySend } from './address-verification.ts';
import { openSmtpRoute } from './route.ts';
import { senderOf } from './sender.ts';
import { SmtpFailure } from './smtp.ts';
import type { SmtpSession } from './smtp.ts';
import { trackedCopies } from './tracking.ts';
import type { Delivery } from './tracking.ts';

/** What to send: the composed fields, from which mailbox, and (by Tandem id) the message replied to. */
export type SendInput = Pick<
  ComposeInput,
  'to' | 'cc' | 'bcc' | 'subject' | 'text' | 'html' | 'attachments' | 'autoSubmitted'
> & {
  mailboxId: string;
  inReplyTo?: string | undefined;
  /** Tandem id of the message forwarded (same mailbox). */
  forwardOf?: string | undefined;
  /**
   * The send id (and so the Message-ID) when the caller chose it beforehand, to retry a send that failed
   * under the same one (workflows); a new one otherwise. An id already attempted is never sent again.
   */
  sendId?: string | undefined;
  /** Sent by no person (a workflow): a group mailbox's From names the group alone. */
  noWriter?: boolean | undefined;
  /**
   * Add open and click marks (docs/engagement.md): true or false as the sender chose; undefined takes the
   * default (on for automated emails, the admin's choice for one-to-one ones).
   */
  track?: boolean | undefined;
};

export interface SendResult {
  id: string;
  /** Normalized Message-ID of the sent message. */
  messageId: string;
  mailboxId: string;
  /** Which server took it: the mailbox's own, or the admin's fallback. */
  via: SendVia;
}

/** The merge-tag values for a recipient (the CRM looks them up from the recipient's records). */
export type MergeValuesLookup = (recipient: string | undefined) => Promise<MergeValues>;

type Original = RepliedMessage;

/**
 * Sends at once over the mailbox's SMTP server, exactly once: the size is
 * checked against the server's SIZE limit first; the send is recorded as
 * 'attempted' (with the raw message in the blob store) before the message
 * goes out, so a crash can never cause a second delivery; once the server has
 * accepted it, the Sent copy (and \Answered on a replied message) is left to
 * the outbox, in the same transaction that marks the send 'sent'.
 */
export async function sendMessage(
  context: TandemContext,
  ownerId: string,
  input: SendInput,
  mergeValues: MergeValuesLookup,
): Promise<SendResult> {
  const { db } = context.store;
  const mailbox = await ownedMailbox(db, ownerId, input.mailboxId);
  await assertWithinQuota(db, context.config.mailboxQuotaBytes, mailbox.id);
  const original = input.inReplyTo === undefined ? undefined : await repliedMessage(db, mailbox.id, input.inReplyTo);
  const forwarded = input.forwardOf === undefined ? undefined : await repliedMessage(db, mailbox.id, input.forwardOf);

  const id = input.sendId ?? randomUUID();
  // Merge tags are filled only now, from the first recipient's contact record (drafts keep them as written).
  const values = await mergeValues(input.to[0] ?? input.cc?.[0] ?? input.bcc?.[0]);
  const subject = fillMergeTags(input.subject, values);
  const message = {
    id,
    from: await senderOf(db, mailbox.id, input.noWriter ? null : ownerId).then(({ address, name }) => ({
      address,
      name,
    })),
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    subject,
    text: input.text === undefined ? undefined : fillMergeTags(input.text, values),
    html: input.html === undefined ? undefined : fillMergeTags(input.html, values, 'html'),
    attachments: input.attachments,
    replyTo: original?.replyTo,
    forwarded: forwarded?.replyTo,
    autoSubmitted: input.autoSubmitted,
    date: new Date(),
  };
  const composed = await composeMessage(message);
  // The Sent copy is always the unmarked original; only what goes out may carry marks, one copy per recipient.
  const tracking = await trackedCopies(context, mailbox, message, composed.raw, input.track);
  const deliveries = tracking?.deliveries ?? [{ envelope: composed.envelope, raw: composed.raw }];
  const record = (state: SendState, error: string | null, via: SendVia) =>
    recordSend(context, {
      id,
      mailbox,
      input,
      subject,
      composed,
      links: tracking?.links ?? null,
      original,
      state,
      error,
      via,
    });

  let session: SmtpSession;
  let via: SendVia;
  try {
    ({ session, via } = await openSmtpRoute(context, mailbox, 'send'));
  } catch (error) {
    const failure = asSmtpFailure(error);
    await record('failed', failure.message, 'mailbox');
    throw sendFailed(id, 'failed', failure);
  }
  try {
    checkSize(mailbox, Math.max(...deliveries.map((d) => d.raw.length)), composed.sentCopy.length, session.maxSize);
    await record('attempted', null, via);
    let result: { response: string; rejected: string[] };
    try {
      result = await deliver(session, deliveries);
    } catch (error) {
      const failure = asSmtpFailure(error);
      // Refused (4xx/5xx), or dropped before the message was complete: not delivered. A drop after it may have been.
      const state = failure.responseCode === undefined && failure.dataComplete ? 'uncertain' : 'failed';
      await db
        .updateTable('sends')
        .set({ state, error: failure.message, updated_at: Date.now() })
        .where('id', '=', id)
        .execute();
      throw sendFailed(id, state, failure);
    }
    await markSent(db, mailbox, id, result, original);
    if (via === 'mailbox') await markVerifiedBySend(db, mailbox);
  } finally {
    session.close();
  }
  return { id, messageId: composed.messageId, mailboxId: mailbox.id, via };
}

/**
 * Runs the SMTP transactions of a send on one session: one for an untracked
 * email, one per recipient for a tracked one. A failure before anything was
 * delivered is thrown (the send is failed or uncertain as for one transaction);
 * once a copy went, the send is sent, and a recipient refused or not reached
 * afterwards is named among the rejected (never retried: nobody gets it twice).
 */
async function deliver(
  session: SmtpSession,
  deliveries: Delivery[],
): Promise<{ response: string; rejected: string[] }> {
  const rejected: string[] = [];
  let response: string | null = null;
  let refusal: SmtpFailure | null = null;
  let afterRefusal = false;
  for (const [index, delivery] of deliveries.entries()) {
    try {
      if (afterRefusal) await session.reset();
      afterRefusal = false;
      const result = await session.send(delivery.envelope, delivery.raw);
      response = result.response;
      rejected.push(...result.rejected);
    } catch (error) {
      const failure = asSmtpFailure(error);
      const refused = failure.responseCode !== undefined && deliveries.length > 1;
      if (response === null && !refused) throw failure;
      if (refused) {
        refusal = failure;
        rejected.push(`${delivery.envelope.to.join(', ')} (${failure.message})`);
        afterRefusal = true;
        continue;
      }
      const unsure = failure.dataComplete ? 'may not have been delivered' : 'not sent';
      const rest = deliveries.slice(index).flatMap((d) => d.envelope.to);
      rejected.push(...rest.map((to) => `${to} (${unsure}: ${failure.message})`));
      break;
    }
  }
  if (response === null) throw refusal ?? new SmtpFailure('Nothing was sent', undefined, false);
  return { response, rejected };
}

function asSmtpFailure(error: unknown): SmtpFailure {
  return error instanceof SmtpFailure ? error : new SmtpFailure(String(error), undefined, false);
}

interface SendRecord {
  id: string;
  mailbox: MailboxRow;
  input: SendInput;
  subject: string;
  composed: ComposedMessage;
  /** The links of a tracked send, by index; null when it went out unmarked. */
  links: string[] | null;
  original: Original | undefined;
  state: SendState;
  error: string | null;
  via: SendVia;
}

/** Stores the message as filed in Sent (Bcc kept) and the send row: nothing is lost whatever happens next. */
async function recordSend(context: TandemContext, r: SendRecord): Promise<void> {
  const rawBlob = await context.blobs.put(r.composed.sentCopy);
  const now = Date.now();
  const result = await context.store.db
    .insertInto('sends')
    .values({
      id: r.id,
      mailbox_id: r.mailbox.id,
      state: r.state,
      message_id: r.composed.messageId,
      raw_blob: rawBlob,
      recipients: JSON.stringify({ to: r.input.to, cc: r.input.cc ?? [], bcc: r.input.bcc ?? [] }),
      subject: r.subject,
      in_reply_to_message_id: r.original?.id ?? null,
      smtp_response: null,
      via: r.via,
      tracked: r.links === null ? 0 : 1,
      error: r.error,
      created_at: now,
      updated_at: now,
    })
    // The same id again: only a send the server refused (so never delivered) may be tried once more.
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({
          state: r.state,
          error: r.error,
          via: r.via,
          raw_blob: rawBlob,
          tracked: r.links === null ? 0 : 1,
          updated_at: now,
        })
        .where('sends.state', '=', 'failed'),
    )
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 1n) === 0) {
    throw new TandemError('conflict', 'This send was already attempted: it is never sent a second time', {
      sendId: r.id,
    });
  }
  if (r.links && r.links.length > 0) {
    await context.store.db
      .insertInto('tracked_links')
      .values(r.links.map((url, index) => ({ send_id: r.id, link_index: index, url })))
      .onConflict((oc) => oc.columns(['send_id', 'link_index']).doUpdateSet((eb) => ({ url: eb.ref('excluded.url') })))
      .execute();
  }
}

/** One transaction: the send is 'sent', the Sent copy is queued (unless the provider files its own), the original is \Answered. */
async function markSent(
  db: Kysely<Database>,
  mailbox: MailboxRow,
  id: string,
  result: { response: string; rejected: string[] },
  original: Original | undefined,
): Promise<void> {
  // Some recipients refused, the others accepted: sent, and the error names who will not get it.
  const error =
    result.rejected.length > 0 ? `The SMTP server refused some recipients: ${result.rejected.join('; ')}` : null;
  await db.transaction().execute(async (trx) => {
    const send = await trx.selectFrom('sends').select('raw_blob').where('id', '=', id).executeTakeFirstOrThrow();
    // Whatever its state now: an engine that started meanwhile may have judged it interrupted.
    // A provider that replaces the Message-ID (Microsoft) names the real one in its reply: the Sent copy it files has that one.
    const rewritten = presetById(mailbox.provider_id ?? '')?.behaviour.messageIdFromSmtpReply
      ? messageIdFromSmtpReply(result.response)
      : null;
    await trx
      .updateTable('sends')
      .set({
        state: 'sent',
        smtp_response: result.response,
        error,
        updated_at: Date.now(),
        ...(rewritten ? { message_id: rewritten } : {}),
      })
      .where('id', '=', id)
      .execute();
    if (mailbox.provider_files_sent !== 1) {
      await enqueueOp(trx, {
        mailboxId: mailbox.id,
        messageId: null,
        locationId: null,
        kind: 'append_sent',
        payload: { sendId: id, rawBlob: send.raw_blob },
      });
    }
    if (original) await markAnswered(trx, mailbox.id, original.id);
  });
}

/** \Answered on the replied message: shown at once, set on the server by the outbox. */
async function markAnswered(trx: Kysely<Database>, mailboxId: string, messageId: number): Promise<void> {
  const location = await trx
    .selectFrom('message_locations')
    .innerJoin('folders', 'folders.id', 'message_locations.folder_id')
    .select([
      'message_locations.id',
      'message_locations.uid',
      'message_locations.uid_validity',
      'message_locations.flags',
      'folders.path',
    ])
    .where('message_locations.message_id', '=', messageId)
    .where('message_locations.mailbox_id', '=', mailboxId)
    .where('message_locations.uid', '>', 0) // not a placeholder of a move still in flight
    .orderBy('message_locations.id')
    .executeTakeFirst();
  if (!location) return;
  const flags = new Set(JSON.parse(location.flags) as string[]);
  if (flags.has('\\Answered')) return;
  flags.add('\\Answered');
  await trx.updateTable('message_locations').set(flagColumns(flags)).where('id', '=', location.id).execute();
  await enqueueOp(trx, {
    mailboxId,
    messageId,
    locationId: location.id,
    kind: 'flags',
    payload: {
      path: location.path,
      uidValidity: location.uid_validity,
      uid: location.uid,
      add: ['\\Answered'],
      remove: [],
    },
  });
}

function sendFailed(id: string, state: SendState, failure: SmtpFailure): TandemError {
  const message =
    state === 'uncertain'
      ? `The connection to the SMTP server was lost after the whole message was sent: it may or may not have been delivered (${failure.message})`
      : `The message was not sent: ${failure.message}`;
  return new TandemError('send_failed', message, {
    sendId: id,
    state,
    ...(failure.responseCode ? { responseCode: failure.responseCode } : {}),
  });
}

/**
 * Before anything goes out: the SMTP server's SIZE limit, and (when Tandem files
 * the Sent copy) the IMAP server's APPENDLIMIT — an email that cannot be filed
 * is refused now, not found missing from Sent later.
 */
function checkSize(mailbox: MailboxRow, outgoing: number, filed: number, smtpLimit: number | null): void {
  if (smtpLimit !== null && outgoing > smtpLimit) {
    throw new TandemError(
      'message_too_large',
      `The message is ${megabytes(outgoing)} with its attachments; the SMTP server of ${mailbox.address} accepts at most ${megabytes(smtpLimit)}. It was not sent.`,
      { size: outgoing, limit: smtpLimit },
    );
  }
  const appendLimit = mailbox.provider_files_sent === 1 ? null : mailbox.append_limit;
  if (appendLimit !== null && filed > appendLimit) {
    throw new TandemError(
      'message_too_large',
      `The message is ${megabytes(filed)} with its attachments; the IMAP server of ${mailbox.address} files at most ${megabytes(appendLimit)} in Sent. It was not sent.`,
      { size: filed, limit: appendLimit },
    );
  }
}
