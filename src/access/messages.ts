import { sql } from 'kysely';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { Database, MessageLocationsTable } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import { mailboxOf } from './mailboxes.ts';
import { recordVisibleTo } from './records.ts';
import type { Viewer } from './viewer.ts';

// Who reads which email (docs/access.md):
// - everything in the viewer's own mailboxes (mailboxOf), drafts, Trash and Bcc included;
// - another user's email only through a CRM record the viewer can see that it is
//   linked to, and only when it is not private and not in a Drafts or Trash folder;
//   such a reader never sees its Bcc recipients;
// - orphaned messages (in no folder) nobody.
// Whatever is not visible answers exactly like an id that does not exist.

/** Folders (and the folders nested in them) whose mail is never shown to other users, linked or not. */
const UNSHARED_ROLES = ['\\Drafts', '\\Trash'];

/** Serial ids are 32-bit on PostgreSQL; anything larger cannot exist. */
const MAX_ID = 2_147_483_647;

/** A numeric row id from a path parameter, or null (answered as not_found, never a 500). */
export function parseRowId(value: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(value)) return null;
  const id = Number(value);
  return id <= MAX_ID ? id : null;
}

/** The one answer for a message that is missing, orphaned or not the viewer's to see. */
export function messageNotFound(): TandemError {
  return new TandemError('not_found', 'No such message');
}

/** Another user's email a viewer sees through a record: linked to one they can see, not private, not a draft or in Trash. */
function sharedThroughRecord(viewer: Viewer) {
  return (eb: ExpressionBuilder<Database, 'messages' | 'mailboxes'>) =>
    eb.and([
      eb('messages.private', '=', 0),
      eb.not(
        eb.exists(
          eb
            .selectFrom('message_locations as hidden')
            .innerJoin('folders', 'folders.id', 'hidden.folder_id')
            .innerJoin('folders as role', 'role.mailbox_id', 'folders.mailbox_id')
            .select('hidden.id')
            .whereRef('hidden.message_id', '=', 'messages.id')
            .where('role.special_use', 'in', UNSHARED_ROLES)
            // The Drafts or Trash folder itself, or one nested inside it.
            .where((inner) =>
              inner.or([
                inner('folders.id', '=', inner.ref('role.id')),
                inner(
                  'folders.path',
                  'like',
                  sql<string>`${inner.ref('role.path')} || ${inner.ref('role.delimiter')} || '%'`,
                ),
              ]),
            ),
        ),
      ),
      eb.exists(
        eb
          .selectFrom('email_links')
          .innerJoin('records', 'records.id', 'email_links.record_id')
          .select('email_links.id')
          .whereRef('email_links.message_id', '=', 'messages.id')
          .where('email_links.state', '=', 'linked')
          .where(recordVisibleTo(viewer)),
      ),
    ]);
}

/** The visibility rule as a query condition, over `messages` joined with its `mailboxes` row. */
export function messageVisibleTo(viewer: Viewer) {
  return (eb: ExpressionBuilder<Database, 'messages' | 'mailboxes'>) =>
    eb.and([
      eb('messages.orphaned_at', 'is', null),
      eb.or([mailboxOf(viewer.id)(eb), sharedThroughRecord(viewer)(eb)]),
    ]);
}

export interface VisibleMessage {
  id: number;
  mailboxId: string;
  /** In one of the viewer's own mailboxes: they may change it and see its Bcc and mailroom log. */
  own: boolean;
}

/** A message the viewer may read, by its API id; not_found otherwise, one query either way. */
export async function visibleMessage(
  db: Kysely<Database>,
  viewer: Viewer,
  id: string | number,
): Promise<VisibleMessage> {
  const rowId = typeof id === 'number' ? id : parseRowId(id);
  if (rowId === null) throw messageNotFound();
  const row = await db
    .selectFrom('messages')
    .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
    .select(['messages.id', 'messages.mailbox_id', 'mailboxes.owner_user_id'])
    .select((eb) => mailboxOf(viewer.id)(eb).as('own'))
    .where('messages.id', '=', rowId)
    .where(messageVisibleTo(viewer))
    .executeTakeFirst();
  if (!row) throw messageNotFound();
  return { id: row.id, mailboxId: row.mailbox_id, own: Boolean(Number(row.own)) };
}

/** A message of one of the user's own mailboxes (to change it), or not_found. */
export async function ownedMessage(
  db: Kysely<Database>,
  userId: string,
  id: string | number,
): Promise<{ id: number; mailboxId: string }> {
  const rowId = typeof id === 'number' ? id : parseRowId(id);
  if (rowId === null) throw messageNotFound();
  const row = await db
    .selectFrom('messages')
    .innerJoin('mailboxes', 'mailboxes.id', 'messages.mailbox_id')
    .select(['messages.id', 'messages.mailbox_id'])
    .where('messages.id', '=', rowId)
    .where('messages.orphaned_at', 'is', null)
    .where(mailboxOf(userId))
    .executeTakeFirst();
  if (!row) throw messageNotFound();
  return { id: row.id, mailboxId: row.mailbox_id };
}

export type OwnedLocation = Selectable<MessageLocationsTable> & {
  path: string;
  specialUse: string | null;
  rawBlob: string;
  messageId: string | null;
};

/** The first location of a message in one of the user's own mailboxes, with its folder; undefined when there is none. */
export async function ownedLocation(
  db: Kysely<Database>,
  userId: string,
  messageId: number,
): Promise<OwnedLocation | undefined> {
  return db
    .selectFrom('message_locations')
    .innerJoin('folders', 'folders.id', 'message_locations.folder_id')
    .innerJoin('mailboxes', 'mailboxes.id', 'message_locations.mailbox_id')
    .innerJoin('messages', 'messages.id', 'message_locations.message_id')
    .selectAll('message_locations')
    .select([
      'folders.path',
      'folders.special_use as specialUse',
      'messages.raw_blob as rawBlob',
      'messages.message_id as messageId',
    ])
    .where('message_locations.message_id', '=', messageId)
    .where(mailboxOf(userId))
    .orderBy('message_locations.id')
    .executeTakeFirst();
}
