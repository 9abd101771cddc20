import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import type { Dialect } from '../../db/index.ts';

/** A user's free-text query as words, each stripped of query syntax; empty for a query with no words. */
function searchWords(query: string): string[] {
  return query
    .split(/\s+/)
    .map((w) => w.replace(/["'()*:^\\&|!<>]/g, ''))
    .filter((w) => w.length > 0);
}

function ftsMatch(words: string[]): string {
  return words.map((w) => `"${w}"*`).join(' ');
}

/**
 * A condition on `messages.id` for a user's free-text query: every word must
 * match (as a prefix) in subject, participants or body. Input is quoted, never
 * interpreted as query syntax. Returns null for a query with no words.
 */
export function searchCondition(dialect: Dialect, query: string): RawBuilder<boolean> | null {
  const words = searchWords(query);
  if (words.length === 0) return null;
  if (dialect === 'sqlite')
    return sql<boolean>`messages.id in (select rowid from messages_fts where messages_fts match ${ftsMatch(words)})`;
  return sql<boolean>`messages.search @@ to_tsquery('simple', ${words.map(tsTerm).join(' & ')})`;
}

/**
 * One word as a PostgreSQL prefix term. The parser keeps "invoice-2024.xlsx" or
 * an address whole in the index but splits a typed "invoice-2024" oddly, so a
 * word with punctuation also matches as all of its letters-and-digits parts.
 */
function tsTerm(word: string): string {
  const parts = word.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const whole = `'${word}':*`;
  if (parts.length === 0 || (parts.length === 1 && parts[0] === word)) return whole;
  return `(${whole} | ${parts.map((p) => `'${p}':*`).join(' & ')})`;
}

/** Up to this many matches, a search starts from them instead of walking the folder newest first. */
export const FEW_MATCHES = 2000;

/**
 * SQLite: the ids of the messages matching the query when they are few, else
 * null. Walking a folder newest first until a page is full is fast for common
 * words but reads the whole folder for a rare one; the few matches are
 * cheaper to look up and sort. (PostgreSQL plans this by itself.)
 */
export async function fewMatches(
  executor: Parameters<RawBuilder<unknown>['execute']>[0],
  dialect: Dialect,
  query: string,
): Promise<number[] | null> {
  const words = searchWords(query);
  if (dialect !== 'sqlite' || words.length === 0) return null;
  const { rows } = await sql<{
    id: number;
  }>`select rowid as id from messages_fts where messages_fts match ${ftsMatch(words)} limit ${FEW_MATCHES + 1}`.execute(
    executor,
  );
  return rows.length > FEW_MATCHES ? null : rows.map((r) => r.id);
}

export interface SearchText {
  subject: string;
  participants: string;
  body: string;
}

/** Indexes (or re-indexes) one message. */
export async function indexMessage(
  executor: Parameters<RawBuilder<unknown>['execute']>[0],
  dialect: Dialect,
  id: number,
  text: SearchText,
): Promise<void> {
  const body = text.body.slice(0, 200_000);
  if (dialect === 'sqlite') {
    await sql`insert into messages_fts (rowid, subject, participants, body) values (${id}, ${text.subject}, ${text.participants}, ${body})`.execute(
      executor,
    );
    return;
  }
  await sql`update messages set search =
      setweight(to_tsvector('simple', ${text.subject}), 'A') ||
      setweight(to_tsvector('simple', ${text.participants}), 'B') ||
      to_tsvector('simple', ${body})
    where id = ${id}`.execute(executor);
}

export async function unindexMessages(
  executor: Parameters<RawBuilder<unknown>['execute']>[0],
  dialect: Dialect,
  ids: number[],
): Promise<void> {
  if (dialect !== 'sqlite' || ids.length === 0) return;
  await sql`delete from messages_fts where rowid in (${sql.join(ids)})`.execute(executor);
}
