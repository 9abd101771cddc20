// One copy of each email in record timelines: a customer's email to support@
// with a member in Cc reaches the member's own mailbox and the group mailbox
// (delivered by Postfix, synced from Dovecot). The contact's timeline shows it
// once to everyone — the viewer's own copy when they have one, never a copy
// they may not read — while each mailbox still lists its own copy.
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/db/index.ts';
import type { MailboxView } from '../../src/mail/mailboxes/index.ts';
import { signedInUser } from '../support/api.ts';
import { createMailUser, mailServers } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import { connectTestMailbox, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 200 };
type User = Awaited<ReturnType<typeof signedInUser>>;
interface Summary {
  id: string;
  mailboxId: string;
  subject: string;
}

describe.each(await storeDialects())('one copy of each email in record timelines, on %s', (dialect: Dialect) => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  let admin: User;
  let ann: User;
  let ben: User;
  let dan: User;
  let annMailbox: MailboxView;
  let support: MailboxView;
  let supportMail: MailUser;
  let annMail: MailUser;
  let customer: MailUser;
  let contactId: string;

  const call = async (who: User, method: string, url: string, payload?: unknown) => {
    const response = await api.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: who.auth,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };
  const timeline = async (who: User, query = 'limit=50') =>
    (await call(who, 'GET', `/contacts/${contactId}/emails?${query}`)).body as {
      items: Summary[];
      nextCursor: string | null;
    };
  const listed = async (who: User, mailboxId: string) =>
    ((await call(who, 'GET', `/messages?mailboxId=${mailboxId}&folder=INBOX&limit=50`)).body.items as Summary[]).map(
      (m) => m.subject,
    );
  /** The customer writes to support@ with Ann in Cc, through Postfix. */
  const customerWrites = async (subject: string) => {
    const transport = nodemailer.createTransport({
      host: servers.smtp.host,
      port: servers.smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: `Carla Customer <${customer.address}>`,
      to: supportMail.address,
      cc: annMail.address,
      subject,
      text: `About: ${subject}`,
      messageId: `<${randomBytes(6).toString('hex')}@customer.example>`,
    });
    transport.close();
  };

  beforeAll(async () => {
    servers = mailServers();
    api = await startSyncApi(dialect);
    admin = await signedInUser(api, { admin: true });
    ben = await signedInUser(api);
    dan = await signedInUser(api);
    annMail = await createMailUser(servers, 'ann');
    supportMail = await createMailUser(servers, 'support');
    customer = await createMailUser(servers, 'customer');
    ({ owner: ann, mailbox: annMailbox } = await connectTestMailbox(api, servers, annMail, { syncPeriod: 'now' }));
    const login = { security: 'none', username: supportMail.username, password: supportMail.password };
    const created = await call(admin, 'POST', '/mailboxes', {
      kind: 'group',
      address: supportMail.address,
      imap: { ...login, host: servers.imap.host, port: servers.imap.port },
      smtp: { ...login, host: servers.smtp.host, port: servers.smtp.port },
      syncPeriod: 'now',
      group: { name: 'Support', members: [{ userId: ann.user.id, canManage: true }, { userId: ben.user.id }] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    support = created.body as unknown as MailboxView;
    // A contact everyone sees: both copies are linked to it by the customer's address.
    const contact = await call(admin, 'POST', '/contacts', {
      firstName: 'Carla',
      emails: [customer.address],
      shared: true,
    });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    contactId = String(contact.body.id);
    await waitIdle(api, ann.auth, annMailbox.id);
    await waitIdle(api, ann.auth, support.id);
  });
  afterAll(async () => {
    await api.close();
  });

  it('shows an email held by a member’s mailbox and the group mailbox once, as the copy each viewer may read', async () => {
    await customerWrites('Where is my parcel');
    // Both mailboxes hold their copy, each listing it as before.
    await expect.poll(async () => listed(ann, annMailbox.id), poll).toEqual(['Where is my parcel']);
    await expect.poll(async () => listed(ben, support.id), poll).toEqual(['Where is my parcel']);
    const [annCopy] = (await call(ann, 'GET', `/messages?mailboxId=${annMailbox.id}&folder=INBOX`)).body
      .items as Summary[];
    const [groupCopy] = (await call(ben, 'GET', `/messages?mailboxId=${support.id}&folder=INBOX`)).body
      .items as Summary[];
    // Both copies are linked to the contact; each viewer's timeline has the email once.
    await expect.poll(async () => (await timeline(admin)).items.length, poll).toBe(1);
    // Ann holds both: her own copies come first, the oldest of them. Ben holds the group's.
    const oldest = String(Math.min(Number(annCopy?.id), Number(groupCopy?.id)));
    expect((await timeline(ann)).items.map((m) => m.id)).toEqual([oldest]);
    expect((await timeline(ben)).items.map((m) => m.id)).toEqual([groupCopy?.id]);
    expect((await timeline(dan)).items).toHaveLength(1);

    // Ann makes her copy private: nobody else ever gets it, they get the group's.
    expect((await call(ann, 'PATCH', `/messages/${annCopy?.id}`, { private: true })).status).toBe(200);
    for (const who of [ben, dan, admin]) expect((await timeline(who)).items.map((m) => m.id)).toEqual([groupCopy?.id]);
    expect((await timeline(ann)).items).toHaveLength(1);

    // A second email: two in the timeline, one per page, no copy twice across pages.
    await customerWrites('Parcel arrived broken');
    await expect.poll(async () => (await timeline(dan)).items.length, poll).toBe(2);
    for (const who of [ann, ben, dan]) {
      const first = await timeline(who, 'limit=1');
      const second = await timeline(who, `limit=1&cursor=${first.nextCursor ?? ''}`);
      expect([...first.items, ...second.items].map((m) => m.subject)).toEqual([
        'Parcel arrived broken',
        'Where is my parcel',
      ]);
      expect(second.nextCursor).toBeNull();
    }
    // Each mailbox still lists both of its own copies.
    await expect.poll(async () => (await listed(ann, annMailbox.id)).length, poll).toBe(2);
    await expect.poll(async () => (await listed(ben, support.id)).length, poll).toBe(2);
  });
});
