import type { ImapFlow } from 'imapflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliver, doveadm, otherClient } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import {
  useSyncVariant,
  connectTestMailbox,
  rawMessage,
  storedLocations,
  subjectsIn,
  waitIdle,
} from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 100 };

/** What the other mail app sees: subject → flags, per folder. */
async function serverView(servers: MailServersInfo, user: MailUser, folder: string): Promise<Record<string, string[]>> {
  const client: ImapFlow = await otherClient(servers, user);
  try {
    await client.mailboxOpen(folder, { readOnly: true });
    const view: Record<string, string[]> = {};
    for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
      view[m.envelope?.subject ?? ''] = [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort();
    }
    return view;
  } catch {
    return {};
  } finally {
    await client.logout();
  }
}

const variants = [
  { name: 'a server with MOVE and UIDPLUS', disable: null },
  { name: 'a server without MOVE', disable: ['MOVE'] },
];

describe.each(variants)('changes made in Tandem reach $name', ({ disable }) => {
  const variant = useSyncVariant(disable ? { disableCapabilities: disable } : null);
  let servers: MailServersInfo;
  let api: SyncTestApi;
  beforeAll(() => ({ servers, api } = variant));

  async function setUp(subjects: string[]) {
    const user = await createMailUser(servers);
    for (const subject of subjects) await deliver(servers, user.username, rawMessage(subject));
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: '1m' });
    await waitIdle(api, owner.auth, mailbox.id);
    const locations = await storedLocations(api, mailbox.id);
    const idOf = (subject: string) => String(locations.find((l) => l.subject === subject)?.messageId);
    return { user, owner, mailbox, idOf };
  }

  it('marks read and starred, merging with the other app’s own flag changes', async () => {
    const { user, owner, idOf } = await setUp(['hello']);
    await doveadm(servers, ['flags', 'add', '-u', user.username, '$Label1', 'mailbox', 'INBOX', 'all']);
    const patch = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/messages/${idOf('hello')}`,
      headers: owner.auth,
      payload: { seen: true, flagged: true },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toMatchObject({ seen: true, flagged: true });
    await expect
      .poll(() => serverView(servers, user, 'INBOX'), poll)
      .toEqual({ hello: ['$Label1', '\\Flagged', '\\Seen'] });
    await expect
      .poll(
        async () =>
          (
            await api.app.inject({ method: 'GET', url: `/api/v1/messages/${idOf('hello')}`, headers: owner.auth })
          ).json(),
        poll,
      )
      .toMatchObject({ syncState: 'synced' });
    await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/messages/${idOf('hello')}`,
      headers: owner.auth,
      payload: { seen: false },
    });
    await expect.poll(() => serverView(servers, user, 'INBOX'), poll).toEqual({ hello: ['$Label1', '\\Flagged'] });
  });

  it('moves to another folder keeping the Tandem id', async () => {
    const { user, owner, mailbox, idOf } = await setUp(['to archive', 'stays']);
    const id = idOf('to archive');
    await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/messages/${id}`,
      headers: owner.auth,
      payload: { folder: 'Archive' },
    });
    expect(await subjectsIn(api, mailbox.id, 'Archive')).toEqual(['to archive']);
    await expect.poll(() => serverView(servers, user, 'Archive'), poll).toEqual({ 'to archive': [] });
    expect(Object.keys(await serverView(servers, user, 'INBOX'))).toEqual(['stays']);
    await expect
      .poll(
        async () =>
          (await storedLocations(api, mailbox.id))
            .filter((l) => l.subject === 'to archive')
            .map((l) => [l.folder, String(l.messageId), l.uid > 0]),
        poll,
      )
      .toEqual([['Archive', id, true]]);
  });

  it('deletes to Trash, and permanently expunges only its own message', async () => {
    const { user, owner, mailbox, idOf } = await setUp(['to trash', 'for good', 'marked by the other app']);
    // The other app flags one message \Deleted without expunging it: Tandem must not expunge it.
    await doveadm(servers, [
      'flags',
      'add',
      '-u',
      user.username,
      '\\Deleted',
      'mailbox',
      'INBOX',
      'subject',
      'marked by the other app',
    ]);
    expect(
      (await api.app.inject({ method: 'DELETE', url: `/api/v1/messages/${idOf('to trash')}`, headers: owner.auth }))
        .statusCode,
    ).toBe(204);
    expect(
      (
        await api.app.inject({
          method: 'DELETE',
          url: `/api/v1/messages/${idOf('for good')}?permanent=true`,
          headers: owner.auth,
        })
      ).statusCode,
    ).toBe(204);
    expect(await subjectsIn(api, mailbox.id, 'INBOX')).toEqual(['marked by the other app']);
    await expect.poll(() => serverView(servers, user, 'Trash'), poll).toEqual({ 'to trash': [] });
    await expect
      .poll(async () => Object.keys(await serverView(servers, user, 'INBOX')), poll)
      .toEqual(['marked by the other app']);
    // The next pass over INBOX, right after those writes there, must not expunge it either.
    await deliver(servers, user.username, rawMessage('arrives afterwards'));
    await expect
      .poll(async () => (await subjectsIn(api, mailbox.id, 'INBOX')).sort(), poll)
      .toEqual(['arrives afterwards', 'marked by the other app']);
    expect(Object.keys(await serverView(servers, user, 'INBOX')).sort()).toEqual([
      'arrives afterwards',
      'marked by the other app',
    ]);
  });

  it('deletes for good from Trash', async () => {
    const { user, owner, mailbox } = await setUp([]);
    await deliver(servers, user.username, rawMessage('already in trash'), { folder: 'Trash' });
    await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/mailboxes/${mailbox.id}`,
      headers: owner.auth,
      payload: { folders: ['INBOX', 'Trash'] },
    });
    await waitIdle(api, owner.auth, mailbox.id); // Trash syncs what lands there from now on
    await deliver(servers, user.username, rawMessage('deleted later'), { folder: 'Trash' });
    await expect.poll(() => subjectsIn(api, mailbox.id, 'Trash'), poll).toEqual(['deleted later']);
    const id = String((await storedLocations(api, mailbox.id)).find((l) => l.subject === 'deleted later')?.messageId);
    await api.app.inject({ method: 'DELETE', url: `/api/v1/messages/${id}`, headers: owner.auth });
    await expect
      .poll(async () => Object.keys(await serverView(servers, user, 'Trash')), poll)
      .toEqual(['already in trash']);
  });

  it('ends an impossible change as failed and shows the server’s state again', async () => {
    const { user, owner, mailbox, idOf } = await setUp(['cannot move']);
    const other = await otherClient(servers, user);
    await other.mailboxCreate('Doomed');
    await other.logout();
    const enable = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/mailboxes/${mailbox.id}`,
      headers: owner.auth,
      payload: { folders: ['INBOX', 'Doomed'] },
    });
    expect(enable.statusCode).toBe(200);
    await waitIdle(api, owner.auth, mailbox.id);
    await api.engine.stopMailbox(mailbox.id);
    const move = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/messages/${idOf('cannot move')}`,
      headers: owner.auth,
      payload: { folder: 'Doomed' },
    });
    expect(move.statusCode).toBe(200);
    expect(await subjectsIn(api, mailbox.id, 'Doomed')).toEqual(['cannot move']);
    await doveadm(servers, ['mailbox', 'delete', '-u', user.username, 'Doomed']);
    api.engine.startMailbox(mailbox.id);
    await expect
      .poll(
        async () =>
          (
            await api.context.store.db
              .selectFrom('outbox_ops')
              .select(['state', 'error'])
              .where('mailbox_id', '=', mailbox.id)
              .where('kind', '=', 'move')
              .executeTakeFirst()
          )?.state,
        poll,
      )
      .toBe('failed');
    await expect.poll(() => subjectsIn(api, mailbox.id, 'INBOX'), poll).toEqual(['cannot move']);
    expect(Object.keys(await serverView(servers, user, 'INBOX'))).toEqual(['cannot move']);
    const shown = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages/${idOf('cannot move')}`,
      headers: owner.auth,
    });
    expect(shown.json()).toMatchObject({
      folder: 'INBOX',
      syncState: 'failed',
      syncError: expect.stringMatching(/Doomed no longer exists/),
    });
  });
});
