import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createMailUser, deliver, mailServers, otherClient, setMailPassword, waitFor } from '../support/index.ts';
import { signedInUser } from '../support/api.ts';
import { connectTestMailbox, mailboxState, rawMessage, startSyncApi, subjectsIn, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 100 };

describe('managing a synced mailbox', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  beforeAll(async () => {
    api = await startSyncApi();
  });
  afterAll(() => api.close());

  it('syncs a folder enabled later within the period and stops one disabled', async () => {
    const user = await createMailUser(servers);
    await deliver(servers, user.username, rawMessage('old junk'), { folder: 'Junk' });
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { folders: ['INBOX'] });
    await waitIdle(api, owner.auth, mailbox.id);
    expect(await subjectsIn(api, mailbox.id, 'Junk')).toEqual([]);

    const enable = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/mailboxes/${mailbox.id}`,
      headers: owner.auth,
      payload: { folders: ['INBOX', 'Junk'] },
    });
    expect(enable.statusCode).toBe(200);
    await expect.poll(() => subjectsIn(api, mailbox.id, 'Junk'), poll).toEqual(['old junk']);

    await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/mailboxes/${mailbox.id}`,
      headers: owner.auth,
      payload: { folders: ['INBOX'] },
    });
    expect(await subjectsIn(api, mailbox.id, 'Junk')).toEqual([]);
    await deliver(servers, user.username, rawMessage('new junk'), { folder: 'Junk' });
    await deliver(servers, user.username, rawMessage('marker'));
    await expect.poll(() => subjectsIn(api, mailbox.id, 'INBOX'), poll).toEqual(['marker']);
    expect(await subjectsIn(api, mailbox.id, 'Junk')).toEqual([]);

    const unknown = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/mailboxes/${mailbox.id}`,
      headers: owner.auth,
      payload: { folders: ['Nope'] },
    });
    expect(unknown.statusCode).toBe(400);
  });

  it('stops on disconnect, keeps the emails, and catches up on connect', async () => {
    const user = await createMailUser(servers);
    await deliver(servers, user.username, rawMessage('kept'));
    const { owner, mailbox } = await connectTestMailbox(api, servers, user);
    await waitIdle(api, owner.auth, mailbox.id);
    const off = await api.app.inject({
      method: 'POST',
      url: `/api/v1/mailboxes/${mailbox.id}/disconnect`,
      headers: owner.auth,
    });
    expect(off.json()).toMatchObject({ state: 'disconnected' });
    await deliver(servers, user.username, rawMessage('while disconnected'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await subjectsIn(api, mailbox.id, 'INBOX')).toEqual(['kept']);
    await api.app.inject({ method: 'POST', url: `/api/v1/mailboxes/${mailbox.id}/connect`, headers: owner.auth });
    await expect.poll(() => subjectsIn(api, mailbox.id, 'INBOX'), poll).toEqual(['kept', 'while disconnected']);
  });

  it('deletes the mailbox with its synced emails', async () => {
    const user = await createMailUser(servers);
    await deliver(servers, user.username, rawMessage('to be removed'));
    const { owner, mailbox } = await connectTestMailbox(api, servers, user);
    await waitIdle(api, owner.auth, mailbox.id);
    const { raw_blob: blob } = await api.context.store.db
      .selectFrom('messages')
      .select('raw_blob')
      .where('mailbox_id', '=', mailbox.id)
      .executeTakeFirstOrThrow();
    expect(await api.context.blobs.has(blob)).toBe(true);
    const removed = await api.app.inject({
      method: 'DELETE',
      url: `/api/v1/mailboxes/${mailbox.id}`,
      headers: owner.auth,
    });
    expect(removed.statusCode).toBe(204);
    expect(
      (await api.app.inject({ method: 'GET', url: `/api/v1/mailboxes/${mailbox.id}`, headers: owner.auth })).statusCode,
    ).toBe(404);
    const left = await api.context.store.db
      .selectFrom('messages')
      .select('id')
      .where('mailbox_id', '=', mailbox.id)
      .execute();
    expect(left).toEqual([]);
    expect(await api.context.blobs.has(blob)).toBe(false);
  });

  it('marks incoming mail private: invisible to other users, searchable by the owner', async () => {
    const user = await createMailUser(servers);
    await deliver(servers, user.username, rawMessage('confidential offer', { body: 'the zanzibar contract' }));
    await deliver(servers, user.username, rawMessage('my reply'), { folder: 'Sent' });
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { markIncomingPrivate: true });
    await waitIdle(api, owner.auth, mailbox.id);

    const search = await api.app.inject({ method: 'GET', url: '/api/v1/messages?q=zanzibar', headers: owner.auth });
    const items = search.json<{ items: { id: string; private: boolean; subject: string }[] }>().items;
    expect(items.map((i) => [i.subject, i.private])).toEqual([['confidential offer', true]]);

    const stranger = await signedInUser(api);
    const item = items[0];
    if (!item) throw new Error('not found');
    expect(
      (await api.app.inject({ method: 'GET', url: `/api/v1/messages/${item.id}`, headers: stranger.auth })).statusCode,
    ).toBe(404);
    expect(
      (await api.app.inject({ method: 'GET', url: `/api/v1/messages/${item.id}`, headers: owner.auth })).statusCode,
    ).toBe(200);
    expect(
      (await api.app.inject({ method: 'GET', url: '/api/v1/messages?q=zanzibar', headers: stranger.auth })).json(),
    ).toMatchObject({ items: [] });
    expect(
      (await api.app.inject({ method: 'GET', url: `/api/v1/mailboxes/${mailbox.id}`, headers: stranger.auth }))
        .statusCode,
    ).toBe(404);
    const sent = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages?mailboxId=${mailbox.id}&folder=Sent`,
      headers: owner.auth,
    });
    expect(sent.json()).toMatchObject({ items: [{ subject: 'my reply', private: false }] });
    expect((await mailboxState(api, owner.auth, mailbox.id)).markIncomingPrivate).toBe(true);
  });

  it('marks mail arriving after "mark incoming as private" is switched on private, without a restart', async () => {
    const user = await createMailUser(servers);
    await deliver(servers, user.username, rawMessage('before the switch'));
    const { owner, mailbox } = await connectTestMailbox(api, servers, user);
    await waitIdle(api, owner.auth, mailbox.id);
    const on = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/mailboxes/${mailbox.id}`,
      headers: owner.auth,
      payload: { markIncomingPrivate: true },
    });
    expect(on.statusCode).toBe(200);

    await deliver(servers, user.username, rawMessage('after the switch'));
    await expect
      .poll(() => subjectsIn(api, mailbox.id, 'INBOX'), poll)
      .toEqual(['after the switch', 'before the switch']);
    const list = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages?mailboxId=${mailbox.id}`,
      headers: owner.auth,
    });
    const items = list.json<{ items: { id: string; subject: string; private: boolean }[] }>().items;
    expect(items.map((i) => [i.subject, i.private])).toEqual([
      ['after the switch', true],
      ['before the switch', false],
    ]);
    const stranger = await signedInUser(api);
    const status = async (subject: string) => {
      const id = items.find((i) => i.subject === subject)?.id;
      return (await api.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: stranger.auth }))
        .statusCode;
    };
    expect(await status('after the switch')).toBe(404);
    expect(await status('before the switch')).toBe(200);
  });

  it('lists the server folders with their subscription, an unsubscribed one included', async () => {
    const user = await createMailUser(servers);
    const other = await otherClient(servers, user);
    await other.mailboxCreate('Hidden');
    await other.mailboxUnsubscribe('Hidden');
    await other.mailboxCreate('Shown');
    await other.mailboxSubscribe('Shown');
    await other.logout();
    const { owner, mailbox } = await connectTestMailbox(api, servers, user);
    const response = await api.app.inject({
      method: 'GET',
      url: `/api/v1/mailboxes/${mailbox.id}/server-folders`,
      headers: owner.auth,
    });
    expect(response.statusCode).toBe(200);
    const items = response.json<{ items: { path: string; subscribed: boolean }[] }>().items;
    expect(
      items
        .filter((f) => ['Hidden', 'Shown'].includes(f.path))
        .map((f) => [f.path, f.subscribed])
        .sort(),
    ).toEqual([
      ['Hidden', false],
      ['Shown', true],
    ]);
  });
});

