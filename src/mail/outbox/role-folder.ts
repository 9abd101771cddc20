import type { MailboxObject } from 'imapflow';
import { classifyImapError } from '../imap/index.ts';
import type { MailboxRun } from '../run/index.ts';
import { PermanentOpFailure } from './permanent-failure.ts';

export type RoleFolder = '\\Drafts' | '\\Sent';

/** The name a folder gets when Tandem has to create it and knows of none. */
const DEFAULT_PATH: Record<RoleFolder, string> = { '\\Drafts': 'Drafts', '\\Sent': 'Sent' };

/** Where the mailbox keeps drafts or sent mail; null when no folder has the role (any more). */
export async function roleFolderPath(run: MailboxRun, role: RoleFolder): Promise<string | null> {
  const row = await run.db
    .selectFrom('folders')
    .select('path')
    .where('mailbox_id', '=', run.mailbox.id)
    .where('special_use', '=', role)
    .orderBy('id')
    .executeTakeFirst();
  return row?.path ?? null;
}

/**
 * Selects the folder for a draft or a Sent copy (`path`, else the folder with
 * the role, else its usual name). A folder deleted on the server meanwhile is
 * created again, as mail apps do, and synced from then on: what Tandem holds is
 * never lost for want of a place to put it.
 */
export async function openRoleFolder(
  run: MailboxRun,
  role: RoleFolder,
  path: string | null,
  readOnly: boolean,
): Promise<MailboxObject> {
  const target = path ?? (await roleFolderPath(run, role)) ?? DEFAULT_PATH[role];
  const client = run.client;
  // A read-write selection serves a read-only need too.
  if (client.mailbox && client.mailbox.path === target && (readOnly || !client.mailbox.readOnly)) return client.mailbox;
  try {
    return await client.mailboxOpen(target, { readOnly });
  } catch (error) {
    if (!classifyImapError(error).refusedByServer) throw error;
  }
  try {
    await client.mailboxCreate(target);
  } catch (error) {
    throw new PermanentOpFailure(
      `The folder ${target} is gone from the server and could not be created again: ${(error as Error).message}`,
    );
  }
  await adoptFolder(run, role, target);
  return client.mailboxOpen(target, { readOnly });
}

/** The re-created folder is synced (and has the role, unless another folder has it by now). */
async function adoptFolder(run: MailboxRun, role: RoleFolder, path: string): Promise<void> {
  const specialUse = (await roleFolderPath(run, role)) === null ? role : null;
  const now = Date.now();
  await run.write(async (trx) => {
    await trx
      .insertInto('folders')
      .values({
        mailbox_id: run.mailbox.id,
        path,
        delimiter: null,
        special_use: specialUse,
        enabled: 1,
        enabled_at: now,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['mailbox_id', 'path']).doUpdateSet({ enabled: 1, enabled_at: now }))
      .execute();
  });
}
