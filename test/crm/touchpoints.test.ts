// Replies, auto-replies and bounces as real mail brings them (Dovecot + Postfix),
// and the touchpoints they give a contact, on SQLite and PostgreSQL. Opens and
// clicks stand in as rows of tracking_events (their endpoints are tested apart).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onTrackingEvents } from '../../src/crm/index.ts';
import { signedInUser } from '../support/api.ts';
import { createMailUser, deliver, mailServers, sendViaPostfix } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import { connectTestMailbox, rawMessage, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 60_000, interval: 250 };
const dialects = await storeDialects();
const CORPUS_DSN = fileURLToPath(
  new URL('../../../shared/corpus/nodemailer-mailparser/delivery-status.eml', import.meta.url),
);

interface Touchpoints {
  lastContactedAt: string | null;
  lastRepliedAt: string | null;
  lastEngagedAt: string | null;
  emailsOut: number;
  emailsIn: number;
  opens: number;
  clicks: number;
  replies: number;
}
interface SendEngagement {
  bounced: { address: string; status: string | null; reason: string }[];
  opens: number;
  otherOpens: number;
  clicks: { url: string; count: number }[];
  replies: { from: string }[];
  autoReplies: { from: string; reason: string | null }[];
}
interface Engagement {
  touchpoints: Touchpoints;
  bouncing: { address: string; status: string | null; reason: string }[];
  weeks: { emailsOut: number; emailsIn: number; opens: number; replies: number }[];
  items: { subject: string; direction: string; answer: string | null; send: SendEngagement | null }[];
}

