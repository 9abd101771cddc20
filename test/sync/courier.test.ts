// A Courier-like server (Dovecot in the 'courier' profile, see test/support/dovecot.ts):
// no CONDSTORE, QRESYNC, MOVE, NOTIFY or SPECIAL-USE, every folder under INBOX. with a
// '.' separator. Tandem must behave as it does on a full Dovecot.
import { beforeAll, describe, expect, it } from 'vitest';
import { COURIER_LIKE, useCourierLike } from '../support/courier-like.ts';
import type { CourierLikeServer } from '../support/courier-like.ts';
import { otherClient, serverCopies, serverSubjects } from '../support/index.ts';
import type { MailServersInfo } from '../support/index.ts';
import {
  connectTestMailbox,
  mailboxState,
  rawMessage,
  storedLocations,
  subjectsIn,
  waitIdle,
} from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 200 };
const TEST_TIMEOUT = 120_000;

describe.each(COURIER_LIKE)('$name (INBOX. folders, no CONDSTORE, SPECIAL-USE or MOVE)', ({ real }) => {
  const variant = useCourierLike(real);
  let servers: MailServersInfo;
  let api: SyncTestApi;
  let server: CourierLikeServer;
  beforeAll(() => ({ servers, api } = server = variant));

  async function setUp() {
    const user = await server.newUser();
    await server.deliver(user, rawMessage('first'));
    await server.deliver(user, rawMessage('second'));
    await server.deliver(user, rawMessage('archived'), 'INBOX.Archive');
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: '1m' });
    return { user, owner, mailbox };
  }

  /** Every enabled folder's counts, and the mailbox's state, as the app shows them. */
  async function shown(owner: { auth: { authorization: string } }, mailboxId: string) {
    const view = await mailboxState(api, owner.auth, mailboxId);
    return {
      state: view.state,
      error: view.error,
      folders: Object.fromEntries(view.folders.filter((f) => f.enabled).map((f) => [f.path, [f.messages, f.synced]])),
    };
  }

  it(
    'finds the role folders by name and syncs INBOX and INBOX.Archive, then keeps them in sync',
    async () => {
      const { user, owner, mailbox } = await setUp();
      expect(mailbox.folders.filter((f) => f.enabled).map((f) => [f.path, f.specialUse])).toEqual(
        expect.arrayContaining([
          ['INBOX', '\\Inbox'],
          ['INBOX.Sent', '\\Sent'],
          ['INBOX.Drafts', '\\Drafts'],
          ['INBOX.Archive', '\\Archive'],
        ]),
      );
      await waitIdle(api, owner.auth, mailbox.id);
      expect(await subjectsIn(api, mailbox.id, 'INBOX')).toEqual(['first', 'second']);
      expect(await subjectsIn(api, mailbox.id, 'INBOX.Archive')).toEqual(['archived']);

      await server.deliver(user, rawMessage('later in inbox'));
      await server.deliver(user, rawMessage('later in archive'), 'INBOX.Archive');
      await expect
        .poll(() => subjectsIn(api, mailbox.id, 'INBOX'), poll)
        .toEqual(['first', 'later in inbox', 'second']);
      await expect
        .poll(() => subjectsIn(api, mailbox.id, 'INBOX.Archive'), poll)
        .toEqual(['archived', 'later in archive']);
      await expect
        .poll(() => shown(owner, mailbox.id), poll)
        .toEqual({
          state: 'idle',
          error: null,
          folders: { INBOX: [3, 3], 'INBOX.Archive': [2, 2], 'INBOX.Sent': [0, 0], 'INBOX.Drafts': [0, 0] },
        });
    },
    TEST_TIMEOUT,
  );

  it(
    'carries a move from INBOX to INBOX.Archive to the server, keeping the Tandem id and the counts',
    async () => {
      const { user, owner, mailbox } = await setUp();
      await waitIdle(api, owner.auth, mailbox.id);
      const id = (await storedLocations(api, mailbox.id)).find((l) => l.subject === 'first')?.messageId;
      const patch = await api.app.inject({
        method: 'PATCH',
        url: `/api/v1/messages/${id}`,
        headers: owner.auth,
        payload: { folder: 'INBOX.Archive' },
      });
      expect(patch.statusCode).toBe(200);
      await expect
        .poll(async () => (await serverSubjects(servers, user, 'INBOX.Archive')).sort(), poll)
        .toEqual(['archived', 'first']);
      await expect.poll(() => serverSubjects(servers, user, 'INBOX'), poll).toEqual(['second']);
      await expect
        .poll(
          async () =>
            (await storedLocations(api, mailbox.id))
              .filter((l) => l.subject === 'first')
              .map((l) => [l.folder, l.messageId, l.uid > 0]),
          poll,
        )
        .toEqual([['INBOX.Archive', id, true]]);
      await expect
        .poll(() => shown(owner, mailbox.id), poll)
        .toEqual({
          state: 'idle',
          error: null,
          folders: { INBOX: [1, 1], 'INBOX.Archive': [2, 2], 'INBOX.Sent': [0, 0], 'INBOX.Drafts': [0, 0] },
        });
    },
    TEST_TIMEOUT,
  );

  it(
    'delivers a message sent from Tandem and files its copy in INBOX.Sent exactly once',
    async () => {
      const { user, owner, mailbox } = await setUp();
      const recipient = await server.newUser('recipient');
      await waitIdle(api, owner.auth, mailbox.id);
      const response = await api.app.inject({
        method: 'POST',
        url: '/api/v1/messages/send',
        headers: owner.auth,
        payload: { mailboxId: mailbox.id, to: [recipient.address], subject: 'Sent through Courier', text: 'Hello.' },
      });
      expect(response.statusCode).toBe(202);
      await expect
        .poll(() => serverSubjects(server.recipients, recipient, 'INBOX'), poll)
        .toEqual(['Sent through Courier']);
      await expect
        .poll(
          async () =>
            (await serverCopies(servers, user, 'INBOX.Sent')).map((c) => c.flags.filter((f) => f !== '\\Recent')),
          poll,
        )
        .toEqual([['\\Seen']]);
      await expect.poll(() => subjectsIn(api, mailbox.id, 'INBOX.Sent'), poll).toEqual(['Sent through Courier']);
      await expect
        .poll(() => shown(owner, mailbox.id), poll)
        .toEqual({
          state: 'idle',
          error: null,
          folders: { INBOX: [2, 2], 'INBOX.Archive': [1, 1], 'INBOX.Sent': [1, 1], 'INBOX.Drafts': [0, 0] },
        });
      expect(await serverCopies(servers, user, 'INBOX.Sent')).toHaveLength(1);
      // No folder of Tandem's own making (a top-level "Sent"): the server's INBOX.Sent was found.
      const other = await otherClient(servers, user);
      const paths = (await other.list()).map((f) => f.path).sort();
      await other.logout();
      expect(paths).toEqual(
        ['INBOX', 'INBOX.Archive', 'INBOX.Drafts', 'INBOX.Sent', 'INBOX.Trash', ...(real ? [] : ['INBOX.Junk'])].sort(),
      );
    },
    TEST_TIMEOUT,
  );
});