describe('a password changed at the provider', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  beforeAll(async () => {
    api = await startSyncApi();
  });
  afterAll(() => api.close());

  it('leaves the mailbox in error with auth_failed and does not retry in a loop', async () => {
    const user = await createMailUser(servers);
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    await setMailPassword(servers, user, 'changed-elsewhere');
    // Dovecot re-reads the password file within a second or so.
    await waitFor(
      () =>
        otherClient(servers, user).then(
          (c) => c.logout().then(() => false),
          () => true,
        ),
      { what: 'the old password to be refused' },
    );
    await api.app.inject({ method: 'POST', url: `/api/v1/mailboxes/${mailbox.id}/connect`, headers: owner.auth });
    const failed = await waitFor(async () => {
      const view = await mailboxState(api, owner.auth, mailbox.id);
      return view.state === 'error' ? view : undefined;
    });
    expect(failed.error).toMatch(/^auth_failed: /);
    // No retry storm: the refused login is not repeated while the user does nothing.
    const failedLogins = async () =>
      (await readFile(path.join(servers.dir, 'dovecot', 'dovecot.log'), 'utf8'))
        .split('\n')
        .filter(
          (line) => line.includes(user.username) && /auth failed|Authentication failed|password mismatch/i.test(line),
        ).length;
    const before = await failedLogins();
    expect(before).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await failedLogins()).toBe(before);
    expect((await mailboxState(api, owner.auth, mailbox.id)).error).toBe(failed.error);
  });
});

