import type { Kysely } from 'kysely';
import type { Database, TrackingClassification, TrackingEventKind } from '../db/index.ts';
import { recipientListOf } from './recipients.ts';

export interface EngagementEvent {
  kind: TrackingEventKind;
  classification: TrackingClassification;
  reason: string | null;
  /** For a click: the link's index and URL. */
  linkIndex: number | null;
  url: string | null;
  at: number;
}

export interface RecipientEngagement {
  address: string;
  /** Events by people (classification human). */
  opens: number;
  clicks: number;
  /** Events by privacy proxies, scanners and the sender, shown on demand. */
  otherOpens: number;
  otherClicks: number;
  /** Newest first. */
  events: EngagementEvent[];
}

export interface Engagement {
  /** Whether the copies that went out carried marks; false for a message Tandem did not send tracked. */
  tracked: boolean;
  sentAt: number | null;
  links: { index: number; url: string }[];
  recipients: RecipientEngagement[];
}

const NOT_TRACKED: Engagement = { tracked: false, sentAt: null, links: [], recipients: [] };

/** The engagement of the send behind a message (same mailbox, same Message-ID); the caller checked it may be seen. */
export async function engagementOfMessage(db: Kysely<Database>, messageRowId: number): Promise<Engagement> {
  const send = await db
    .selectFrom('messages')
    .innerJoin('sends', (join) =>
      join.onRef('sends.mailbox_id', '=', 'messages.mailbox_id').onRef('sends.message_id', '=', 'messages.message_id'),
    )
    .select(['sends.id', 'sends.recipients', 'sends.created_at', 'sends.tracked'])
    .where('messages.id', '=', messageRowId)
    .where('sends.state', '=', 'sent')
    .orderBy('sends.created_at', 'desc')
    .executeTakeFirst();
  if (!send || send.tracked !== 1) return NOT_TRACKED;
  const [links, events] = await Promise.all([
    db
      .selectFrom('tracked_links')
      .select(['link_index', 'url'])
      .where('send_id', '=', send.id)
      .orderBy('link_index')
      .execute(),
    db
      .selectFrom('tracking_events')
      .select(['recipient', 'kind', 'classification', 'reason', 'link_index', 'at'])
      .where('send_id', '=', send.id)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .execute(),
  ]);
  const urlOf = new Map(links.map((l) => [l.link_index, l.url]));
  const recipients = recipientListOf(send.recipients).map((address): RecipientEngagement => {
    const own = events.filter((e) => e.recipient === address);
    const count = (kind: TrackingEventKind, human: boolean) =>
      own.filter((e) => e.kind === kind && (e.classification === 'human') === human).length;
    return {
      address,
      opens: count('open', true),
      clicks: count('click', true),
      otherOpens: count('open', false),
      otherClicks: count('click', false),
      events: own.map((e) => ({
        kind: e.kind,
        classification: e.classification,
        reason: e.reason,
        linkIndex: e.link_index,
        url: e.link_index === null ? null : (urlOf.get(e.link_index) ?? null),
        at: e.at,
      })),
    };
  });
  return {
    tracked: true,
    sentAt: send.created_at,
    links: links.map((l) => ({ index: l.link_index, url: l.url })),
    recipients,
  };
}
