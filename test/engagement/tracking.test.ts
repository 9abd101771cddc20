// Open and click tracking through the API, on both stores, with real Dovecot and Postfix:
// what each recipient receives, what is filed in Sent, who may see the events, and how
// requests to the public endpoints are told apart (docs/engagement.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/db/index.ts';
import { purgeExpiredEvents } from '../../src/engagement/index.ts';
import { parseMessage } from '../../src/mail/mime/index.ts';
import { SESSION_COOKIE } from '../../src/api/authenticate.ts';
import { signedInUser } from '../support/api.ts';
import { createMailUser, mailServers, serverCopies } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import { connectTestMailbox, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const PUBLIC_URL = 'https://tandem.example.test';
const poll = { timeout: 30_000, interval: 200 };
const HTML =
  '<p>Hello,</p><p>See <a href="https://shop.example.com/offer?id=7&amp;ref=mail">the offer</a> ' +
  'and <a href="https://docs.example.com/guide">the guide</a>, or <a href="mailto:help@example.com">write</a>.</p>';
const TRACKING_URL = /https:\/\/tandem\.example\.test\/t\/(o|c)\/([A-Za-z0-9_-]+?)(?:\.gif)?"/g;

/** The tracking paths in a received message's HTML: the pixel's and the redirects', in order. */
async function marksIn(raw: Buffer): Promise<{ pixel: string[]; clicks: string[]; html: string }> {
  const html = (await parseMessage(raw)).html ?? '';
  const found = [...html.matchAll(TRACKING_URL)];
  return {
    pixel: found.filter((m) => m[1] === 'o').map((m) => `/t/o/${m[2]}.gif`),
    clicks: found.filter((m) => m[1] === 'c').map((m) => `/t/c/${m[2]}`),
    html,
  };
}

describe.each(await storeDialects())('tracking on %s', (dialect: Dialect) => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  beforeAll(async () => {
    servers = mailServers();
    api = await startSyncApi(dialect, undefined, { publicUrl: PUBLIC_URL });
  });
  afterAll(() => api?.close());

  async function setUp() {
    const alice = await createMailUser(servers, 'alice');
    const bob = await createMailUser(servers, 'bob');
    const { owner, mailbox } = await connectTestMailbox(api, servers, alice, { syncPeriod: '1m' });
    await waitIdle(api, owner.auth, mailbox.id);
    const send = async (body: Record<string, unknown>) => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/api/v1/messages/send',
        headers: owner.auth,
        payload: { mailboxId: mailbox.id, subject: 'The offer', html: HTML, ...body },
      });
      expect(response.statusCode, response.body).toBe(202);
      return response.json<{ id: string; messageId: string }>();
    };
    return { alice, bob, owner, mailbox, send };
  }

  const inbox = async (user: MailUser) => {
    await expect.poll(async () => (await serverCopies(servers, user, 'INBOX')).length, poll).toBe(1);
    const [copy] = await serverCopies(servers, user, 'INBOX');
    return copy!.source;
  };
  const events = (sendId: string) =>
    api.context.store.db
      .selectFrom('tracking_events')
      .selectAll()
      .where('send_id', '=', sendId)
      .orderBy('id')
      .execute();
  /** The Tandem id of the copy in Sent, once synced. */
  const storedId = async (messageId: string): Promise<number> => {
    let id: number | undefined;
    await expect
      .poll(async () => {
        const row = await api.context.store.db
          .selectFrom('messages')
          .select('id')
          .where('message_id', '=', messageId)
          .executeTakeFirst();
        id = row?.id;
        return id;
      }, poll)
      .toBeDefined();
    return id!;
  };
  /** As if the email had gone out a minute ago: a click now is not "within seconds of sending". */
  const sentAMinuteAgo = (sendId: string) =>
    api.context.store.db
      .updateTable('sends')
      .set({ created_at: Date.now() - 60_000 })
      .where('id', '=', sendId)
      .execute();
  const hit = (url: string, options: { method?: 'GET' | 'HEAD'; ip?: string; agent?: string; cookie?: string } = {}) =>
    api.app.inject({
      method: options.method ?? 'GET',
      url,
      remoteAddress: options.ip ?? '198.51.100.23',
      headers: {
        'user-agent': options.agent ?? 'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0',
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
    });

  it('marks each recipient’s copy with their own tokens, Bcc included, and files the unmarked original in Sent', async () => {
    const { alice, bob, send } = await setUp();
    const carol = await createMailUser(servers, 'carol');
    const sent = await send({ to: [bob.address], bcc: [carol.address], track: true });

    const [bobs, carols] = await Promise.all([marksIn(await inbox(bob)), marksIn(await inbox(carol))]);
    for (const marks of [bobs, carols]) {
      expect(marks.pixel).toHaveLength(1);
      expect(marks.clicks).toHaveLength(2);
      expect(marks.html).toContain('href="mailto:help@example.com"');
      expect(marks.html).not.toContain('shop.example.com');
    }
    expect(bobs.pixel[0]).not.toBe(carols.pixel[0]);
    expect(bobs.clicks[0]).not.toBe(carols.clicks[0]);
    expect((await parseMessage(await inbox(carol))).bcc).toEqual([]);

    await expect.poll(async () => (await serverCopies(servers, alice, 'Sent')).length, poll).toBe(1);
    const [filed] = await serverCopies(servers, alice, 'Sent');
    const filedText = filed!.source.toString();
    expect(filedText).not.toContain('/t/o/');
    expect(filedText).not.toContain(PUBLIC_URL);
    expect((await parseMessage(filed!.source)).html).toContain('https://shop.example.com/offer?id=7&amp;ref=mail');
    const row = await api.context.store.db
      .selectFrom('sends')
      .select(['tracked', 'raw_blob', 'state'])
      .where('id', '=', sent.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ tracked: 1, state: 'sent' });
    expect(filed!.source.equals(await api.context.blobs.get(row.raw_blob))).toBe(true);
    const links = await api.context.store.db
      .selectFrom('tracked_links')
      .select(['link_index', 'url'])
      .where('send_id', '=', sent.id)
      .orderBy('link_index')
      .execute();
    expect(links).toEqual([
      { link_index: 0, url: 'https://shop.example.com/offer?id=7&ref=mail' },
      { link_index: 1, url: 'https://docs.example.com/guide' },
    ]);
  });

  it('adds no marks by default to one-to-one email, to plain text, nor to a contact marked do not track', async () => {
    const { bob, owner, send } = await setUp();
    const untracked = await send({ to: [bob.address] });
    expect((await marksIn(await inbox(bob))).pixel).toEqual([]);

    const admin = await signedInUser(api, { admin: true });
    const settings = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/tracking-settings',
      headers: admin.auth,
      payload: { trackOneToOne: true, retentionDays: 30 },
    });
    expect(settings.statusCode).toBe(200);
    const dan = await createMailUser(servers, 'dan');
    const contact = await api.app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: owner.auth,
      payload: { firstName: 'Dan', emails: [dan.address], doNotTrack: true },
    });
    expect(contact.statusCode, contact.body).toBe(201);
    expect(contact.json()).toMatchObject({ doNotTrack: true });
    const erin = await createMailUser(servers, 'erin');
    const text = await createMailUser(servers, 'text');
    await send({ to: [dan.address, erin.address] });
    await send({ to: [text.address], html: undefined, text: 'Plain words https://shop.example.com/' });
    expect((await marksIn(await inbox(dan))).pixel).toEqual([]);
    expect((await marksIn(await inbox(erin))).pixel).toHaveLength(1);
    expect((await inbox(text)).toString()).not.toContain(PUBLIC_URL);

    const asChosen = await createMailUser(servers, 'off');
    await send({ to: [asChosen.address], track: false });
    expect((await marksIn(await inbox(asChosen))).pixel).toEqual([]);
    const bad = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/tracking-settings',
      headers: admin.auth,
      payload: { trackOneToOne: 'yes', retentionDays: 0 },
    });
    expect(bad.statusCode).toBe(400);
    const notAdmin = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/tracking-settings',
      headers: owner.auth,
      payload: { trackOneToOne: false, retentionDays: 1 },
    });
    expect(notAdmin.statusCode).toBe(403);
    const policy = await api.app.inject({ method: 'GET', url: '/api/v1/tracking-settings', headers: owner.auth });
    expect(policy.json()).toEqual({ trackOneToOne: true, retentionDays: 30 });
    await api.app.inject({
      method: 'PUT',
      url: '/api/v1/tracking-settings',
      headers: admin.auth,
      payload: { trackOneToOne: false, retentionDays: 180 },
    });
    expect(await events(untracked.id)).toEqual([]);
  });

  it('records a genuine open and click, redirects only to the stored URL, and refuses altered tokens', async () => {
    const { bob, owner, send } = await setUp();
    const contact = await api.app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: owner.auth,
      payload: { firstName: 'Bob', emails: [bob.address] },
    });
    expect(contact.statusCode, contact.body).toBe(201);
    const touchpoints = async () =>
      (
        await api.app.inject({ method: 'GET', url: `/api/v1/contacts/${contact.json().id}`, headers: owner.auth })
      ).json<{ touchpoints: { emailsOut: number; opens: number; clicks: number; lastEngagedAt: string | null } }>()
        .touchpoints;
    const sent = await send({ to: [bob.address], track: true });
    const marks = await marksIn(await inbox(bob));
    await sentAMinuteAgo(sent.id);
    // The Sent copy is synced and linked to Bob's contact before anyone opens it.
    await expect.poll(async () => (await touchpoints()).emailsOut, poll).toBe(1);

    const open = await hit(marks.pixel[0]!);
    expect(open.statusCode).toBe(200);
    expect(open.headers['content-type']).toBe('image/gif');
    expect(open.headers['cache-control']).toContain('no-store');
    const click = await hit(marks.clicks[1]!);
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://docs.example.com/guide');

    const token = marks.clicks[0]!.slice('/t/c/'.length);
    const altered = `/t/c/${token.slice(0, 10)}${token[10] === 'x' ? 'y' : 'x'}${token.slice(11)}`;
    for (const url of [altered, '/t/c/not-a-token', `/t/o/${token}.gif`, `${marks.clicks[0]}?to=https://evil.test`]) {
      const answer = await hit(url);
      if (url.includes('evil')) {
        expect(answer.headers.location).toBe('https://shop.example.com/offer?id=7&ref=mail');
        continue;
      }
      expect(answer.statusCode, url).toBe(404);
      expect(answer.headers.location).toBeUndefined();
      expect(answer.headers['content-type']).toContain('text/html');
      expect(answer.body).not.toContain(bob.address);
    }
    const recorded = await events(sent.id);
    expect(recorded.map((e) => [e.kind, e.link_index, e.classification, e.recipient, e.ip_prefix])).toEqual([
      ['open', null, 'human', bob.address, '198.51.100.0/24'],
      ['click', 1, 'human', bob.address, '198.51.100.0/24'],
      ['click', 0, 'human', bob.address, '198.51.100.0/24'],
    ]);
    // The contact's touchpoints follow the recorded events within a moment.
    await expect.poll(async () => (await touchpoints()).clicks, poll).toBe(2);
    expect(await touchpoints()).toMatchObject({ opens: 1, clicks: 2 });
    expect((await touchpoints()).lastEngagedAt).not.toBeNull();
  });

  it('classifies privacy proxies, scanners and the sender’s own session, and counts people apart', async () => {
    const { bob, owner, send } = await setUp();
    const sent = await send({ to: [bob.address], track: true });
    const marks = await marksIn(await inbox(bob));
    const [first, second] = marks.clicks as [string, string];

    // Within seconds of sending: a scanner's click.
    expect((await hit(first)).statusCode).toBe(302);
    await sentAMinuteAgo(sent.id);
    await hit(marks.pixel[0]!, {
      agent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
    });
    await hit(marks.pixel[0]!, { ip: '17.58.63.10', agent: 'Mozilla/5.0' });
    expect((await hit(second, { method: 'HEAD' })).statusCode).toBe(302);
    await hit(marks.pixel[0]!, { cookie: `${SESSION_COOKIE}=${owner.token}` });
    await hit(marks.pixel[0]!);
    const classes = (await events(sent.id)).map((e) => [e.kind, e.classification, e.ip_prefix]);
    expect(classes).toEqual([
      ['click', 'scanner', '198.51.100.0/24'],
      ['open', 'privacy_proxy', '198.51.100.0/24'],
      ['open', 'privacy_proxy', '17.58.63.0/24'],
      ['click', 'scanner', '198.51.100.0/24'],
      ['open', 'sender', '198.51.100.0/24'],
      ['open', 'human', '198.51.100.0/24'],
    ]);

    const messageRowId = await storedId(sent.messageId);
    const engagement = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages/${messageRowId}/engagement`,
      headers: owner.auth,
    });
    expect(engagement.statusCode).toBe(200);
    expect(engagement.json()).toMatchObject({
      tracked: true,
      recipients: [{ address: bob.address, opens: 1, clicks: 0, otherOpens: 3, otherClicks: 2 }],
    });
    const outsider = await signedInUser(api);
    const hidden = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages/${messageRowId}/engagement`,
      headers: outsider.auth,
    });
    expect(hidden.statusCode).toBe(404);
  });

  it('takes several links clicked at once for a scanner, the first ones included', async () => {
    const { bob, send } = await setUp();
    const sent = await send({
      to: [bob.address],
      track: true,
      html: `${HTML}<a href="https://three.example.com/">three</a>`,
    });
    const marks = await marksIn(await inbox(bob));
    await sentAMinuteAgo(sent.id);
    for (const url of marks.clicks) expect((await hit(url)).statusCode).toBe(302);
    expect((await events(sent.id)).map((e) => [e.link_index, e.classification])).toEqual([
      [0, 'scanner'],
      [1, 'scanner'],
      [2, 'scanner'],
    ]);
  });

  it('purges events older than the retention period', async () => {
    const { bob, send } = await setUp();
    const sent = await send({ to: [bob.address], track: true });
    const marks = await marksIn(await inbox(bob));
    await hit(marks.pixel[0]!);
    await hit(marks.pixel[0]!);
    const [old] = await events(sent.id);
    await api.context.store.db
      .updateTable('tracking_events')
      .set({ at: Date.now() - 181 * 24 * 3600_000 })
      .where('id', '=', old!.id)
      .execute();
    expect(await purgeExpiredEvents(api.context.store.db)).toBe(1);
    expect(await events(sent.id)).toHaveLength(1);
  });
});
