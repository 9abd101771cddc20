import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, utimes } from 'node:fs/promises';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectBlobs } from '../../src/context/index.ts';
import { createDraft, deleteDraft, updateDraft } from '../../src/mail/drafts/index.ts';
import { addLocation, purgeOrphans, upsertMessage } from '../../src/mail/messages/index.ts';
import { prepareMessage } from '../../src/mail/sync/prepare.ts';
import { createUser } from '../../src/users/index.ts';
import { createWorkflow, deleteWorkflow } from '../../src/workflows/index.ts';
import { runTandem } from '../support/cli.ts';
import { openTestContext, storeDialects } from '../support/stores.ts';
import type { TestContext } from '../support/stores.ts';
import { rawEmail } from '../crm/support.ts';

const HOUR = 3600 * 1000;

for (const dialect of await storeDialects()) {
  describe(`blob collection (${dialect})`, () => {
    let context: TestContext;
    let ownerId: string;
    let mailboxId: string;

    beforeEach(async () => {
      context = await openTestContext(dialect);
      ownerId = (await createUser(context.store.db, { email: 'ann@example.test', password: 'correct horse' })).id;
      mailboxId = await insertMailbox(context, ownerId);
    });
    afterEach(() => context.dispose());

    /** Every blob file on disk, by key. */
    const blobsOnDisk = async (): Promise<Set<string>> => {
      const entries = await readdir(context.blobs.root, { recursive: true, withFileTypes: true });
      return new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    };
    /** Makes every blob file look written `ms` ago (the grace period is judged by mtime). */
    const ageAll = async (ms: number) => {
      const then = new Date(Date.now() - ms);
      for (const key of await blobsOnDisk()) await utimes(context.blobs.pathOf(key), then, then);
    };
    const draftBlob = async (id: string) =>
      (await context.store.db.selectFrom('drafts').select('raw_blob').where('id', '=', id).executeTakeFirstOrThrow())
        .raw_blob;

    it('deletes exactly the old blobs nothing references: replaced draft versions, a deleted draft, a purged message', async () => {
      const draft = await createDraft(context, ownerId, mailboxId, { to: [], subject: 'v1', text: 'one' });
      const v1 = await draftBlob(draft.id);
      await updateDraft(context, ownerId, draft.id, { to: [], subject: 'v2', text: 'two' });
      const v2 = await draftBlob(draft.id);
      await updateDraft(context, ownerId, draft.id, { to: [], subject: 'v3', text: 'three' });
      const live = await draftBlob(draft.id);
      const gone = await createDraft(context, ownerId, mailboxId, { to: [], subject: 'bin me', text: 'x' });
      const goneBlob = await draftBlob(gone.id);
      await deleteDraft(context, ownerId, gone.id);

      const folderId = await insertFolder(context, mailboxId);
      const purged = await storeMessage(
        context,
        folderId,
        rawEmail({ from: 'a@x.test', subject: 'purged', attachment: true }),
      );
      const kept = await storeMessage(
        context,
        folderId,
        rawEmail({ from: 'b@x.test', subject: 'kept', attachment: true }),
      );
      await context.store.db.updateTable('messages').set({ orphaned_at: 1 }).where('id', '=', purged.id).execute();
      await context.store.db
        .transaction()
        .execute((trx) => purgeOrphans(trx, context.store.dialect, mailboxId, Date.now()));

      // Both carry the same attachment: stored once, and kept while the other message references it.
      expect(purged.keys[1]).toBe(kept.keys[1]);
      const garbage = new Set([v1, v2, goneBlob, purged.keys[0]]);
      expect(garbage.size).toBe(4);
      const referenced = new Set([live, ...kept.keys]);
      await ageAll(2 * HOUR);
      const fresh = await context.blobs.put(randomBytes(64)); // written, its row not yet committed
      const before = await blobsOnDisk();

      const dry = await collectBlobs(context, { dryRun: true });
      expect(dry).toMatchObject({ skipped: false, deleted: garbage.size });
      expect(await blobsOnDisk()).toEqual(before);

      const result = await collectBlobs(context);
      expect(result).toMatchObject({ skipped: false, deleted: garbage.size, kept: before.size - garbage.size });
      if (result.skipped) throw new Error('not collected');
      expect(result.deletedBytes).toBeGreaterThan(0);
      const after = await blobsOnDisk();
      expect([...before].filter((key) => !after.has(key)).sort()).toEqual([...garbage].sort());
      for (const key of [...referenced, fresh]) expect(after.has(key)).toBe(true);
    });

    it('keeps an old blob that a writer has just stored again, before its row is committed', async () => {
      const content = randomBytes(64);
      const key = await context.blobs.put(content);
      const other = context.blobs.putSync(randomBytes(64));
      await ageAll(2 * HOUR);
      // The sync found the same bytes again (or a draft went back to an earlier text): the file is already there.
      expect(await context.blobs.put(Buffer.from(content))).toBe(key);
      expect(context.blobs.putSync(await context.blobs.get(other))).toBe(other);
      const result = await collectBlobs(context);
      expect(result).toMatchObject({ skipped: false, deleted: 0 });
      expect(existsSync(context.blobs.pathOf(key))).toBe(true);
      expect(existsSync(context.blobs.pathOf(other))).toBe(true);
    });

    it('keeps a send’s message until it is filed in Sent', async () => {
      const key = await context.blobs.put(randomBytes(64));
      const now = Date.now();
      await context.store.db
        .insertInto('sends')
        .values({
          id: randomUUID(),
          mailbox_id: mailboxId,
          state: 'sent',
          message_id: 'm@x.test',
          raw_blob: key,
          recipients: '{}',
          in_reply_to_message_id: null,
          smtp_response: null,
          error: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await context.store.db
        .insertInto('outbox_ops')
        .values({
          mailbox_id: mailboxId,
          message_id: null,
          location_id: null,
          kind: 'append_sent',
          payload: JSON.stringify({ sendId: 's', rawBlob: key }),
          state: 'pending',
          attempts: 0,
          next_attempt_at: now,
          error: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await ageAll(2 * HOUR);
      expect(await collectBlobs(context)).toMatchObject({ deleted: 0 });
      await context.store.db.deleteFrom('outbox_ops').execute(); // filed, and the done op pruned
      expect(await collectBlobs(context)).toMatchObject({ deleted: 1 });
      expect(existsSync(context.blobs.pathOf(key))).toBe(false);
    });

    it('keeps the files of workflow templates until their workflow goes', async () => {
      const viewer = { id: ownerId, isAdmin: false };
      const workflow = await createWorkflow(
        context.store.db,
        viewer,
        {
          name: 'Send the price list',
          enabled: true,
          trigger: { type: 'manual', recordType: 'contact' },
          mode: 'every_save',
          reenroll: false,
          stopOnReply: false,
          actions: [
            {
              type: 'send_email',
              from: 'record_owner',
              to: [{ type: 'contact' }],
              template: { subject: 'Prices' },
              attachments: [{ filename: 'prices.txt', contentType: 'text/plain', contentBase64: 'cHJpY2Vz' }],
              linkToRecord: true,
            },
          ],
        },
        { timeZone: 'UTC', now: Date.now(), secrets: context.secrets, blobs: context.blobs },
      );
      const [file] = (workflow.actions[0] as { attachments: { blob: string }[] }).attachments;
      await ageAll(2 * HOUR);
      expect(await collectBlobs(context)).toMatchObject({ deleted: 0 });
      await deleteWorkflow(context.store.db, viewer, workflow.id);
      expect(await collectBlobs(context)).toMatchObject({ deleted: 1 });
      expect(existsSync(context.blobs.pathOf(file?.blob ?? ''))).toBe(false);
    });

    if (dialect === 'postgres') {
      it('lets one process sweep at a time', async () => {
        const key = await context.blobs.put(randomBytes(64));
        await ageAll(2 * HOUR);
        const url = context.config.databaseUrl ?? '';
        const other = new pg.Client({ connectionString: url });
        await other.connect();
        try {
          const { rows } = await other.query<{ locked: boolean }>('select pg_try_advisory_lock(7411302218) as locked');
          expect(rows[0]?.locked).toBe(true);
          expect(await collectBlobs(context)).toEqual({ skipped: true });
          expect(existsSync(context.blobs.pathOf(key))).toBe(true);
        } finally {
          await other.end();
        }
        expect(await collectBlobs(context)).toMatchObject({ skipped: false, deleted: 1 });
      });
    }

    if (dialect === 'sqlite') {
      it('tandem blobs gc prints what it freed, and --dry-run deletes nothing', async () => {
        const key = await context.blobs.put(randomBytes(100));
        await ageAll(2 * HOUR);
        const dry = await runTandem(['blobs', 'gc', '--dry-run', '--data', context.config.dataDir]);
        expect(dry.stdout).toContain('would delete 1 blobs (100 bytes)');
        expect(existsSync(context.blobs.pathOf(key))).toBe(true);
        const run = await runTandem(['blobs', 'gc', '--data', context.config.dataDir]);
        expect([run.code, run.stdout]).toEqual([0, 'deleted 1 blobs (100 bytes); kept 0 (0 bytes)\n']);
        expect(existsSync(context.blobs.pathOf(key))).toBe(false);
      });
    }
  });
}

async function insertMailbox(context: TestContext, ownerId: string): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await context.store.db
    .insertInto('mailboxes')
    .values({
      id,
      owner_user_id: ownerId,
      kind: 'personal',
      address: 'ann@example.test',
      display_name: null,
      imap_host: 'imap.example.test',
      imap_port: 993,
      imap_security: 'tls',
      imap_username: 'ann',
      smtp_host: 'smtp.example.test',
      smtp_port: 465,
      smtp_security: 'tls',
      smtp_username: 'ann',
      secrets: context.secrets.sealJson({}),
      sync_period: '1m',
      sync_since: 0,
      mark_incoming_private: 0,
      fallback_consent: 0,
      archive_and_create_past: 0,
      state: 'idle',
      error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

async function insertFolder(context: TestContext, mailboxId: string): Promise<number> {
  const row = await context.store.db
    .insertInto('folders')
    .values({
      mailbox_id: mailboxId,
      path: 'INBOX',
      delimiter: '/',
      special_use: null,
      enabled: 1,
      enabled_at: 0,
      uid_validity: 1,
      uid_next: 1,
      highest_modseq: null,
      first_sync_low_uid: null,
      last_full_check_at: null,
      created_at: Date.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

let nextUid = 1;

/** Stores one email as the sync does; returns its id and the keys of its blobs (raw source, attachments). */
async function storeMessage(context: TestContext, folderId: number, source: Buffer) {
  const { parsed, rawBlob } = await prepareMessage(source, context.blobs);
  const mailboxId = (
    await context.store.db
      .selectFrom('folders')
      .select('mailbox_id')
      .where('id', '=', folderId)
      .executeTakeFirstOrThrow()
  ).mailbox_id;
  const id = await context.store.db.transaction().execute(async (trx) => {
    const stored = await upsertMessage(trx, context.store.dialect, {
      mailboxId,
      parsed,
      rawBlob,
      size: source.length,
      internalDate: null,
      private: false,
    });
    await addLocation(trx, {
      messageId: stored.id,
      mailboxId,
      folderId,
      uidValidity: 1,
      uid: nextUid++,
      flags: [],
      modseq: null,
      date: Date.now(),
    });
    return stored.id;
  });
  return { id, keys: [rawBlob, ...parsed.attachments.map((a) => a.blobKey)] };
}
