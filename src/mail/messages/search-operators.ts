import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';

/**
 * A search as people type it: free words (full text, see search-query.ts) and
 * operators as mail apps have them —
 *   from:ann  to:bob  subject:offer  filename:pdf  has:attachment
 *   is:unread  is:read  is:starred  before:2024-03-01  after:2024-01-31
 * A value may be quoted (`subject:"first offer"`). An unknown `word:` is a
 * free word. Every part must match.
 */
export interface ParsedSearch {
  /** The free words, joined again for the full-text index. */
  text: string;
  from: string[];
  to: string[];
  subject: string[];
  filename: string[];
  hasAttachment: boolean;
  unread: boolean | null;
  starred: boolean;
  /** Epoch ms: before the start of that day (UTC). */
  before: number | null;
  /** Epoch ms: from the start of the day after (UTC), as mail apps read "after". */
  after: number | null;
}

const TOKEN = /(-?)(\w+):(?:"([^"]*)"|(\S+))|"([^"]*)"|(\S+)/g;
const DAY = 24 * 3600 * 1000;

export function parseSearch(query: string): ParsedSearch {
  const parsed: ParsedSearch = {
    text: '',
    from: [],
    to: [],
    subject: [],
    filename: [],
    hasAttachment: false,
    unread: null,
    starred: false,
    before: null,
    after: null,
  };
  const words: string[] = [];
  for (const match of query.matchAll(TOKEN)) {
    const [whole, , key, quoted, bare, phrase, word] = match;
    if (key === undefined) {
      words.push(phrase ?? word ?? '');
      continue;
    }
    const value = (quoted ?? bare ?? '').trim();
    if (!applyOperator(parsed, key.toLowerCase(), value)) words.push(whole);
  }
  parsed.text = words.join(' ').trim();
  return parsed;
}

/** Whether `key:value` is an operator (and then it is applied). */
function applyOperator(parsed: ParsedSearch, key: string, value: string): boolean {
  const lower = value.toLowerCase();
  switch (key) {
    case 'from':
    case 'to':
    case 'subject':
    case 'filename':
      if (lower !== '') parsed[key].push(lower);
      return true;
    case 'has':
      if (lower !== 'attachment' && lower !== 'attachments') return false;
      parsed.hasAttachment = true;
      return true;
    case 'is':
      if (lower === 'unread' || lower === 'read') parsed.unread = lower === 'unread';
      else if (lower === 'starred' || lower === 'flagged') parsed.starred = true;
      else return false;
      return true;
    case 'before':
      parsed.before = day(value, key);
      return true;
    case 'after':
      parsed.after = day(value, key) + DAY;
      return true;
    default:
      return false;
  }
}

function day(value: string, key: string): number {
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(value);
  const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (Number.isNaN(time))
    throw new TandemError('validation_failed', `Invalid querystring: q: ${key}: takes a date as YYYY-MM-DD`);
  return time;
}

/** Whether the search has any operator besides its free words. */
export function hasOperators(search: ParsedSearch): boolean {
  const { from, to, subject, filename, hasAttachment, unread, starred, before, after } = search;
  return (
    from.length + to.length + subject.length + filename.length > 0 ||
    hasAttachment ||
    starred ||
    unread !== null ||
    before !== null ||
    after !== null
  );
}

type Scope = ExpressionBuilder<Database, 'messages' | 'message_locations'>;

/** `%text%` for LIKE, with LIKE's own wildcards taken literally. */
function contains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function like(column: Expression<string | null>, text: string) {
  return sql<SqlBool>`lower(${column}) like ${contains(text)} escape '\\'`;
}

/** The operators' conditions (free words aside), on a query over messages and their locations. */
export function operatorConditions(eb: Scope, search: ParsedSearch): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  for (const from of search.from)
    conditions.push(eb.or([like(eb.ref('messages.from_address'), from), like(eb.ref('messages.from_name'), from)]));
  for (const to of search.to)
    conditions.push(eb.or([like(eb.ref('messages.to_json'), to), like(eb.ref('messages.cc_json'), to)]));
  for (const subject of search.subject) conditions.push(like(eb.ref('messages.subject'), subject));
  for (const name of search.filename)
    conditions.push(
      eb.exists(
        eb
          .selectFrom('attachments')
          .select('attachments.id')
          .whereRef('attachments.message_id', '=', 'messages.id')
          .where((inner) => like(inner.ref('attachments.filename'), name)),
      ),
    );
  if (search.hasAttachment) conditions.push(eb('messages.has_attachments', '=', 1));
  if (search.unread !== null) conditions.push(eb('message_locations.seen', '=', search.unread ? 0 : 1));
  if (search.starred) conditions.push(eb('message_locations.flagged', '=', 1));
  if (search.before !== null) conditions.push(eb('message_locations.date', '<', search.before));
  if (search.after !== null) conditions.push(eb('message_locations.date', '>=', search.after));
  return conditions;
}
