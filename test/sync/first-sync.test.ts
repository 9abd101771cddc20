import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliver, mailServers, otherClient } from '../support/index.ts';
import {
  appendDated,
  connectTestMailbox,
  rawMessage,
  startSyncApi,
  storedLocations,
  subjectsIn,
  waitIdle,
} from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';
import { openTestContext, storeDialects } from '../support/stores.ts';
import type { TestContext } from '../support/stores.ts';
import type { TestApi } from '../support/api.ts';
import { buildApp } from '../../src/api/index.ts';
import { syncSince } from '../../src/mail/mailboxes/index.ts';
import { newEngine } from '../../src/cli/serve.ts';
import type { SyncControl, SyncEngine } from '../../src/mail/sync/index.ts';

const DAY = 24 * 3600 * 1000;

describe.each(await storeDialects())('connecting a mailbox and its first sync on %s', (dialect) => {
  const servers = mailServers();
  let api: SyncTestApi;
  beforeAll(async () => {
    api = await startSyncApi(dialect);
  });
  afterAll(() => api.close());

  it('syncs the default folders inside the period, never Trash or unchosen folders', async () => {
    const user = await createMailUser(servers);
    const now = Date.now();
    await appendDated(servers, user, 'INBOX', 'two months old', new Date(now - 60 * DAY));
    await appendDated(servers, user, 'INBOX', 'eight months old', new Date(now - 240 * DAY));
    for (const subject of ['recent 1', 'recent 2', 'recent 3'])
      await deliver(servers, user.username, rawMessage(subject));
    await deliver(servers, user.username, rawMessage('sent recently'), { folder: 'Sent' });
    await deliver(servers, user.username, rawMessage('in the trash'), { folder: 'Trash' });
    const other = await otherClient(servers, user);
    const created = await other.mailboxCreate(['Projects', 'Acme']);
    await other.logout();
    await deliver(servers, user.username, rawMessage('custom folder mail'), { folder: created.path });

    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: '3m' });
    expect(mailbox.folders.find((f) => f.path === created.path)).toMatchObject({ enabled: false });
    expect(
      mailbox.folders
        .filter((f) => f.enabled)
        .map((f) => f.specialUse)
        .sort(),
    ).toEqual(['\\Archive', '\\Drafts', '\\Inbox', '\\Sent']);

    const idle = await waitIdle(api, owner.auth, mailbox.id);
    expect(await subjectsIn(api, mailbox.id, 'INBOX')).toEqual(['recent 1', 'recent 2', 'recent 3', 'two months old']);
    expect(await subjectsIn(api, mailbox.id, 'Sent')).toEqual(['sent recently']);
    expect(await subjectsIn(api, mailbox.id, 'Trash')).toEqual([]);
    expect(await subjectsIn(api, mailbox.id, created.path)).toEqual([]);
    expect(idle.progress).toEqual({ done: 5, total: 5 });

    const folders = await api.app.inject({
      method: 'GET',
      url: `/api/v1/mailboxes/${mailbox.id}/server-folders`,
      headers: owner.auth,
    });
    expect(folders.json<{ items: { path: string }[] }>().items.map((f) => f.path)).toEqual(
      expect.arrayContaining(['INBOX', 'Trash', created.path]),
    );
  });

  it('fetches the newest messages first', async () => {
    const user = await createMailUser(servers);
    const now = Date.now();
    for (let i = 0; i < 60; i += 1)
      await appendDated(
        servers,
        user,
        'INBOX',
        `message ${String(i).padStart(2, '0')}`,
        new Date(now - (60 - i) * 3600 * 1000),
      );
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: '1m', folders: ['INBOX'] });
    await waitIdle(api, owner.auth, mailbox.id);
    const byInsertion = await api.context.store.db
      .selectFrom('messages')
      .select(['subject'])
      .where('mailbox_id', '=', mailbox.id)
      .orderBy('id')
      .execute();
    // The first batch holds the newest messages, newest first.
    expect(byInsertion.slice(0, 3).map((m) => m.subject)).toEqual(['message 59', 'message 58', 'message 57']);
    expect(byInsertion).toHaveLength(60);
  });

  it('with the period "now" syncs nothing from before, then every new email', async () => {
    const user = await createMailUser(servers);
    await deliver(servers, user.username, rawMessage('before setup'));
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    expect(await subjectsIn(api, mailbox.id, 'INBOX')).toEqual([]);
    await deliver(servers, user.username, rawMessage('after setup'));
    await expect.poll(() => subjectsIn(api, mailbox.id, 'INBOX'), { timeout: 30_000 }).toEqual(['after setup']);
  });

  it('refuses a wrong password with auth_failed and saves nothing', async () => {
    const user = await createMailUser(servers);
    await expect(connectTestMailbox(api, servers, { ...user, password: 'wrong' })).rejects.toThrow(/422.*auth_failed/);
    const count = await api.context.store.db
      .selectFrom('mailboxes')
      .select('id')
      .where('address', '=', user.address)
      .execute();
    expect(count).toEqual([]);
  });

  it('answers an unreachable server with connection_failed', async () => {
    const user = await createMailUser(servers);
    const unreachable = { ...servers, imap: { host: '127.0.0.1', port: 1 } };
    await expect(connectTestMailbox(api, unreachable, user)).rejects.toThrow(/422.*connection_failed/);
  });

  it('allows one personal mailbox per user', async () => {
    const user = await createMailUser(servers);
    const { owner } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now' });
    const second = await api.app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes',
      headers: owner.auth,
      payload: {
        address: user.address,
        imap: {
          host: servers.imap.host,
          port: servers.imap.port,
          security: 'none',
          username: user.username,
          password: user.password,
        },
        smtp: { host: servers.smtp.host, port: servers.smtp.port, security: 'none' },
        syncPeriod: 'now',
      },
    });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: 'mailbox_exists' } });
  });

  it('keeps the sync period fixed', async () => {
    const user = await createMailUser(servers);
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now' });
    const patch = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/mailboxes/${mailbox.id}`,
      headers: owner.auth,
      payload: { syncPeriod: '6m' },
    });
    expect(patch.statusCode).toBe(400);
    expect(patch.json()).toMatchObject({ error: { code: 'sync_period_fixed' } });
    expect(await storedLocations(api, mailbox.id)).toEqual([]);
  });
});

/**
 * The mailbox is saved while its sync is held back (as when the first login to a
 * slow server takes a while), mail arrives meanwhile, then the sync starts.
 */
describe.each(await storeDialects())('the edges of the sync period on %s', (dialect) => {
  const servers = mailServers();
  let context: TestContext;
  let api: TestApi;
  let engine: SyncEngine;
  const held: SyncControl = {
    startMailbox() {},
    stopMailbox: async () => {},
    restartMailbox: async () => {},
    nudge() {},
  };
  beforeAll(async () => {
    context = await openTestContext(dialect);
    api = { app: await buildApp(context, { sync: held }), context, close: async () => {} };
  });
  afterAll(async () => {
    await engine?.stop();
    await api.app.close();
    await context.dispose();
  });

  async function startSync() {
    engine ??= newEngine(context);
    await engine.reconcile();
  }

  it('"now" takes every message that arrives after Save, whatever its date', async () => {
    const user = await createMailUser(servers);
    const started = Date.now();
    await appendDated(servers, user, 'INBOX', 'an hour before', new Date(started - 3600 * 1000));
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now', folders: ['INBOX'] });
    const since = new Date(mailbox.syncSince).getTime();
    // Delivered right after Save: its INTERNALDATE has whole seconds, the period's start has milliseconds.
    await appendDated(servers, user, 'INBOX', 'same second', new Date(Math.floor(since / 1000) * 1000));
    await deliver(servers, user.username, rawMessage('delivered right after'));
    // A server clock behind Tandem's (or an old message moved in by another app) dates it before Save.
    await appendDated(servers, user, 'INBOX', 'dated before, arrived after', new Date(since - 10 * 60 * 1000));
    await startSync();
    await waitIdle(api, owner.auth, mailbox.id);
    expect(await subjectsIn(api, mailbox.id, 'INBOX')).toEqual([
      'dated before, arrived after',
      'delivered right after',
      'same second',
    ]);
  });

  it('a message dated exactly at the first second of a month period is in, one a second older is out', async () => {
    const user = await createMailUser(servers);
    // The period starts a month before Save, in one of the next few seconds: one message per second around then.
    const first = Math.floor(syncSince('1m', Date.now()) / 1000) * 1000;
    const seconds = Array.from({ length: 12 }, (_, i) => first - 2000 + i * 1000);
    for (const at of seconds) await appendDated(servers, user, 'INBOX', `at ${at / 1000}`, new Date(at));
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: '1m', folders: ['INBOX'] });
    const since = new Date(mailbox.syncSince).getTime();
    const boundary = Math.floor(since / 1000) * 1000;
    expect(seconds).toContain(boundary);
    await startSync();
    await waitIdle(api, owner.auth, mailbox.id);
    expect(await subjectsIn(api, mailbox.id, 'INBOX')).toEqual(
      seconds
        .filter((at) => at >= boundary)
        .map((at) => `at ${at / 1000}`)
        .sort(),
    );
  });
});
