import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertFolder, insertMailbox, rawEmail, storeEmail } from '../crm/support.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';

for (const dialect of await storeDialects()) {
  describe(`mailbox storage and quota (${dialect})`, () => {
    let api: TestApi;
    let owner: Awaited<ReturnType<typeof signedInUser>>;
    let mailboxId: string;
    let bytes: number;

    beforeAll(async () => {
      api = await startTestApi(dialect);
      owner = await signedInUser(api);
      mailboxId = await insertMailbox(api, owner.user.id, 'ann@example.test');
      const folderId = await insertFolder(api, mailboxId, 'INBOX');
      const source = rawEmail({ from: 'bob@example.test', subject: 'With a file', attachment: true });
      await storeEmail(api, dialect, { mailboxId, folderId }, source);
      bytes = source.length + Buffer.byteLength('attached secret');
    });
    afterAll(() => api.close());

    const saveDraft = () =>
      api.app.inject({
        method: 'POST',
        url: '/api/v1/drafts',
        headers: owner.auth,
        payload: { mailboxId, to: ['client@example.test'], subject: 'Proposal', text: 'Hello' },
      });

    it('shows the bytes of mail a mailbox holds', async () => {
      const view = await api.app.inject({ method: 'GET', url: `/api/v1/mailboxes/${mailboxId}`, headers: owner.auth });
      expect(view.json()).toMatchObject({ storage: { bytes } });
    });

    it('refuses draft saves and sends from a mailbox over the quota, with quota_exceeded', async () => {
      api.context.config.mailboxQuotaBytes = bytes - 1;
      try {
        const draft = await saveDraft();
        expect([draft.statusCode, draft.json()]).toMatchObject([413, { error: { code: 'quota_exceeded' } }]);
        const sent = await api.app.inject({
          method: 'POST',
          url: '/api/v1/messages/send',
          headers: owner.auth,
          payload: { mailboxId, to: ['client@example.test'], subject: 'Hi', text: 'Hello' },
        });
        expect([sent.statusCode, sent.json()]).toMatchObject([413, { error: { code: 'quota_exceeded' } }]);
        expect(await api.context.store.db.selectFrom('drafts').select('id').execute()).toEqual([]);
        expect(await api.context.store.db.selectFrom('sends').select('id').execute()).toEqual([]);
      } finally {
        api.context.config.mailboxQuotaBytes = undefined;
      }
    });

    it('refuses to restore a draft from a mailbox over the quota, and leaves the draft as it was', async () => {
      const saved = await saveDraft();
      expect(saved.statusCode).toBe(201);
      const { id } = saved.json<{ id: string }>();
      const { db } = api.context.store;
      const before = await db.selectFrom('drafts').select(['version_id', 'raw_blob']).where('id', '=', id).execute();
      const restore = () =>
        api.app.inject({ method: 'POST', url: `/api/v1/drafts/${id}/restore`, headers: owner.auth });
      api.context.config.mailboxQuotaBytes = 1;
      try {
        const refused = await restore();
        expect([refused.statusCode, refused.json()]).toMatchObject([413, { error: { code: 'quota_exceeded' } }]);
        expect(await db.selectFrom('drafts').select(['version_id', 'raw_blob']).where('id', '=', id).execute()).toEqual(
          before,
        );
      } finally {
        api.context.config.mailboxQuotaBytes = undefined;
      }
      expect((await restore()).statusCode).toBe(200);
    });

    it('takes them at the quota and without one', async () => {
      api.context.config.mailboxQuotaBytes = bytes;
      try {
        expect((await saveDraft()).statusCode).toBe(201);
      } finally {
        api.context.config.mailboxQuotaBytes = undefined;
      }
      expect((await saveDraft()).statusCode).toBe(201);
    });
  });
}
