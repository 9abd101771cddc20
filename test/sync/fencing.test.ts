// A worker whose lease was taken over (its epoch bumped in the database, as a
// claim by another worker does) must not change anything: every kind of write
// the sync and the outbox make is refused with LeaseLost (docs/sync.md invariant 14).
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapSettingsOf, syncConnectOptions } from '../../src/mail/account/index.ts';
import { closeQuietly, connectImap } from '../../src/mail/imap/index.ts';
import { drainOutbox } from '../../src/mail/outbox/executor.ts';
import { LeaseLost, MailboxLease } from '../../src/mail/run/index.ts';
import type { MailboxRun } from '../../src/mail/run/index.ts';
import { syncFolderChanges } from '../../src/mail/sync/folder-sync.ts';
import { mailboxRun, tidyUp } from '../../src/mail/sync/mailbox-sync.ts';
import { createMailUser, deliver, mailServers, otherClient } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import { connectTestMailbox, rawMessage, startSyncApi, storedLocations, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

describe.each(await storeDialects())('a worker that lost its lease (%s)', (dialect) => {
  const servers = mailServers();
  let api: SyncTestApi;
  let run: MailboxRun;
  let client: ImapFlow;
  let inboxId: number;

  /** Everything the store holds for the mailbox that a sync write could change. */
  async function snapshot() {
    const db = api.context.store.db;
    return {
      locations: await storedLocations(api, run.mailbox.id),
      messages: await db
        .selectFrom('messages')
        .select(['id', 'orphaned_at'])
        .where('mailbox_id', '=', run.mailbox.id)
        .orderBy('id')
        .execute(),
      folders: await db
        .selectFrom('folders')
        .selectAll()
        .where('mailbox_id', '=', run.mailbox.id)
        .orderBy('id')
        .execute(),
      ops: await db
        .selectFrom('outbox_ops')
        .selectAll()
        .where('mailbox_id', '=', run.mailbox.id)
        .orderBy('id')
        .execute(),
    };
  }

  beforeAll(async () => {
    api = await startSyncApi(dialect);
    const user = await createMailUser(servers, 'fenced');
    await deliver(servers, user.username, rawMessage('First'));
    await deliver(servers, user.username, rawMessage('Second'));
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { folders: ['INBOX'] });
    await waitIdle(api, owner.auth, mailbox.id);
    await api.engine.stop(); // this test plays the worker from here on

    const { db } = api.context.store;
    const row = await db.selectFrom('mailboxes').selectAll().where('id', '=', mailbox.id).executeTakeFirstOrThrow();
    const lease = new MailboxLease(db, mailbox.id, 'paused-worker');
    expect(await lease.claim()).toBe(true);
    // Another worker takes the mailbox over while this one is paused.
    await db
      .updateTable('mailbox_leases')
      .set({ owner: 'next-worker', epoch: lease.epoch + 1 })
      .where('mailbox_id', '=', mailbox.id)
      .execute();

    client = await connectImap(
      imapSettingsOf(row, api.context.secrets, db, api.context.outbound),
      syncConnectOptions(row),
    );
    const { store, blobs, logger } = api.context;
    run = mailboxRun(
      { db: store.db, dialect: store.dialect, blobs, logger, hooks: { onStored: async () => {} } },
      row,
      client,
      lease,
    );
    inboxId = (
      await db
        .selectFrom('folders')
        .select('id')
        .where('mailbox_id', '=', mailbox.id)
        .where('path', '=', 'INBOX')
        .executeTakeFirstOrThrow()
    ).id;

    // What the paused worker would find to do: new mail, a flag changed in the mail app, an orphan past its grace time.
    await deliver(servers, user.username, rawMessage('Arrived while paused'));
    const other = await otherClient(servers, user);
    await other.mailboxOpen('INBOX');
    await other.messageFlagsAdd('1', ['\\Flagged'], { uid: true });
    await other.logout();
    const [first] = await storedLocations(api, mailbox.id);
    await db.updateTable('messages').set({ orphaned_at: 1 }).where('id', '=', first!.messageId).execute();
  });

  afterAll(async () => {
    if (client) await closeQuietly(client);
    await api?.close();
  });

  it('stores no new message, no flag change and moves no cursor', async () => {
    const before = await snapshot();
    await expect(syncFolderChanges(run, inboxId)).rejects.toBeInstanceOf(LeaseLost);
    expect(await snapshot()).toEqual(before);
  });

  it('purges no orphan and prunes no op', async () => {
    const before = await snapshot();
    await expect(tidyUp(run)).rejects.toBeInstanceOf(LeaseLost);
    expect(await snapshot()).toEqual(before);
  });

  it('neither finishes an op it carried out nor fails and reverts one', async () => {
    const { db } = api.context.store;
    const [location] = await db
      .selectFrom('message_locations')
      .select(['id', 'message_id', 'uid', 'uid_validity'])
      .where('folder_id', '=', inboxId)
      .orderBy('uid')
      .execute();
    const payload = (uidValidity: number) =>
      JSON.stringify({ path: 'INBOX', uidValidity, uid: location!.uid, add: ['\\Seen'], remove: [] });
    const now = Date.now();
    const op = {
      mailbox_id: run.mailbox.id,
      message_id: location!.message_id,
      location_id: location!.id,
      kind: 'flags' as const,
      state: 'pending' as const,
      attempts: 0,
      next_attempt_at: now,
      error: null,
      created_at: now,
      updated_at: now,
    };
    // One op the server accepts (its finish is refused), one it cannot apply (its failure and revert are refused).
    await db
      .insertInto('outbox_ops')
      .values({ ...op, payload: payload(location!.uid_validity) })
      .execute();
    const before = await snapshot();
    await expect(drainOutbox(run)).rejects.toBeInstanceOf(LeaseLost);
    expect(await snapshot()).toEqual(before);

    await db.deleteFrom('outbox_ops').where('mailbox_id', '=', run.mailbox.id).execute();
    await db
      .insertInto('outbox_ops')
      .values({ ...op, attempts: 5, payload: payload(location!.uid_validity + 1) })
      .execute();
    const beforeRevert = await snapshot();
    await expect(drainOutbox(run)).rejects.toBeInstanceOf(LeaseLost);
    expect(await snapshot()).toEqual(beforeRevert);
  });
});
