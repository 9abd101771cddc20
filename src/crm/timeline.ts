import type { Kysely } from 'kysely';
import type { Database, RecordKind } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import { messageSummaries } from '../mail/messages/index.ts';
import type { MessageSummary } from '../mail/messages/index.ts';
import { mailboxOf, messageVisibleTo } from '../access/index.ts';
import type { Viewer } from '../access/index.ts';
import { visibleRecord } from './records/records.ts';

/**
 * A record's email history, newest first, in the shape of GET /messages
 * (threadId groups it into threads). Private emails of other users' mailboxes
 * are left out, as everywhere; an email held by several mailboxes shows once.
 */
export async function recordEmails(
  db: Kysely<Database>,
  viewer: Viewer,
  kind: RecordKind,
  recordId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: MessageSummary[]; nextCursor: string | null }> {
  await visibleRecord(db, viewer, kind, recordId);
  // The copies of one email (same Message-ID) in several mailboxes — a member's
  // own and the group's, say — are one email here: the viewer's own copy when
  // they have one, else the oldest they may see. Only visible copies compete,
  // so the choice never reveals one they may not read.
  const copies = db
    .selectFrom('email_links')
    .innerJoin('messages', 'messages.id', 'email_links.message_id')
    .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
    .select(['messages.id', 'messages.date', 'messages.message_id'])
    .select((eb) =>
      eb.fn
        .agg<number>('row_number')
        .over((over) =>
          over
            .partitionBy('messages.message_id')
            .orderBy(eb.case().when(mailboxOf(viewer.id)(eb)).then(0).else(1).end())
            .orderBy('messages.id'),
        )
        .as('copy'),
    )
    .where('email_links.record_id', '=', recordId)
    .where('email_links.state', '=', 'linked')
    .where(messageVisibleTo(viewer))
    .as('copies');
  let select = db
    .selectFrom(copies)
    .select(['copies.id', 'copies.date'])
    .where((eb) => eb.or([eb('copies.copy', '=', 1), eb('copies.message_id', 'is', null)]));
  if (page.cursor !== undefined) {
    const { date, id } = decodeCursor(page.cursor);
    select = select.where((eb) => eb(eb.refTuple('copies.date', 'copies.id'), '<', eb.tuple(date, id)));
  }
  const rows = await select
    .orderBy('copies.date', 'desc')
    .orderBy('copies.id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const slice = rows.slice(0, page.limit);
  const last = slice.at(-1);
  const nextCursor =
    rows.length > page.limit && last ? Buffer.from(`${last.date}:${last.id}`).toString('base64url') : null;
  return {
    items: await messageSummaries(
      db,
      viewer,
      slice.map((r) => r.id),
    ),
    nextCursor,
  };
}

function decodeCursor(cursor: string): { date: number; id: number } {
  const match = /^(-?\d{1,16}):(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new TandemError('validation_failed', 'Invalid querystring: cursor: not a cursor from this API');
  return { date: Number(match[1]), id: Number(match[2]) };
}
