import type { Kysely } from 'kysely';
import type { Database, RecordKind } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import { messageSummaries } from '../mail/messages/index.ts';
import type { MessageSummary } from '../mail/messages/index.ts';
import { messageVisibleTo } from '../access/index.ts';
import type { Viewer } from '../access/index.ts';
import { visibleRecord } from './records/records.ts';

/**
 * A record's email history, newest first, in the shape of GET /messages
 * (threadId groups it into threads). Private emails of other users' mailboxes
 * are left out, as everywhere.
 */
export async function recordEmails(
  db: Kysely<Database>,
  viewer: Viewer,
  kind: RecordKind,
  recordId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: MessageSummary[]; nextCursor: string | null }> {
  await visibleRecord(db, viewer, kind, recordId);
  let select = db
    .selectFrom('email_links')
    .innerJoin('messages', 'messages.id', 'email_links.message_id')
    .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
    .select(['messages.id', 'messages.date'])
    .where('email_links.record_id', '=', recordId)
    .where('email_links.state', '=', 'linked')
    .where(messageVisibleTo(viewer));
  if (page.cursor !== undefined) {
    const { date, id } = decodeCursor(page.cursor);
    select = select.where((eb) => eb(eb.refTuple('messages.date', 'messages.id'), '<', eb.tuple(date, id)));
  }
  const rows = await select
    .orderBy('messages.date', 'desc')
    .orderBy('messages.id', 'desc')
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