describe('a folder the server refuses', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  beforeAll(async () => {
    api = await startSyncApi();
  });
  afterAll(() => api.close());

  it('is shown as an error while the other folders keep syncing', async () => {
    const user = await createMailUser(servers);
    const other = await otherClient(servers, user);
    await other.mailboxCreate('Broken');
    await other.logout();
    // Maildir++ keeps the folder in ~/Maildir/.Broken; the mail processes run unprivileged, so 000 locks them out.
    const folderDir = path.join(servers.dir, 'dovecot', 'mail', user.username, 'Maildir', '.Broken');
    await chmod(folderDir, 0o000);
    try {
      const { owner, mailbox } = await connectTestMailbox(api, servers, user, { folders: ['INBOX', 'Broken'] });
      const failed = await waitFor(async () => {
        const view = await mailboxState(api, owner.auth, mailbox.id);
        return view.state === 'error' ? view : undefined;
      });
      expect(failed.error).toMatch(/^folder_failed: Broken: /);
      await deliver(servers, user.username, rawMessage('still arriving'));
      await expect.poll(() => subjectsIn(api, mailbox.id, 'INBOX'), { timeout: 30_000 }).toEqual(['still arriving']);

      // Once the server lets it in again, the folder syncs — its whole content, not only what comes next — and the error goes.
      await chmod(folderDir, 0o700);
      const repaired = await otherClient(servers, user);
      await repaired.append('Broken', rawMessage('after the repair'));
      await repaired.logout();
      await expect.poll(() => subjectsIn(api, mailbox.id, 'Broken'), { timeout: 30_000 }).toEqual(['after the repair']);
      await expect
        .poll(async () => (await mailboxState(api, owner.auth, mailbox.id)).error, { timeout: 30_000 })
        .toBeNull();
    } finally {
      await chmod(folderDir, 0o700);
    }
  });
});
