import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapOptions } from '../../src/mail/imap/index.ts';
import { SYNC_TIMING, syncTiming } from '../../src/mail/sync/index.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { createMailUser, deliver, mailServers } from '../support/index.ts';
import { testOutbound } from '../support/stores.ts';
import { connectTestMailbox, mailboxState, rawMessage, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

describe('the sync connection between full checks', () => {
  it('sends NOOP well within a socket timeout set on purpose, not ImapFlow’s 5-minute default', () => {
    expect(SYNC_TIMING.keepaliveMs).toBeLessThan(SYNC_TIMING.socketTimeoutMs);
    // The default timeout equalled the full check: the connection was timed out just as it was next used.
    expect(SYNC_TIMING.socketTimeoutMs).not.toBe(SYNC_TIMING.fullCheckMs);
    expect(() => syncTiming({ keepaliveMs: 5000, socketTimeoutMs: 5000 })).toThrow(/shorter than the socket timeout/);
    const target = { host: 'imap.example.test', address: '192.0.2.1', family: 4 as const };
    const settings = {
      host: 'imap.example.test',
      port: 993,
      security: 'tls' as const,
      username: 'u',
      password: 'p',
      outbound: testOutbound,
    };
    const options = imapOptions(settings, target, { disableAutoIdle: true, socketTimeout: 600_000 });
    expect(options.socketTimeout).toBe(600_000);
  });

  describe('with short clocks: a full check every 3 s, connections timed out after 2.5 s of silence', () => {
    const servers = mailServers();
    let api: SyncTestApi;
    let proxy: FaultProxy;
    beforeAll(async () => {
      api = await startSyncApi('sqlite', { fullCheckMs: 3000, keepaliveMs: 1000, socketTimeoutMs: 2500 });
      proxy = await startFaultProxy(servers.imap);
    });
    afterAll(async () => {
      await api?.close();
      await proxy?.close();
    });

    it('keeps the same connections and never shows an error across many full checks', { timeout: 60_000 }, async () => {
      const user = await createMailUser(servers, 'keepalive');
      await deliver(servers, user.username, rawMessage('Hello'));
      const imap = { host: proxy.host, port: proxy.port };
      const { owner, mailbox } = await connectTestMailbox(api, { ...servers, imap }, user);
      await waitIdle(api, owner.auth, mailbox.id);
      const logins = proxy.connections();
      const states = new Set<string>();
      const until = Date.now() + 15_000; // five full checks
      while (Date.now() < until) {
        const view = await mailboxState(api, owner.auth, mailbox.id);
        states.add(view.error ? `${view.state}: ${view.error}` : view.state);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect([...states]).toEqual(['idle']);
      expect(proxy.connections()).toBe(logins);
    });
  });
});
