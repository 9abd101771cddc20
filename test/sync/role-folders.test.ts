import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, infoOf, mailServers, otherClient, startMailServers } from '../support/index.ts';
import type { MailServers, MailServersInfo, MailUser } from '../support/index.ts';
import { connectTestMailbox, startSyncApi, storedLocations, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 200 };

async function withClient<T>(
  servers: MailServersInfo,
  user: MailUser,
  use: (client: Awaited<ReturnType<typeof otherClient>>) => Promise<T>,
): Promise<T> {
  const client = await otherClient(servers, user);
  try {
    return await use(client);
  } finally {
    await client.logout();
  }
}

/** Subjects in a folder of `user` as another mail app sees them; null when the folder does not exist. */
async function subjectsOnServer(servers: MailServersInfo, user: MailUser, folder: string): Promise<string[] | null> {
  return withClient(servers, user, async (client) => {
    const exists = (await client.list()).some((f) => f.path === folder);
    if (!exists) return null;
    await client.mailboxOpen(folder, { readOnly: true });
    const subjects: string[] = [];
    for await (const m of client.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
    return subjects;
  });
}

/**
 * Sent and Drafts deleted in another mail app: the next draft version and the
 * next Sent copy put the folder back, exactly one copy each, nothing lost.
 * Run on a server that re-creates its standard folders by itself (Dovecot's
 * `auto`) and on one that does not.
 */
describe.each([
  { name: 'recreates its standard folders', autoCreateFolders: true },
  { name: 'leaves a deleted folder deleted', autoCreateFolders: false },
])('a Drafts or Sent folder deleted on a server that $name', ({ autoCreateFolders }) => {
  let own: MailServers | null = null;
  let servers: MailServersInfo;
  let api: SyncTestApi;
  beforeAll(async () => {
    own = autoCreateFolders ? null : await startMailServers({ autoCreateFolders: false });
    servers = own ? infoOf(own) : mailServers();
    api = await startSyncApi();
  });
  afterAll(async () => {
    await api.close();
    await own?.stop();
  });

  it('comes back with the draft’s newest version and the next Sent copy', async () => {
    const sender = await createMailUser(servers, 'sender');
    const recipient = await createMailUser(servers, 'recipient');
    await withClient(servers, sender, async (client) => {
      for (const folder of ['Drafts', 'Sent'])
        if (!(await client.list()).some((f) => f.path === folder)) await client.mailboxCreate(folder);
    });
    const { owner, mailbox } = await connectTestMailbox(api, servers, sender, {
      syncPeriod: 'now',
      folders: ['INBOX', 'Drafts', 'Sent'],
    });
    await waitIdle(api, owner.auth, mailbox.id);
    const draftBody = (subject: string) => ({
      mailboxId: mailbox.id,
      to: [recipient.address],
      subject,
      text: 'draft text',
    });

    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/drafts',
      headers: owner.auth,
      payload: draftBody('First version'),
    });
    expect(created.statusCode).toBe(201);
    const draftId = created.json<{ id: string }>().id;
    await expect.poll(() => subjectsOnServer(servers, sender, 'Drafts'), poll).toEqual(['First version']);

    await withClient(servers, sender, (client) => client.mailboxDelete('Drafts'));
    const edited = await api.app.inject({
      method: 'PUT',
      url: `/api/v1/drafts/${draftId}`,
      headers: owner.auth,
      payload: draftBody('Second version'),
    });
    expect(edited.statusCode).toBe(200);
    await expect.poll(() => subjectsOnServer(servers, sender, 'Drafts'), poll).toEqual(['Second version']);
    await expect
      .poll(
        async () =>
          (await api.app.inject({ method: 'GET', url: `/api/v1/drafts/${draftId}`, headers: owner.auth })).json<{
            state: string;
          }>().state,
        poll,
      )
      .toBe('saved');
    // The folder is synced again: Tandem lists the draft where the server has it.
    await expect
      .poll(
        async () => (await storedLocations(api, mailbox.id)).filter((l) => l.folder === 'Drafts').map((l) => l.subject),
        poll,
      )
      .toEqual(['Second version']);

    await withClient(servers, sender, (client) => client.mailboxDelete('Sent'));
    const sent = await api.app.inject({ method: 'POST', url: `/api/v1/drafts/${draftId}/send`, headers: owner.auth });
    expect(sent.statusCode).toBe(202);
    await expect.poll(() => subjectsOnServer(servers, recipient, 'INBOX'), poll).toEqual(['Second version']);
    await expect.poll(() => subjectsOnServer(servers, sender, 'Sent'), poll).toEqual(['Second version']);
    await expect.poll(() => subjectsOnServer(servers, sender, 'Drafts'), poll).toEqual([]);
  });
});
