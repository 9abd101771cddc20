import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { mailboxOf } from '../access/index.ts';
import { BURST_REASON, classify, SCANNER_TIMING } from './classify.ts';
import { ipPrefix } from './ip.ts';
import { recipientListOf } from './recipients.ts';
import { verifyToken } from './tokens.ts';
import type { TokenKind } from './tokens.ts';

export interface TrackingHit {
  kind: TokenKind;
  token: string;
  method: string;
  ip: string;
  userAgent: string;
  /** The signed-in Tandem user whose session the request carries, if any. */
  sessionUserId: string | null;
  now?: number;
}

/** Where a click goes: the URL stored for that link of that send, never one from the request. */
export type HitResult =
  { recorded: true; redirectTo: string | null; sendId: string; mailboxId: string } | { recorded: false };

/** The longest user agent kept. */
const USER_AGENT_CHARS = 300;

/**
 * Records one open or click if its token is genuine and names a recipient
 * (and link) of a tracked send; anything else records nothing and is answered
 * as not found, whatever was wrong.
 */
export async function recordHit(db: Kysely<Database>, key: Buffer, hit: TrackingHit): Promise<HitResult> {
  const fields = verifyToken(key, hit.token, hit.kind);
  if (!fields) return { recorded: false };
  const send = await db
    .selectFrom('sends')
    .select(['id', 'mailbox_id', 'recipients', 'created_at', 'tracked'])
    .where('id', '=', fields.sendId)
    .executeTakeFirst();
  const recipient = send?.tracked === 1 ? recipientListOf(send.recipients)[fields.recipientIndex] : undefined;
  if (!send || recipient === undefined) return { recorded: false };
  let redirectTo: string | null = null;
  if (hit.kind === 'click') {
    const link = await db
      .selectFrom('tracked_links')
      .select('url')
      .where('send_id', '=', send.id)
      .where('link_index', '=', fields.linkIndex)
      .executeTakeFirst();
    if (!link) return { recorded: false };
    redirectTo = link.url;
  }
  const now = hit.now ?? Date.now();
  const linkIndex = hit.kind === 'click' ? fields.linkIndex : null;
  const otherLinks = hit.kind === 'click' ? await linksJustClicked(db, send.id, recipient, fields.linkIndex, now) : 0;
  const { classification, reason } = classify({
    kind: hit.kind,
    method: hit.method,
    ip: hit.ip,
    userAgent: hit.userAgent,
    bySender: hit.sessionUserId !== null && (await worksIn(db, hit.sessionUserId, send.mailbox_id)),
    sinceSentMs: now - send.created_at,
    otherLinksJustClicked: otherLinks,
  });
  await db
    .insertInto('tracking_events')
    .values({
      send_id: send.id,
      recipient,
      kind: hit.kind,
      link_index: linkIndex,
      classification,
      reason,
      ip_prefix: ipPrefix(hit.ip),
      user_agent: hit.userAgent.slice(0, USER_AGENT_CHARS) || null,
      at: now,
    })
    .execute();
  // A burst of links is a scanner's from its first click: those counted as human a moment ago are not.
  if (classification === 'scanner' && otherLinks > 0 && reason === BURST_REASON) {
    await db
      .updateTable('tracking_events')
      .set({ classification: 'scanner', reason })
      .where('send_id', '=', send.id)
      .where('recipient', '=', recipient)
      .where('kind', '=', 'click')
      .where('at', '>=', now - SCANNER_TIMING.burstWindowMs)
      .where('classification', '=', 'human')
      .execute();
  }
  return { recorded: true, redirectTo, sendId: send.id, mailboxId: send.mailbox_id };
}

/** How many other links of this send the recipient clicked within the burst window. */
async function linksJustClicked(
  db: Kysely<Database>,
  sendId: string,
  recipient: string,
  linkIndex: number,
  now: number,
): Promise<number> {
  const row = await db
    .selectFrom('tracking_events')
    .select((eb) => eb.fn.count<number>('link_index').distinct().as('links'))
    .where('send_id', '=', sendId)
    .where('recipient', '=', recipient)
    .where('kind', '=', 'click')
    .where('link_index', '!=', linkIndex)
    .where('at', '>=', now - SCANNER_TIMING.burstWindowMs)
    .executeTakeFirst();
  return Number(row?.links ?? 0);
}

async function worksIn(db: Kysely<Database>, userId: string, mailboxId: string): Promise<boolean> {
  const row = await db
    .selectFrom('mailboxes')
    .select('mailboxes.id')
    .where('mailboxes.id', '=', mailboxId)
    .where(mailboxOf(userId))
    .executeTakeFirst();
  return row !== undefined;
}
