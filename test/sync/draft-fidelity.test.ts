// Drafts opened and edited in Tandem keep everything they hold, on the real
// Dovecot: a draft deleted in the mail app comes back whole when restored,
// plain-text drafts keep their lines, inline images stay inline.
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliver, mailServers, otherClient } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import {
  CHART_CID,
  CHART_PNG,
  FLOWED_TEXT,
  PLAIN_TEXT,
  draftsOnServer,
  flowedDraft,
  inlineImageDraft,
  plainDraft,
} from '../support/mail-app-drafts.ts';
import { purgeOrphans } from '../../src/mail/messages/index.ts';
import { connectTestMailbox, startSyncApi, storedLocations, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 100 };
type Auth = { authorization: string };

describe('drafts keep what they hold', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  const clients: ImapFlow[] = [];
  beforeAll(async () => {
    api = await startSyncApi();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.logout()));
    await api.close();
  });

  async function other(user: MailUser): Promise<ImapFlow> {
    const client = await otherClient(servers, user);
    clients.push(client);
    return client;
  }

  /** A connected mailbox with these mail-app drafts already in Drafts; the Tandem message id of each, by subject. */
  async function mailboxWith(drafts: ((from: string, subject: string) => string)[]) {
    const user = await createMailUser(servers);
    const subjects = drafts.map((_, i) => `draft ${i + 1}`);
    for (const [i, make] of drafts.entries())
      await deliver(servers, user.username, make(user.address, subjects[i] ?? ''), {
        folder: 'Drafts',
        flags: ['\\Draft', '\\Seen'],
      });
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, {
      syncPeriod: '1m',
      folders: ['INBOX', 'Drafts'],
    });
    await waitIdle(api, owner.auth, mailbox.id);
    const locations = await storedLocations(api, mailbox.id);
    const ids = subjects.map((s) => String(locations.find((l) => l.subject === s)?.messageId ?? ''));
    return { user, owner, mailbox, ids, client: await other(user) };
  }

  const getDraft = (auth: Auth, id: string) =>
    api.app.inject({ method: 'GET', url: `/api/v1/drafts/${id}`, headers: auth });
  const putDraft = (auth: Auth, id: string, payload: object) =>
    api.app.inject({ method: 'PUT', url: `/api/v1/drafts/${id}`, headers: auth, payload });

  async function expungeAll(client: ImapFlow) {
    const lock = await client.getMailboxLock('Drafts');
    try {
      await client.messageDelete('1:*');
    } finally {
      lock.release();
    }
  }

  it('restored after the mail app deleted them, come back with their recipients, subject, body and attachments', async () => {
    const { owner, mailbox, ids, client } = await mailboxWith([inlineImageDraft]);
    // One written in Tandem, opened from Drafts as the web app does (by its message id), and one from the mail app.
    const written = (
      await api.app.inject({
        method: 'POST',
        url: '/api/v1/drafts',
        headers: owner.auth,
        payload: {
          mailboxId: mailbox.id,
          to: ['dan@example.test'],
          subject: 'written in Tandem',
          text: 'Dear Dan,\nsee you.',
        },
      })
    ).json<{ id: string }>();
    await expect
      .poll(async () => (await storedLocations(api, mailbox.id)).some((l) => l.subject === 'written in Tandem'), poll)
      .toBe(true);
    const writtenMessage = String(
      (await storedLocations(api, mailbox.id)).find((l) => l.subject === 'written in Tandem')?.messageId,
    );
    // Opening gives the id to edit by: the Tandem draft itself for its own version.
    const opened = await Promise.all(
      [writtenMessage, ids[0] ?? ''].map(async (id) => (await getDraft(owner.auth, id)).json<{ id: string }>().id),
    );

    await expungeAll(client);
    for (const id of opened)
      await expect
        .poll(async () => (await getDraft(owner.auth, id)).json(), poll)
        .toMatchObject({ error: { code: 'draft_deleted' } });
    // Tandem no longer holds the deleted messages either (purged now rather than after their grace time).
    await purgeOrphans(api.context.store.db, api.context.store.dialect, mailbox.id, Date.now() + 1);
    expect((await putDraft(owner.auth, opened[0] ?? '', { subject: 'an edit' })).json()).toMatchObject({
      error: { code: 'draft_deleted' },
    });

    for (const id of opened) {
      const restored = await api.app.inject({
        method: 'POST',
        url: `/api/v1/drafts/${id}/restore`,
        headers: owner.auth,
      });
      expect(restored.statusCode).toBe(200);
    }
    await expect
      .poll(async () => (await draftsOnServer(client, 'Drafts')).map((d) => d.subject).sort(), poll)
      .toEqual(['draft 1', 'written in Tandem']);
    const back = await draftsOnServer(client, 'Drafts');
    expect(back.find((d) => d.subject === 'written in Tandem')).toMatchObject({
      to: ['dan@example.test'],
      text: 'Dear Dan,\nsee you.',
    });
    const mailApp = back.find((d) => d.subject === 'draft 1');
    expect(mailApp).toMatchObject({ to: ['carol@example.test'], contentType: 'multipart/related' });
    expect(mailApp?.html).toContain(`cid:${CHART_CID}`);
    expect(mailApp?.inline.map((p) => p.content.equals(CHART_PNG))).toEqual([true]);
    expect((await getDraft(owner.auth, opened[1] ?? '')).json()).toMatchObject({
      fields: { to: ['carol@example.test'], subject: 'draft 1' },
    });
    // The draft made in Tandem was opened as itself, not taken over a second time.
    expect(opened[0]).toBe(written.id);
    await expect
      .poll(async () => (await getDraft(owner.auth, written.id)).json(), poll)
      .toMatchObject({ state: 'saved', fields: { subject: 'written in Tandem' } });

    // A second restore, the draft being there, leaves one copy.
    expect(
      (await api.app.inject({ method: 'POST', url: `/api/v1/drafts/${written.id}/restore`, headers: owner.auth }))
        .statusCode,
    ).toBe(200);
    await expect
      .poll(async () => (await getDraft(owner.auth, written.id)).json(), poll)
      .toMatchObject({ state: 'saved' });
    await expect
      .poll(async () => (await draftsOnServer(client, 'Drafts')).map((d) => d.subject).sort(), poll)
      .toEqual(['draft 1', 'written in Tandem']);
  });

  it('in plain text keep their lines through an edit, format=flowed too, and stay plain text', async () => {
    const { owner, ids, client } = await mailboxWith([plainDraft, flowedDraft]);
    const expected = [PLAIN_TEXT, FLOWED_TEXT];
    for (const [i, id] of ids.entries()) {
      const draft = (await getDraft(owner.auth, id)).json<{
        fields: { text: string; html?: string; to: string[]; subject: string };
      }>();
      expect(draft.fields.text).toBe(expected[i]);
      expect(draft.fields.html).toBeUndefined();
      expect(
        (await putDraft(owner.auth, id, { ...draft.fields, text: `${draft.fields.text} (edited)` })).statusCode,
      ).toBe(200);
    }
    await expect
      .poll(async () => (await draftsOnServer(client, 'Drafts')).map((d) => d.text).sort(), poll)
      .toEqual(expected.map((t) => `${t} (edited)`).sort());
    for (const d of await draftsOnServer(client, 'Drafts')) {
      expect(d.contentType).toBe('text/plain');
      expect(d.html).toBeNull();
    }
  });

  it('with inline images show them from Tandem and keep them inline, as cid: parts, edit after edit', async () => {
    const { owner, mailbox, ids, client } = await mailboxWith([inlineImageDraft]);
    const id = ids[0] ?? '';
    const draft = (await getDraft(owner.auth, id)).json<{
      id: string;
      fields: { html: string; keepAttachments?: string[] };
    }>();
    expect(draft.fields.html).toContain(`src="cid:${CHART_CID}"`);
    const image = await api.app.inject({
      method: 'GET',
      url: `/api/v1/drafts/${draft.id}/inline/${encodeURIComponent(CHART_CID)}`,
      headers: owner.auth,
    });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.rawPayload.equals(CHART_PNG)).toBe(true);
    expect(
      (
        await api.app.inject({
          method: 'GET',
          url: `/api/v1/drafts/${draft.id}/inline/${encodeURIComponent(CHART_CID)}`,
        })
      ).statusCode,
    ).toBe(401);
    // Not an attachment to keep: it comes with the HTML.
    expect(draft.fields.keepAttachments ?? []).toEqual([]);

    for (const [n, subject] of ['edited once', 'edited twice'].entries()) {
      expect(
        (
          await putDraft(owner.auth, draft.id, {
            to: ['carol@example.test'],
            subject,
            html: `${draft.fields.html}<p>edit ${n + 1}</p>`,
          })
        ).statusCode,
      ).toBe(200);
      await expect
        .poll(async () => (await draftsOnServer(client, 'Drafts')).map((d) => d.subject), poll)
        .toEqual([subject]);
      // The version it replaced leaves Tandem's store (purged now rather than after its grace time): the image must not depend on it.
      await expect
        .poll(async () => (await storedLocations(api, mailbox.id)).map((l) => l.subject), poll)
        .toEqual([subject]);
      await purgeOrphans(api.context.store.db, api.context.store.dialect, mailbox.id, Date.now() + 1);
    }
    const [saved] = await draftsOnServer(client, 'Drafts');
    expect(saved?.contentType).toBe('multipart/related');
    expect(saved?.html).toContain(`cid:${CHART_CID}`);
    expect(saved?.source).not.toContain('/api/v1/');
    expect(saved?.inline.map((p) => [p.contentId, p.content.equals(CHART_PNG)])).toEqual([[CHART_CID, true]]);
  });
});