describe.each(dialects)('replies, auto-replies, bounces and touchpoints (%s, real Dovecot and Postfix)', (dialect) => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  beforeAll(async () => {
    servers = mailServers();
    api = await startSyncApi(dialect);
  }, 120_000);
  afterAll(() => api.close());

  async function setUp() {
    const alice = await createMailUser(servers, 'alice');
    const { owner, mailbox } = await connectTestMailbox(api, servers, alice, { syncPeriod: '1m' });
    await waitIdle(api, owner.auth, mailbox.id);
    const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const r = await api.app.inject({
        method,
        url: `/api/v1${url}`,
        headers: owner.auth,
        ...(payload ? { payload } : {}),
      });
      return { status: r.statusCode, body: r.json<Record<string, unknown>>() };
    };
    const contact = async (address: string, shared = true) => {
      const r = await call('POST', '/contacts', { firstName: address.split('-')[0], emails: [address], shared });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const send = async (to: string, subject: string) => {
      const r = await call('POST', '/messages/send', {
        mailboxId: mailbox.id,
        to: [to],
        subject,
        text: `About ${subject}`,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return r.body as { id: string; messageId: string; warnings: { address: string; reason: string }[] };
    };
    const engagement = async (id: string) =>
      (await call('GET', `/contacts/${id}/engagement`)).body as unknown as Engagement;
    return { alice, owner, mailbox, call, contact, send, engagement };
  }

  /** Mail from `from` to alice through Postfix, as another mail system would send it. */
  const mailTo = (alice: MailUser, from: string, raw: string) =>
    sendViaPostfix(servers, { from, to: alice.address, raw });

  it('a reply marks the send replied, an auto-reply is shown as one and never counts, opens and clicks are human only', async () => {
    const { alice, call, contact, send, engagement } = await setUp();
    const bob = await createMailUser(servers, 'bob');
    const bobId = await contact(bob.address);
    const other = await contact((await createMailUser(servers, 'carol')).address);
    const sent = await send(bob.address, 'Proposal');
    expect(sent.warnings).toEqual([]);
    await expect.poll(async () => (await engagement(bobId)).touchpoints.emailsOut, poll).toBe(1);

    // Two opens (one by a privacy proxy) and a click on the one link, as the tracking endpoints record them.
    const db = api.context.store.db;
    const now = Date.now();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('tracked_links')
        .values({ send_id: sent.id, link_index: 0, url: 'https://example.org/pricing' })
        .execute();
      const event = { send_id: sent.id, recipient: bob.address, reason: null, ip_prefix: null, user_agent: null };
      await trx
        .insertInto('tracking_events')
        .values([
          { ...event, kind: 'open', link_index: null, classification: 'human', at: now },
          { ...event, kind: 'open', link_index: null, classification: 'privacy_proxy', at: now },
          { ...event, kind: 'click', link_index: 0, classification: 'human', at: now + 1 },
        ])
        .execute();
      await onTrackingEvents(trx, [sent.id]);
    });
    let view = await engagement(bobId);
    expect([view.touchpoints.opens, view.touchpoints.clicks]).toEqual([1, 1]);
    expect(view.touchpoints.lastEngagedAt).toBe(new Date(now + 1).toISOString());

    // An auto-reply threaded to the send (RFC 3834), delivered by Postfix.
    const auto = rawMessage('Automatic reply: Proposal', {
      from: bob.address,
      to: alice.address,
      inReplyTo: sent.messageId,
    }).replace('MIME-Version: 1.0', 'Auto-Submitted: auto-replied\r\nMIME-Version: 1.0');
    await mailTo(alice, bob.address, auto);
    await expect.poll(async () => (await engagement(bobId)).touchpoints.emailsIn, poll).toBe(1);
    view = await engagement(bobId);
    expect(view.touchpoints.replies).toBe(0);
    expect(view.touchpoints.lastRepliedAt).toBeNull();
    const proposal = () => view.items.find((i) => i.subject === 'Proposal' && i.direction === 'out')?.send;
    expect(proposal()?.autoReplies).toEqual([
      { from: bob.address, at: expect.any(String), reason: 'Auto-Submitted: auto-replied' },
    ]);
    expect(proposal()?.replies).toEqual([]);
    expect(view.items.find((i) => i.subject === 'Automatic reply: Proposal')?.answer).toBe('auto_reply');

    // Bob's own reply.
    await mailTo(
      alice,
      bob.address,
      rawMessage('Re: Proposal', { from: bob.address, to: alice.address, inReplyTo: sent.messageId }),
    );
    await expect.poll(async () => (await engagement(bobId)).touchpoints.replies, poll).toBe(1);
    view = await engagement(bobId);
    expect(view.touchpoints).toMatchObject({ emailsOut: 1, emailsIn: 2, opens: 1, clicks: 1, replies: 1 });
    expect(view.touchpoints.lastRepliedAt).not.toBeNull();
    expect(proposal()).toMatchObject({
      opens: 1,
      otherOpens: 1,
      clicks: [{ url: 'https://example.org/pricing', count: 1 }],
      replies: [{ from: bob.address }],
    });
    expect(view.items.map((i) => i.subject)).toEqual(['Re: Proposal', 'Automatic reply: Proposal', 'Proposal']);
    expect(view.weeks.at(-1)).toEqual({
      weekStart: expect.any(String),
      emailsOut: 1,
      emailsIn: 2,
      opens: 1,
      replies: 1,
    });
    expect(view.weeks).toHaveLength(12);

    // The contact list filters and sorts by touchpoints.
    const ids = async (query: string) =>
      ((await call('GET', `/contacts?${query}`)).body.items as { id: string; touchpoints: Touchpoints }[]).map(
        (c) => c.id,
      );
    expect((await ids('sort=lastReplied'))[0]).toBe(bobId);
    const byContact = await ids('sort=lastContacted');
    expect(byContact.indexOf(bobId)).toBeLessThan(byContact.indexOf(other)); // never contacted: last
    expect(await ids('minReplies=1')).toEqual([bobId]);
    expect(await ids(`repliedSince=${encodeURIComponent(new Date(now - 60_000).toISOString())}`)).toEqual([bobId]);
    expect(await ids('notContactedSince=2000-01-01T00:00:00Z')).toContain(other);
    expect(await ids('notContactedSince=2000-01-01T00:00:00Z')).not.toContain(bobId);
    const bad = await call('GET', '/contacts?repliedSince=yesterday');
    expect([bad.status, (bad.body.error as { code: string }).code]).toEqual([400, 'validation_failed']);
    const listed = (await call('GET', `/contacts/${bobId}`)).body.touchpoints as Touchpoints;
    expect(listed).toMatchObject({ replies: 1, opens: 1, emailsOut: 1 });
  }, 180_000);

  it('a bounce from Postfix marks the address bouncing with its reason, warns the next send, and clears on mail from it', async () => {
    const { alice, call, contact, send, engagement } = await setUp();
    // No such user: Postfix takes the mail, Dovecot's LMTP refuses it, Postfix bounces it to alice.
    const ghost = `ghost-${Date.now()}@example.test`;
    const ghostId = await contact(ghost, false);
    const first = await send(ghost, 'Hello ghost');
    expect(first.warnings).toEqual([]);
    await expect.poll(async () => (await engagement(ghostId)).bouncing.length, poll).toBe(1);
    const view = await engagement(ghostId);
    expect(view.bouncing[0]).toMatchObject({ address: ghost, status: '5.1.1' });
    expect(view.bouncing[0]?.reason).toMatch(/User doesn't exist/);
    // The copy in Sent may be synced after the report: the timeline shows the bounce once both are in.
    const sentItem = async () => (await engagement(ghostId)).items.find((i) => i.subject === 'Hello ghost')?.send;
    await expect.poll(async () => (await sentItem())?.bounced.map((b) => b.address), poll).toEqual([ghost]);
    expect((await sentItem())?.replies).toEqual([]); // a bounce is no reply

    // Compose asks first; the send itself says so too.
    const check = await call('GET', `/bounces?addresses=${encodeURIComponent(`${ghost},nobody@example.test`)}`);
    expect((check.body.items as { address: string }[]).map((b) => b.address)).toEqual([ghost]);
    const stranger = await signedInUser(api);
    const hidden = await api.app.inject({
      method: 'GET',
      url: `/api/v1/bounces?addresses=${encodeURIComponent(ghost)}`,
      headers: stranger.auth,
    });
    expect(hidden.json<{ items: unknown[] }>().items).toEqual([]); // the contact is not shared, the report not theirs
    const second = await send(ghost, 'Hello again');
    expect(second.warnings).toEqual([{ code: 'bouncing_recipient', address: ghost, reason: view.bouncing[0]?.reason }]);
    const bouncesOf = () =>
      api.context.store.db.selectFrom('bounces').select('send_id').where('address', '=', ghost).execute();
    await expect.poll(async () => (await bouncesOf()).length, poll).toBe(2);
    expect((await bouncesOf()).map((b) => b.send_id).sort()).toEqual([first.id, second.id].sort());

    // A corpus report delivered to the mailbox: its recipient bounces, known to the mailbox's owner.
    await deliver(servers, alice.username, readFileSync(CORPUS_DSN));
    await expect
      .poll(async () => ((await call('GET', '/bounces?addresses=xxxx@xxxx.com')).body.items as unknown[]).length, poll)
      .toBe(1);

    // The address works after all: mail from it clears the bounce.
    await sendViaPostfix(servers, {
      from: ghost,
      to: alice.address,
      raw: rawMessage('I do exist', { from: ghost, to: alice.address }),
    });
    await expect.poll(async () => (await engagement(ghostId)).bouncing.length, poll).toBe(0);
  }, 180_000);
});
