import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import type { Dialect } from '../../db/index.ts';

/**
 * A condition on `messages.id` for a user's free-text query: every word must
 * match (as a prefix) in subject, participants or body. Input is quoted, never
 * interpreted as query syntax. Returns null for a query with no words.
 */
export function searchCondition(dialect: Dialect, query: string): RawBuilder<boolean> | null {
  const words = query.split(/\s+/).map((w) => w.replace(/["'()*:^\\&|!<>]/g, '')).filter((w) => w.length > 0);
  if (words.length === 0) return null;
  if (dialect === 'sqlite') {
    const match = words.map((w) => `"${w}"*`).join(' ');
    return sql<boolean>`messages.id in (select rowid from messages_fts where messages_fts match ${match})`;
  }
  return sql<boolean>`messages.search @@ to_tsquery('simple', ${words.map((w) => `'${w}':*`).join(' & ')})`;
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
    await sql`insert into messages_fts (rowid, subject, participants, body) values (${id}, ${text.subject}, ${text.participants}, ${body})`.execute(executor);
    return;
  }
  await sql`update messages set search =
      setweight(to_tsvector('simple', ${text.subject}), 'A') ||
      setweight(to_tsvector('simple', ${text.participants}), 'B') ||
      to_tsvector('simple', ${body})
    where id = ${id}`.execute(executor);
}

export async function unindexMessages(executor: Parameters<RawBuilder<unknown>['execute']>[0], dialect: Dialect, ids: number[]): Promise<void> {
  if (dialect !== 'sqlite' || ids.length === 0) return;
  await sql`delete from messages_fts where rowid in (${sql.join(ids)})`.execute(executor);
}
