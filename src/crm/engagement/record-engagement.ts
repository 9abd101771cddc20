import type { Kysely } from 'kysely';
import type { Database, RecordKind } from '../../db/index.ts';
import { messageVisibleTo } from '../../access/index.ts';
import type { Viewer } from '../../access/index.ts';
import { visibleRecord } from '../records/records.ts';
import { bouncingAddresses } from './bounces.ts';
import type { BouncingAddress } from './bounces.ts';
import { addressesOf, touchpointsOf } from './touchpoints.ts';
import type { Touchpoints } from './touchpoints.ts';

export const CHART_WEEKS = 12;
const TIMELINE_LIMIT = 100;
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** One email in or out on a record's timeline, with what became of it. */
export interface Touchpoint {
  /** The email's API id (GET /messages/:id). */
  messageId: string;
  direction: 'out' | 'in';
  subject: string;
  from: string | null;
  date: string;
  /** For an email in: it answered one of ours (a person's reply or an auto-reply). */
  answer: 'reply' | 'auto_reply' | null;
  /** For an email out: the engagement of the send behind it (null when it was not sent from Tandem). */
  send: {
    bounced: { address: string; status: string | null; reason: string }[];
    /** Human opens by the record's addresses; the others on demand (privacy proxies, scanners, the sender). */
    opens: number;
    otherOpens: number;
    clicks: { url: string; count: number }[];
    replies: { from: string; at: string }[];
    autoReplies: { from: string; at: string; reason: string | null }[];
  } | null;
}

export interface WeekActivity {
  /** Monday 00:00 UTC. */
  weekStart: string;
  emailsOut: number;
  emailsIn: number;
  opens: number;
  replies: number;
}

export interface RecordEngagement {
  touchpoints: Touchpoints;
  /** The record's addresses that bounce now. */
  bouncing: BouncingAddress[];
  weeks: WeekActivity[];
  /** Newest first, the latest 100. */
  items: Touchpoint[];
}

interface Row {
  id: number;
  message_id: string | null;
  mailbox_id: string;
  subject: string;
  from_address: string | null;
  date: number;
  address: string;
}

/** A record's touchpoints, timeline and weekly activity, as the viewer may see them (private emails left out). */
export async function recordEngagement(
  db: Kysely<Database>,
  viewer: Viewer,
  kind: RecordKind,
  recordId: string,
  now = Date.now(),
): Promise<RecordEngagement> {
  await visibleRecord(db, viewer, kind, recordId);
  const rows: Row[] = await db
    .selectFrom('email_links')
    .innerJoin('messages', 'messages.id', 'email_links.message_id')
    .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
    .select([
      'messages.id',
      'messages.message_id',
      'messages.mailbox_id',
      'messages.subject',
      'messages.from_address',
      'messages.date',
      'mailboxes.address',
    ])
    .where('email_links.record_id', '=', recordId)
    .where('email_links.state', '=', 'linked')
    .where(messageVisibleTo(viewer))
    .orderBy('messages.date', 'desc')
    .orderBy('messages.id', 'desc')
    .execute();
  const addresses = await addressesOf(db, recordId);
  const isOut = (r: Row) => (r.from_address ?? '').toLowerCase() === r.address.toLowerCase();
  const facts = await factsOf(db, rows, isOut, addresses);
  const items = rows.slice(0, TIMELINE_LIMIT).map((r) => touchpointOf(r, isOut(r), facts));
  return {
    touchpoints: (await touchpointsOf(db, [recordId])).get(recordId) as Touchpoints,
    bouncing: await bouncingAddresses(db, addresses),
    weeks: weeksOf(rows, isOut, facts, now),
    items,
  };
}

interface Facts {
  sendOf: Map<number, string>;
  answers: Map<number, 'reply' | 'auto_reply'>;
  responses: { send_id: string; kind: string; from_address: string; reason: string | null; at: number }[];
  bounces: { send_id: string | null; address: string; status: string | null; reason: string }[];
  events: {
    send_id: string;
    kind: string;
    link_index: number | null;
    classification: string;
    at: number;
    recipient: string;
  }[];
  links: { send_id: string; link_index: number; url: string }[];
}

