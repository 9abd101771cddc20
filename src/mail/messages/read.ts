import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { messageNotFound, messageVisibleTo, ownedMailboxIds, parseRowId, visibleMessage } from '../../access/index.ts';
import type { Viewer } from '../../access/index.ts';
import type { Database, Dialect } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import type { MailAddress } from '../mime/index.ts';
import { hasOperators, operatorConditions, parseSearch } from './search-operators.ts';
import { fewMatches, searchCondition } from './search-query.ts';
import { syncStates } from './sync-state.ts';
import { indexingProgress } from './body.ts';
import type { SyncState } from './sync-state.ts';

export { parseRowId } from '../../access/index.ts';

const SYNCED = { syncState: 'synced' as const, syncError: null };

// Read side of the message store. Who sees what is decided in src/access:
// lists and search cover the viewer's own mailboxes; one message by id (and
// its source and attachments) follows messageVisibleTo, and whatever is not
// visible is "not found", exactly like an id that does not exist.

export interface MessageSummary {
  /** messages.id as a string; one item per location, so an id can repeat across folders. */
  id: string;
  mailboxId: string;
  folder: string;
  uid: number;
  messageId: string | null;
  threadId: string;
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  /** ISO 8601. */
  date: string;
  flags: string[];
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
  private: boolean;
  snippet: string;
  hasAttachments: boolean;
  size: number;
  /** Whether the latest change made in Tandem has reached the mail server. */
  syncState: SyncState;
  syncError: string | null;
}

export interface AttachmentInfo {
  id: string;
  filename: string | null;
  contentType: string;
  size: number;
  inline: boolean;
  contentId: string | null;
}

export interface MessageDetail extends MessageSummary {
  folders: string[];
  text: string;
  html: string | null;
  headers: { messageId: string | null; inReplyTo: string | null; references: string[] } & Record<string, unknown>;
  attachments: AttachmentInfo[];
  problems: string[];
  /** CRM record links and comments: empty here, filled by the API from src/crm for the viewer. */
  links: Record<string, unknown>[];
  comments: Record<string, unknown>[];
}

