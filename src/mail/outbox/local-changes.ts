import type { Kysely } from 'kysely';
import { messageNotFound, ownedLocation } from '../../access/index.ts';
import type { OwnedLocation } from '../../access/index.ts';
import type { Database } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import { countStored, flagColumns, removeLocations } from '../messages/write.ts';
import { presetById } from '../providers/index.ts';
import { enqueueOp } from './ops.ts';

type Location = OwnedLocation;

export interface MessageChange {
  seen?: boolean | undefined;
  flagged?: boolean | undefined;
  /** Path of the folder to move the message to. */
  folder?: string | undefined;
}

/** The message's location to change: in the user's own mailbox, else not_found; a move still in flight waits. */
async function locationToChange(db: Kysely<Database>, ownerId: string, messageId: number): Promise<Location> {
  const location = await ownedLocation(db, ownerId, messageId);
  if (!location) throw messageNotFound();
  if (location.uid < 0)
    throw new TandemError('conflict', 'The message is still being moved on the server; try again in a moment');
  return location;
}

/**
 * Applies a change locally at once and records the op that makes it on the
 * server, in one transaction: the change can never be lost or made twice.
 */
export async function changeMessage(
  db: Kysely<Database>,
  ownerId: string,
  messageId: number,
  change: MessageChange,
): Promise<string> {
  return db.transaction().execute((trx) => changeMessageIn(trx, ownerId, messageId, change));
}

async function changeMessageIn(
  trx: Kysely<Database>,
  ownerId: string,
  messageId: number,
  change: MessageChange,
): Promise<string> {
  const location = await locationToChange(trx, ownerId, messageId);
  const flags = new Set(JSON.parse(location.flags) as string[]);
  const add: string[] = [];
  const remove: string[] = [];
  for (const [flag, wanted] of [
    ['\\Seen', change.seen],
    ['\\Flagged', change.flagged],
  ] as const) {
    if (wanted === undefined || wanted === flags.has(flag)) continue;
    (wanted ? add : remove).push(flag);
    if (wanted) flags.add(flag);
    else flags.delete(flag);
  }
  const place = { path: location.path, uidValidity: location.uid_validity, uid: location.uid };
  if (add.length > 0 || remove.length > 0) {
    await trx.updateTable('message_locations').set(flagColumns(flags)).where('id', '=', location.id).execute();
    await enqueueOp(trx, {
      mailboxId: location.mailbox_id,
      messageId,
      locationId: location.id,
      kind: 'flags',
      payload: { ...place, add, remove },
    });
  }
  if (change.folder !== undefined && change.folder !== location.path) await moveLocation(trx, location, change.folder);
  return location.mailbox_id;
}

/**
 * Deletes as a mail app does: to Trash, or for good when already in Trash or
 * `permanent` (expunging only this message's UID on the server). Where
 * expunging outside Trash only removes a label (Gmail), a permanent delete
 * moves to Trash instead: the message would otherwise live on in All Mail.
 */
export async function deleteMessage(
  db: Kysely<Database>,
  ownerId: string,
  messageId: number,
  permanent: boolean,
): Promise<string> {
  return db.transaction().execute((trx) => deleteMessageIn(trx, ownerId, messageId, permanent));
}

async function deleteMessageIn(
  trx: Kysely<Database>,
  ownerId: string,
  messageId: number,
  permanent: boolean,
): Promise<string> {
  const location = await locationToChange(trx, ownerId, messageId);
  const trash = await trx
    .selectFrom('folders')
    .select(['path'])
    .where('mailbox_id', '=', location.mailbox_id)
    .where('special_use', '=', '\\Trash')
    .executeTakeFirst();
  const mailbox = await trx
    .selectFrom('mailboxes')
    .select('provider_id')
    .where('id', '=', location.mailbox_id)
    .executeTakeFirstOrThrow();
  const labelsOnly = !!trash && !!presetById(mailbox.provider_id ?? '')?.behaviour.deleteMovesToTrash;
  if ((permanent && !labelsOnly) || location.path === trash?.path) {
    await removeLocations(trx, location.folder_id, [location.uid]);
    await recount(trx, location.folder_id, -1);
    await enqueueOp(trx, {
      mailboxId: location.mailbox_id,
      messageId,
      locationId: null,
      kind: 'expunge',
      payload: { path: location.path, uidValidity: location.uid_validity, uid: location.uid },
    });
    return location.mailbox_id;
  }
  if (!trash)
    throw new TandemError('conflict', 'This mailbox has no Trash folder: delete permanently instead (?permanent=true)');
  await moveLocation(trx, location, trash.path);
  return location.mailbox_id;
}

/**
 * The same change made to several messages in one transaction: all are changed, or
 * none (one not found or still being moved fails the whole). `delete` deletes as
 * deleteMessage does, never permanently outside Trash. Returns the mailboxes touched.
 */
export async function changeMessages(
  db: Kysely<Database>,
  ownerId: string,
  messageIds: number[],
  change: MessageChange & { delete?: boolean | undefined },
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const mailboxIds = new Set<string>();
    for (const messageId of new Set(messageIds))
      mailboxIds.add(
        change.delete
          ? await deleteMessageIn(trx, ownerId, messageId, false)
          : await changeMessageIn(trx, ownerId, messageId, change),
      );
    return [...mailboxIds];
  });
}

/**
 * Moves the location to the target folder at once. Until the server answers
 * with the new UID it carries a placeholder (the negative op id); a target
 * that is not synced takes the message out of Tandem's view.
 */
async function moveLocation(trx: Kysely<Database>, location: Location, toPath: string): Promise<void> {
  const target = await trx
    .selectFrom('folders')
    .selectAll()
    .where('mailbox_id', '=', location.mailbox_id)
    .where('path', '=', toPath)
    .executeTakeFirst();
  if (!target) throw new TandemError('validation_failed', `No folder ${toPath} in this mailbox`);
  const synced = target.enabled === 1 && target.uid_validity !== null;
  const opId = await enqueueOp(trx, {
    mailboxId: location.mailbox_id,
    messageId: location.message_id,
    locationId: synced ? location.id : null,
    kind: 'move',
    payload: { path: location.path, uidValidity: location.uid_validity, uid: location.uid, toPath },
  });
  if (synced) {
    await trx
      .updateTable('message_locations')
      .set({ folder_id: target.id, uid_validity: target.uid_validity ?? 0, uid: -opId })
      .where('id', '=', location.id)
      .execute();
  } else {
    await removeLocations(trx, location.folder_id, [location.uid]);
  }
  await recount(trx, location.folder_id, -1);
  if (synced) await recount(trx, target.id, 1);
}

/**
 * The folder's counts follow a message moved or deleted here at once, as they
 * will on the server: the folder sync only recounts when the server reports a
 * change, and this one it will never report (the location is already gone).
 */
async function recount(trx: Kysely<Database>, folderId: number, serverDelta: number): Promise<void> {
  const folder = await trx
    .selectFrom('folders')
    .select('server_total')
    .where('id', '=', folderId)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('folders')
    .set({
      synced_count: await countStored(trx, folderId),
      server_total: Math.max(0, folder.server_total + serverDelta),
    })
    .where('id', '=', folderId)
    .execute();
}