async function factsOf(
  db: Kysely<Database>,
  rows: Row[],
  isOut: (r: Row) => boolean,
  addresses: string[],
): Promise<Facts> {
  const out = rows.filter((r) => isOut(r) && r.message_id);
  const incoming = rows.filter((r) => !isOut(r)).map((r) => r.id);
  const sends =
    out.length === 0
      ? []
      : await db
          .selectFrom('sends')
          .select(['id', 'message_id', 'mailbox_id'])
          .where('message_id', 'in', [...new Set(out.map((r) => r.message_id as string))])
          .execute();
  const sendOf = new Map<number, string>();
  for (const r of out) {
    const send = sends.find((s) => s.message_id === r.message_id && s.mailbox_id === r.mailbox_id);
    if (send) sendOf.set(r.id, send.id);
  }
  const sendIds = [...new Set(sendOf.values())];
  const answered =
    incoming.length === 0
      ? []
      : await db
          .selectFrom('send_responses')
          .select(['message_id', 'kind'])
          .where('message_id', 'in', incoming)
          .execute();
  const none = sendIds.length === 0;
  const byRecipient = <T extends { recipient: string }>(list: T[]) =>
    addresses.length === 0 ? list : list.filter((e) => addresses.includes(e.recipient));
  return {
    sendOf,
    answers: new Map(answered.map((a) => [a.message_id, a.kind])),
    responses: none ? [] : await db.selectFrom('send_responses').selectAll().where('send_id', 'in', sendIds).execute(),
    bounces: none ? [] : await db.selectFrom('bounces').selectAll().where('send_id', 'in', sendIds).execute(),
    events: none
      ? []
      : byRecipient(await db.selectFrom('tracking_events').selectAll().where('send_id', 'in', sendIds).execute()),
    links: none ? [] : await db.selectFrom('tracked_links').selectAll().where('send_id', 'in', sendIds).execute(),
  };
}

function touchpointOf(r: Row, out: boolean, facts: Facts): Touchpoint {
  const sendId = facts.sendOf.get(r.id);
  return {
    messageId: String(r.id),
    direction: out ? 'out' : 'in',
    subject: r.subject,
    from: r.from_address,
    date: new Date(r.date).toISOString(),
    answer: facts.answers.get(r.id) ?? null,
    send: sendId === undefined ? null : sendEngagement(sendId, facts),
  };
}

function sendEngagement(sendId: string, facts: Facts): NonNullable<Touchpoint['send']> {
  const events = facts.events.filter((e) => e.send_id === sendId);
  const human = events.filter((e) => e.classification === 'human');
  const clicks = new Map<string, number>();
  for (const e of human.filter((h) => h.kind === 'click')) {
    const url =
      facts.links.find((l) => l.send_id === sendId && l.link_index === e.link_index)?.url ?? `link ${e.link_index}`;
    clicks.set(url, (clicks.get(url) ?? 0) + 1);
  }
  const responses = facts.responses.filter((x) => x.send_id === sendId).sort((a, b) => a.at - b.at);
  return {
    bounced: facts.bounces
      .filter((b) => b.send_id === sendId)
      .map((b) => ({ address: b.address, status: b.status, reason: b.reason })),
    opens: human.filter((e) => e.kind === 'open').length,
    otherOpens: events.filter((e) => e.kind === 'open' && e.classification !== 'human').length,
    clicks: [...clicks].map(([url, count]) => ({ url, count })),
    replies: responses
      .filter((x) => x.kind === 'reply')
      .map((x) => ({ from: x.from_address, at: new Date(x.at).toISOString() })),
    autoReplies: responses
      .filter((x) => x.kind === 'auto_reply')
      .map((x) => ({ from: x.from_address, at: new Date(x.at).toISOString(), reason: x.reason })),
  };
}

/** Emails out and in, human opens and replies per week (Monday UTC), the last 12 weeks, oldest first. */
function weeksOf(rows: Row[], isOut: (r: Row) => boolean, facts: Facts, now: number): WeekActivity[] {
  const day = new Date(now);
  const monday =
    Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) - ((day.getUTCDay() + 6) % 7) * 86_400_000;
  const first = monday - (CHART_WEEKS - 1) * WEEK_MS;
  const weeks: WeekActivity[] = Array.from({ length: CHART_WEEKS }, (_, i) => ({
    weekStart: new Date(first + i * WEEK_MS).toISOString(),
    emailsOut: 0,
    emailsIn: 0,
    opens: 0,
    replies: 0,
  }));
  const at = (time: number) => {
    const index = Math.floor((time - first) / WEEK_MS);
    return index >= 0 && index < CHART_WEEKS ? weeks[index] : undefined;
  };
  for (const r of rows) {
    const week = at(r.date);
    if (!week) continue;
    if (isOut(r)) week.emailsOut += 1;
    else week.emailsIn += 1;
    if (facts.answers.get(r.id) === 'reply') week.replies += 1;
  }
  for (const e of facts.events) {
    const week = e.kind === 'open' && e.classification === 'human' ? at(e.at) : undefined;
    if (week) week.opens += 1;
  }
  return weeks;
}
