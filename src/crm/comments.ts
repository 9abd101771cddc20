import type { Kysely } from 'kysely';
import { notify } from './notifications.ts';
import type { Database } from '../db/index.ts';
import { visibleMessage } from '../access/index.ts';
import type { Viewer } from '../access/index.ts';

export interface CommentView {
  id: string;
  author: { id: string; name: string; email: string };
  body: string;
  mentions: { id: string; name: string; email: string }[];
  createdAt: string;
}

/** "@ann@example.test" in a comment mentions the user with that address. */
const MENTION = /(?:^|[\s(])@([^\s@(),;:<>]+@[^\s@(),;:<>]+[^\s@(),;:<>.])/g;

/** Mentioned addresses, lowercase, in order of first appearance. */
export function mentionedAddresses(body: string): string[] {
  return [...new Set([...body.matchAll(MENTION)].map((m) => (m[1] ?? '').toLowerCase()))];
}

/** Comments on an email the viewer may see, oldest first. They live in Tandem only, never on the mail server. */
export async function commentsOf(
  db: Kysely<Database>,
  viewer: Viewer,
  messageId: string | number,
): Promise<CommentView[]> {
  const id = typeof messageId === 'number' ? messageId : (await visibleMessage(db, viewer, messageId)).id;
  const rows = await db
    .selectFrom('comments')
    .innerJoin('users', 'users.id', 'comments.author_user_id')
    .select([
      'comments.id',
      'comments.body',
      'comments.mentions',
      'comments.created_at',
      'users.id as user_id',
      'users.name',
      'users.email',
    ])
    .where('comments.message_id', '=', id)
    .orderBy('comments.id')
    .execute();
  const mentionIds = [...new Set(rows.flatMap((r) => JSON.parse(r.mentions) as string[]))];
  const users =
    mentionIds.length === 0
      ? []
      : await db.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', mentionIds).execute();
  const byId = new Map(users.map((u) => [u.id, u]));
  return rows.map((r) => ({
    id: String(r.id),
    author: { id: r.user_id, name: r.name, email: r.email },
    body: r.body,
    mentions: (JSON.parse(r.mentions) as string[]).flatMap((u) => byId.get(u) ?? []),
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

export async function addComment(
  db: Kysely<Database>,
  viewer: Viewer,
  messageId: string,
  body: string,
): Promise<CommentView> {
  const id = (await visibleMessage(db, viewer, messageId)).id;
  const addresses = mentionedAddresses(body);
  // Only active users can be mentioned (a deactivated one would never see it).
  const mentioned =
    addresses.length === 0
      ? []
      : await db.selectFrom('users').select('id').where('email', 'in', addresses).where('active', '=', 1).execute();
  const { subject } = await db.selectFrom('messages').select('subject').where('id', '=', id).executeTakeFirstOrThrow();
  const author = await db
    .selectFrom('users')
    .select(['name', 'email'])
    .where('id', '=', viewer.id)
    .executeTakeFirstOrThrow();
  const { id: commentId } = await db
    .insertInto('comments')
    .values({
      message_id: id,
      author_user_id: viewer.id,
      body,
      mentions: JSON.stringify(mentioned.map((u) => u.id)),
      created_at: Date.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Each one mentioned is told, if they can see the email.
  for (const user of mentioned.filter((u) => u.id !== viewer.id))
    await notify(db, {
      userId: user.id,
      kind: 'mention',
      summary: `${author.name || author.email} mentioned you on “${subject || '(no subject)'}”`,
      messageId: id,
      actorUserId: viewer.id,
    });
  const all = await commentsOf(db, viewer, id);
  return all.find((c) => c.id === String(commentId)) as CommentView;
}