export interface ListQuery {
  mailboxId?: string | undefined;
  /** Folder path, e.g. "INBOX". */
  folder?: string | undefined;
  q?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export const MAX_PAGE = 200;

/** One row per message location, with what a list item needs. */
function locations(db: Kysely<Database>) {
  return db
    .selectFrom('message_locations')
    .innerJoin('messages', 'messages.id', 'message_locations.message_id')
    .innerJoin('folders', 'folders.id', 'message_locations.folder_id')
    .innerJoin('mailboxes', 'mailboxes.id', 'message_locations.mailbox_id')
    .select([
      'messages.id as id',
      'message_locations.id as location_id',
      'message_locations.mailbox_id as mailbox_id',
      'folders.path as folder',
    ])
    .select([
      'message_locations.uid',
      'message_locations.flags',
      'message_locations.seen',
      'message_locations.flagged',
      'message_locations.date',
    ])
    .select([
      'messages.message_id',
      'messages.thread_id',
      'messages.subject',
      'messages.from_name',
      'messages.from_address',
    ])
    .select([
      'messages.to_json',
      'messages.cc_json',
      'messages.private',
      'messages.snippet',
      'messages.has_attachments',
      'messages.size',
    ])
    .where('messages.orphaned_at', 'is', null);
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof locations>['executeTakeFirstOrThrow']>>;

export interface MessageList {
  items: MessageSummary[];
  nextCursor: string | null;
  /** For a search: how many of the messages it could cover are indexed yet; null when all are. */
  indexing?: { done: number; total: number } | null;
}

/** A page of a folder or of a search; a search also says how far indexing has got in the mailboxes it covers. */
export async function listMessages(
  db: Kysely<Database>,
  dialect: Dialect,
  viewer: Viewer,
  query: ListQuery,
): Promise<MessageList> {
  const page = await listPage(db, dialect, viewer, query);
  if (query.q === undefined) return page;
  return { ...page, indexing: await indexingProgress(db, await ownedMailboxIds(db, viewer.id, query.mailboxId)) };
}

async function listPage(
  db: Kysely<Database>,
  dialect: Dialect,
  viewer: Viewer,
  query: ListQuery,
): Promise<MessageList> {
  const limit = Math.min(Math.max(Math.trunc(query.limit) || 50, 1), MAX_PAGE);
  // Resolve mailboxes and folders first, so the page query filters on indexed
  // location columns (mailbox_id|folder_id, date, id) rather than on joins.
  const boxes = await ownedMailboxIds(db, viewer.id, query.mailboxId);
  const empty = { items: [], nextCursor: null };
  if (boxes.length === 0) return empty;
  const search = query.q === undefined ? null : parseSearch(query.q);
  const words = search?.text ?? '';
  const matches = await fewMatches(db, dialect, words);
  if (matches !== null && matches.length === 0) return empty;
  // With few matches, the unary + keeps SQLite off the (mailbox|folder, date) indexes: it starts from the matches.
  const byMatch = (column: 'mailbox_id' | 'folder_id') =>
    matches === null ? (`message_locations.${column}` as const) : sql<string>`+message_locations.${sql.raw(column)}`;
  let select = locations(db).where(byMatch('mailbox_id'), 'in', boxes);
  if (query.folder !== undefined) {
    const folders = await db
      .selectFrom('folders')
      .select('id')
      .where('mailbox_id', 'in', boxes)
      .where('path', '=', query.folder)
      .execute();
    if (folders.length === 0) return empty;
    select = select.where(
      byMatch('folder_id'),
      'in',
      folders.map((f) => f.id),
    );
  }
  if (matches !== null) select = select.where('message_locations.message_id', 'in', matches);
  else {
    const fullText = searchCondition(dialect, words);
    if (fullText) select = select.where(fullText);
  }
  if (search && hasOperators(search)) select = select.where((eb) => eb.and(operatorConditions(eb, search)));
  if (query.cursor !== undefined) {
    const { date, locationId } = decodeCursor(query.cursor);
    // A row-value comparison: both stores turn it into an index range, so deep pages stay cheap.
    select = select.where((eb) =>
      eb(eb.refTuple('message_locations.date', 'message_locations.id'), '<', eb.tuple(date, locationId)),
    );
  }
  const rows = await select
    .orderBy('message_locations.date', 'desc')
    .orderBy('message_locations.id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(last.date, last.location_id) : null;
  const states = await syncStates(
    db,
    page.map((r) => r.id),
  );
  return { items: page.map((row) => ({ ...toSummary(row), ...(states.get(row.id) ?? SYNCED) })), nextCursor };
}

export async function getMessage(db: Kysely<Database>, viewer: Viewer, id: string): Promise<MessageDetail> {
  const rowId = parseRowId(id);
  if (rowId === null) throw messageNotFound();
  const rows = await locations(db)
    .select(['messages.body_text', 'messages.body_html', 'messages.headers_json', 'messages.problems_json'])
    .select(['messages.in_reply_to', 'messages.references'])
    .where('messages.id', '=', rowId)
    .where(messageVisibleTo(viewer))
    .orderBy('message_locations.id')
    .execute();
  const first = rows[0];
  if (!first) throw messageNotFound();
  const attachments = await db
    .selectFrom('attachments')
    .select(['id', 'filename', 'content_type', 'size', 'inline', 'content_id'])
    .where('message_id', '=', rowId)
    .orderBy('id')
    .execute();
  const inline = new Map<string, number>();
  for (const a of attachments) if (a.inline === 1 && a.content_id) inline.set(a.content_id.toLowerCase(), a.id);
  const state = (await syncStates(db, [first.id])).get(first.id) ?? SYNCED;
  return {
    ...toSummary(first),
    ...state,
    folders: [...new Set(rows.map((r) => r.folder))],
    text: first.body_text,
    html: first.body_html === null ? null : rewriteCidSources(first.body_html, inline),
    headers: {
      ...jsonOr<Record<string, unknown>>(first.headers_json, {}),
      messageId: first.message_id,
      inReplyTo: first.in_reply_to,
      references: jsonOr<string[]>(first.references, []),
    },
    attachments: attachments.map((a) => ({
      id: String(a.id),
      filename: a.filename,
      contentType: a.content_type,
      size: a.size,
      inline: a.inline === 1,
      contentId: a.content_id,
    })),
    problems: jsonOr<string[]>(first.problems_json, []),
    links: [],
    comments: [],
  };
}

/** A conversation holds at most this many emails; a longer thread shows its newest. */
export const MAX_CONVERSATION = 100;

/**
 * The conversation a message belongs to: every email of its thread in the same
 * mailbox that the viewer may see, oldest first (each once, whatever its folders).
 */
export async function getConversation(db: Kysely<Database>, viewer: Viewer, id: string): Promise<MessageDetail[]> {
  const visible = await visibleMessage(db, viewer, id);
  const { thread_id } = await db
    .selectFrom('messages')
    .select('thread_id')
    .where('id', '=', visible.id)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('messages')
    .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
    .select(['messages.id', 'messages.date'])
    .where('messages.mailbox_id', '=', visible.mailboxId)
    .where('messages.thread_id', '=', thread_id)
    .where(messageVisibleTo(viewer))
    .where((eb) =>
      eb.exists(eb.selectFrom('message_locations').select('id').whereRef('message_id', '=', 'messages.id')),
    )
    .orderBy('messages.date', 'desc')
    .orderBy('messages.id', 'desc')
    .limit(MAX_CONVERSATION)
    .execute();
  const newestFirst = await Promise.all(rows.map((r) => getMessage(db, viewer, String(r.id))));
  return newestFirst.reverse();
}

/** List items for the given messages the viewer may see (each at its first location), in the order given. */
export async function messageSummaries(db: Kysely<Database>, viewer: Viewer, ids: number[]): Promise<MessageSummary[]> {
  if (ids.length === 0) return [];
  const rows = await locations(db)
    .where('messages.id', 'in', ids)
    .where(messageVisibleTo(viewer))
    .orderBy('message_locations.id')
    .execute();
  const first = new Map<number, SummaryRow>();
  for (const row of rows) if (!first.has(row.id)) first.set(row.id, row);
  const states = await syncStates(db, [...first.keys()]);
  return ids.flatMap((id) => {
    const row = first.get(id);
    return row ? [{ ...toSummary(row), ...(states.get(id) ?? SYNCED) }] : [];
  });
}

/** The blob key of a visible message's raw source; `withBcc` only for the viewer's own mailboxes. */
export async function getRawMessage(
  db: Kysely<Database>,
  viewer: Viewer,
  id: string,
): Promise<{ id: string; blobKey: string; withBcc: boolean }> {
  const visible = await visibleMessage(db, viewer, id);
  const row = await db.selectFrom('messages').select('raw_blob').where('id', '=', visible.id).executeTakeFirstOrThrow();
  return { id: String(visible.id), blobKey: row.raw_blob, withBcc: visible.own };
}

export interface AttachmentBlob {
  id: string;
  blobKey: string;
  filename: string | null;
  contentType: string;
  size: number;
}

/** An attachment of a visible message: its blob key and how to label the bytes. */
export async function getAttachment(db: Kysely<Database>, viewer: Viewer, id: string): Promise<AttachmentBlob> {
  const rowId = parseRowId(id);
  if (rowId === null) throw notFound('No such attachment');
  const row = await db
    .selectFrom('messages')
    .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
    .innerJoin('attachments', 'attachments.message_id', 'messages.id')
    .select(['attachments.blob_key', 'attachments.filename', 'attachments.content_type', 'attachments.size'])
    .where('attachments.id', '=', rowId)
    .where(messageVisibleTo(viewer))
    .executeTakeFirst();
  if (!row) throw notFound('No such attachment');
  return {
    id: String(rowId),
    blobKey: row.blob_key,
    filename: row.filename,
    contentType: row.content_type,
    size: row.size,
  };
}

function toSummary(row: SummaryRow): Omit<MessageSummary, 'syncState' | 'syncError'> {
  const flags = jsonOr<string[]>(row.flags, []);
  return {
    id: String(row.id),
    mailboxId: row.mailbox_id,
    folder: row.folder,
    uid: row.uid,
    messageId: row.message_id,
    threadId: row.thread_id,
    subject: row.subject,
    from: row.from_address || row.from_name ? { name: row.from_name ?? '', address: row.from_address ?? '' } : null,
    to: jsonOr<MailAddress[]>(row.to_json, []),
    cc: jsonOr<MailAddress[]>(row.cc_json, []),
    date: isoDate(row.date),
    flags,
    seen: row.seen === 1,
    flagged: row.flagged === 1,
    answered: flags.includes('\\Answered'),
    draft: flags.includes('\\Draft'),
    private: row.private === 1,
    snippet: row.snippet,
    hasAttachments: row.has_attachments === 1,
    size: row.size,
  };
}

/** Dates far outside what toISOString handles fall back to the epoch rather than failing the page. */
function isoDate(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

/** Opaque to clients: base64url of "date:locationId" of the last item. */
function encodeCursor(date: number, locationId: number): string {
  return Buffer.from(`${date}:${locationId}`).toString('base64url');
}

function decodeCursor(cursor: string): { date: number; locationId: number } {
  const match = /^(-?\d{1,16}):(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new TandemError('validation_failed', 'Invalid querystring: cursor: not a cursor from this API');
  return { date: Number(match[1]), locationId: Number(match[2]) };
}

/**
 * Points `<img src="cid:…">` at the attachment download. The HTML is sanitized
 * (attributes double-quoted, `&` escaped), and cid values compare
 * case-insensitively after %-decoding (RFC 2392).
 */
export function rewriteCidSources(html: string, inline: ReadonlyMap<string, number>): string {
  if (inline.size === 0) return html;
  return html.replace(/\bsrc="cid:([^"]*)"/gi, (whole, ref: string) => {
    let key = ref.replace(/&amp;/g, '&');
    try {
      key = decodeURIComponent(key);
    } catch {
      // not %-encoded: compare as written
    }
    const id = inline.get(key.trim().toLowerCase());
    return id === undefined ? whole : `src="/api/v1/attachments/${id}"`;
  });
}

function jsonOr<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function notFound(message: string): TandemError {
  return new TandemError('not_found', message);
}
