import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { signedInUser } from '../support/api.ts';
import { createMailUser, mailServers, serverSubjects } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import { connectTestMailbox, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

interface SendItem {
  id: string;
  state: string;
  subject: string | null;
  to: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (list: string[], subject: string) => list.filter((s) => s === subject).length;

/**
 * The SMTP connection is cut the moment Postfix answers the end of the message:
 * Postfix took it (it is delivered), Tandem never heard so. The send is
 * uncertain until the message is found: then it is sent, with one Sent copy.
 */
describe.each(['sqlite', 'postgres'] as const)('a send cut off after the final dot (%s)', (dialect) => {
  const servers = mailServers();
  let api: SyncTestApi;
  let proxy: FaultProxy;
  let skip = false;
  beforeAll(async () => {
    skip = !(await storeDialects()).includes(dialect);
    if (skip) return;
    // Uncertain sends are looked for once per full check: every 2 s here.
    api = await startSyncApi(dialect, { fullCheckMs: 2000, keepaliveMs: 1000 });
    proxy = await startFaultProxy(servers.smtp, { cutReplyAfter: '\r\n.\r\n' });
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
  });

  it(
    'is listed as uncertain, then found delivered, marked sent and filed in Sent once',
    { timeout: 90_000 },
    async () => {
      if (skip) return;
      const sender = await createMailUser(servers, 'uncertain');
      const stranger = await createMailUser(servers, 'stranger');
      const { owner, mailbox } = await connectTestMailbox(
        api,
        { ...servers, smtp: { host: proxy.host, port: proxy.port } },
        sender,
        { syncPeriod: '1m' },
      );
      await waitIdle(api, owner.auth, mailbox.id);
      const send = async (to: string, subject: string) => {
        const response = await api.app.inject({
          method: 'POST',
          url: '/api/v1/messages/send',
          headers: owner.auth,
          payload: { mailboxId: mailbox.id, to: [to], subject, text: 'Did it go?' },
        });
        expect(response.statusCode).toBe(502);
        const { error } = response.json<{ error: { code: string; details: { sendId: string; state: string } } }>();
        expect(error).toMatchObject({ code: 'send_failed', details: { state: 'uncertain' } });
        return error.details.sendId;
      };
      const list = async (query = '') => {
        const response = await api.app.inject({ method: 'GET', url: `/api/v1/sends${query}`, headers: owner.auth });
        expect(response.statusCode).toBe(200);
        return response.json<{ items: SendItem[] }>().items;
      };

      // To itself: the copy the recipient sees arrives in a folder Tandem syncs.
      const toSelf = await send(sender.address, 'To myself');
      // To a mailbox Tandem does not sync: nothing can tell whether it went.
      const toStranger = await send(stranger.address, 'To a stranger');
      expect(proxy.cuts()).toBe(2);
      expect((await list('?state=uncertain')).map((s) => [s.id, s.subject, s.to])).toEqual([
        [toStranger, 'To a stranger', [stranger.address]],
        [toSelf, 'To myself', [sender.address]],
      ]);

      // Settled by the next full check once the copy is in INBOX: sent, and its Sent copy filed.
      await expect
        .poll(async () => (await list()).find((s) => s.id === toSelf)?.state, { timeout: 30_000, interval: 250 })
        .toBe('sent');
      await expect.poll(() => serverSubjects(servers, sender, 'Sent'), { timeout: 30_000 }).toEqual(['To myself']);
      // Several more full checks: still one copy in Sent, one delivery; the other stays uncertain, with no Sent copy.
      await sleep(7000);
      expect(await serverSubjects(servers, sender, 'Sent')).toEqual(['To myself']);
      expect(count(await serverSubjects(servers, sender, 'INBOX'), 'To myself')).toBe(1);
      expect(count(await serverSubjects(servers, stranger, 'INBOX'), 'To a stranger')).toBe(1);
      expect((await list()).map((s) => [s.subject, s.state])).toEqual([
        ['To a stranger', 'uncertain'],
        ['To myself', 'sent'],
      ]);
    },
  );

  it('shows a user only the sends of their own mailboxes, and refuses an unknown state', async () => {
    if (skip) return;
    const other = await signedInUser(api);
    const listed = await api.app.inject({ method: 'GET', url: '/api/v1/sends', headers: other.auth });
    expect(listed.json()).toEqual({ items: [] });
    const mine = await api.context.store.db.selectFrom('sends').select('id').executeTakeFirstOrThrow();
    const single = await api.app.inject({ method: 'GET', url: `/api/v1/sends/${mine.id}`, headers: other.auth });
    expect(single.statusCode).toBe(404);
    const bad = await api.app.inject({ method: 'GET', url: '/api/v1/sends?state=lost', headers: other.auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: { code: 'validation_failed', message: expect.stringMatching(/unknown state\(s\) lost/) },
    });
  });
});
