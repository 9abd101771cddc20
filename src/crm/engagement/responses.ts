import type { Kysely } from 'kysely';
import type { Database, SendResponseKind } from '../../db/index.ts';
import { automaticReason } from '../conversations/automatic.ts';

/** A freshly stored email as the engagement hooks read it (headers only: bodies may not be parsed yet). */
export interface IncomingEmail {
  id: number;
  mailboxId: string;
  from: string;
  inReplyTo: string | null;
  references: string[];
  threadId: string;
  date: number;
  headers: Record<string, string>;
  partTypes: string[];
  rawBlob: string;
}

/** Automatic mail that reports a delivery: a bounce, never a reply (see bounces.ts). */
const DELIVERY_REASONS = /^(X-Failed-Recipients|delivery report|mail system sender)/;

/** Why the email is automatic (RFC 3834 and the usual headers), or null when a person wrote it. */
export function automaticOf(email: IncomingEmail): string | null {
  return automaticReason({ fromAddress: email.from, headers: email.headers, partTypes: email.partTypes });
}

export function isDeliveryReport(reason: string | null): boolean {
  return reason !== null && DELIVERY_REASONS.test(reason);
}

/**
 * Marks the sends these emails answer: threaded to a send of the same mailbox
 * by In-Reply-To/References naming its Message-ID, else by the conversation's
 * thread (the newest send before the email). A person's answer is a reply; an
 * auto-reply is kept as such and never counts as one. Delivery reports are
 * bounces, not answers.
 */
export async function noteResponses(trx: Kysely<Database>, emails: IncomingEmail[]): Promise<string[]> {
  const answered: string[] = [];
  const mailboxId = emails[0]?.mailboxId;
  if (mailboxId === undefined || !(await hasSends(trx, mailboxId))) return answered; // most first syncs: no query per email
  for (const email of emails) {
    const reason = automaticOf(email);
    if (isDeliveryReport(reason)) continue;
    const sendId = (await sendNamedBy(trx, email)) ?? (await sendInThread(trx, email));
    if (!sendId) continue;
    const kind: SendResponseKind = reason === null ? 'reply' : 'auto_reply';
    await trx
      .insertInto('send_responses')
      .values({ message_id: email.id, send_id: sendId, kind, from_address: email.from, reason, at: email.date })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
    answered.push(sendId);
  }
  return answered;
}

async function hasSends(trx: Kysely<Database>, mailboxId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('sends')
    .select('id')
    .where('mailbox_id', '=', mailboxId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The send named by In-Reply-To first, else by the latest References. */
async function sendNamedBy(trx: Kysely<Database>, email: IncomingEmail): Promise<string | null> {
  const named = [...(email.inReplyTo ? [email.inReplyTo] : []), ...email.references.slice().reverse()];
  if (named.length === 0) return null;
  const sends = await trx
    .selectFrom('sends')
    .select(['id', 'message_id'])
    .where('mailbox_id', '=', email.mailboxId)
    .where('message_id', 'in', [...new Set(named)])
    .where('state', '!=', 'failed')
    .execute();
  for (const id of named) {
    const send = sends.find((s) => s.message_id === id);
    if (send) return send.id;
  }
  return null;
}

/** The newest send whose Sent copy is in the email's thread and older than it. */
async function sendInThread(trx: Kysely<Database>, email: IncomingEmail): Promise<string | null> {
  const row = await trx
    .selectFrom('sends')
    .innerJoin('messages', (join) =>
      join.onRef('messages.message_id', '=', 'sends.message_id').onRef('messages.mailbox_id', '=', 'sends.mailbox_id'),
    )
    .select('sends.id')
    .where('sends.mailbox_id', '=', email.mailboxId)
    .where('messages.thread_id', '=', email.threadId)
    .where('messages.id', '!=', email.id)
    .where('messages.date', '<=', email.date)
    .where('sends.state', '!=', 'failed')
    .orderBy('messages.date', 'desc')
    .executeTakeFirst();
  return row?.id ?? null;
}
