import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxView } from '../../src/mail/mailboxes/index.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import {
  connectTestMailbox,
  mailboxState,
  rawMessage,
  startSyncApi,
  storedLocations,
  waitIdle,
} from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

/** `count` messages of about `size` bytes each (random text: it does not compress), APPENDed in one session. */
async function fill(servers: MailServersInfo, user: MailUser, count: number, size: number): Promise<void> {
  const client = await otherClient(servers, user);
  try {
    for (let i = 0; i < count; i += 1) {
      const body = randomBytes((size * 3) / 4)
        .toString('base64')
        .replace(/.{76}/g, '$&\r\n');
      await client.append('INBOX', rawMessage(`Big ${i}`, { body }), ['\\Seen']);
    }
  } finally {
    await client.logout();
  }
}

/** The mail servers as Tandem sees them: IMAP through the proxy. */
function through(servers: MailServersInfo, proxy: FaultProxy): MailServersInfo {
  return { ...servers, imap: { host: proxy.host, port: proxy.port } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a link that breaks once a session has connected', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  let proxy: FaultProxy;
  beforeAll(async () => {
    api = await startSyncApi();
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
  });

  it('backs off more and more when every connection breaks before a batch arrives', { timeout: 90_000 }, async () => {
    const user = await createMailUser(servers, 'cut-early');
    await fill(servers, user, 20, 40_000);
    proxy = await startFaultProxy(servers.imap);
    const { owner, mailbox } = await connectTestMailbox(api, through(servers, proxy), user);
    // From now on every connection is cut after 30 KB: the folder checks pass, no message ever arrives whole.
    proxy.set({ cutAfterBytes: 30_000 });
    const before = proxy.connections();
    await sleep(25_000);
    const logins = proxy.connections() - before;
    const view = await mailboxState(api, owner.auth, mailbox.id);
    await api.engine.stopMailbox(mailbox.id);
    console.log(`logins in 25 s with every connection cut at 30 KB: ${logins} (cuts ${proxy.cuts()})`);
    // Backoff 1, 2, 4, 8, 16 s (jittered) between sessions of two connections each: about a dozen.
    // Without a backoff that grows it was hundreds (16.7 sessions a second).
    expect(proxy.cuts()).toBeGreaterThan(0);
    expect(logins).toBeGreaterThan(0);
    expect(logins).toBeLessThanOrEqual(24);
    expect(view.state).toBe('error');
    expect(view.error).toMatch(/^connection_failed: .*retrying in \d+ s/);
    expect(await storedLocations(api, mailbox.id)).toEqual([]);
    await proxy.close();
  });

  it.each(['sqlite', 'postgres'] as const)(
    'completes a first sync over a link that drops every 300 KB (%s)',
    { timeout: 180_000 },
    async (dialect) => {
      if (!(await storeDialects()).includes(dialect)) return;
      const own = await startSyncApi(dialect);
      const user = await createMailUser(servers, 'drops');
      await fill(servers, user, 60, 20_000);
      const dropping = await startFaultProxy(servers.imap);
      try {
        const { owner, mailbox } = await connectTestMailbox(own, through(servers, dropping), user);
        dropping.set({ cutAfterBytes: 300_000 });
        // A first batch of 25 such messages is 500 KB: it only gets through split.
        const view: MailboxView = await waitIdle(own, owner.auth, mailbox.id);
        expect(view.folders.find((f) => f.path === 'INBOX')?.firstSyncDone).toBe(true);
        const subjects = (await storedLocations(own, mailbox.id)).map((l) => l.subject);
        expect(new Set(subjects).size).toBe(60);
        expect(dropping.cuts()).toBeGreaterThan(0);
        console.log(`first sync of 1.2 MB over a link cut every 300 KB (${dialect}): ${dropping.cuts()} cuts`);
      } finally {
        await own.close();
        await dropping.close();
      }
    },
  );
});
