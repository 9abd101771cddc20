import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxView } from '../../src/mail/mailboxes/index.ts';
import { parseMessage } from '../../src/mail/mime/index.ts';
import type { ParsedMessage } from '../../src/mail/mime/index.ts';
import { signedInUser } from '../support/api.ts';
import { createMailUser, deliver, mailServers, serverCopies, waitFor } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { rawMessage, startSyncApi, storedLocations, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

type Owner = Awaited<ReturnType<typeof signedInUser>>;
interface Link {
  recordType: string;
  recordId: string;
  source: string;
}
interface Run {
  ruleName: string;
  results: { type: string; created?: string | null; linked?: string[] }[];
}

const poll = { timeout: 30_000, interval: 200 };

/** What another mail app sees in a folder, parsed. */
async function onServer(servers: MailServersInfo, user: MailUser, folder: string): Promise<ParsedMessage[]> {
  return Promise.all((await serverCopies(servers, user, folder)).map((m) => parseMessage(m.source)));
}

describe('the CRM on synced mail (real Dovecot and Postfix)', () => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  beforeAll(async () => {
    servers = mailServers();
    api = await startSyncApi();
  });
  afterAll(() => api.close());

  const call = async (who: Owner, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) => {
    const response = await api.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: who.auth,
      ...(payload ? { payload } : {}),
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };
  const create = async (who: Owner, path: string, body: Record<string, unknown>) => {
    const r = await call(who, 'POST', `/${path}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string };
  };

  /** Connects `user`'s mailbox for `owner` (who may already have rules). */
  async function connect(
    owner: Owner,
    user: MailUser,
    options: { archiveAndCreatePast?: boolean; markIncomingPrivate?: boolean; syncPeriod?: string } = {},
  ): Promise<MailboxView> {
    const account = {
      host: servers.imap.host,
      port: servers.imap.port,
      security: 'none',
      username: user.username,
      password: user.password,
    };
    const r = await call(owner, 'POST', '/mailboxes', {
      address: user.address,
      imap: account,
      smtp: { ...account, host: servers.smtp.host, port: servers.smtp.port },
      syncPeriod: options.syncPeriod ?? '1m',
      archiveAndCreatePast: options.archiveAndCreatePast ?? false,
      markIncomingPrivate: options.markIncomingPrivate ?? false,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as unknown as MailboxView;
  }

  async function messageBySubject(mailboxId: string, subject: string): Promise<string> {
    const id = await waitFor(
      async () => (await storedLocations(api, mailboxId)).find((l) => l.subject === subject)?.messageId,
      { what: `"${subject}" to be synced`, timeoutMs: 30_000 },
    );
    return String(id);
  }

  const rule = (owner: Owner, body: Record<string, unknown>) => create(owner, 'mailroom/rules', body);

  it('links an email from a known contact to the contact, their organization and their open deal', async () => {
    const user = await createMailUser(servers, 'sales');
    const owner = await signedInUser(api);
    const org = await create(owner, 'organizations', { name: 'Initech' });
    const contact = await create(owner, 'contacts', {
      firstName: 'Peter',
      lastName: 'Gibbons',
      emails: ['peter@initech.example'],
      organizationId: org.id,
    });
    const deal = await create(owner, 'deals', { name: 'TPS reports', contactId: contact.id });
    const closed = await create(owner, 'deals', { name: 'Old deal', contactId: contact.id, status: 'won' });
    const mailbox = await connect(owner, user);
    await waitIdle(api, owner.auth, mailbox.id);
    await deliver(
      servers,
      user.username,
      rawMessage('About the reports', { from: 'Peter Gibbons <peter@initech.example>', to: user.address }),
    );
    const id = await messageBySubject(mailbox.id, 'About the reports');
    const links = (await call(owner, 'GET', `/messages/${id}`)).body.links as Link[];
    expect(links.map((l) => [l.recordType, l.recordId]).sort()).toEqual(
      [
        ['contact', contact.id],
        ['deal', deal.id],
        ['organization', org.id],
      ].sort(),
    );
    const history = (await call(owner, 'GET', `/deals/${deal.id}/emails`)).body.items as {
      id: string;
      subject: string;
    }[];
    expect(history.map((m) => [m.id, m.subject])).toEqual([[id, 'About the reports']]);
    expect((await call(owner, 'GET', `/deals/${closed.id}/emails`)).body.items).toEqual([]);
  });

  it('keeps incoming mail of a "mark as private" mailbox off other users’ routes and record timelines until made public', async () => {
    const user = await createMailUser(servers, 'private');
    const owner = await signedInUser(api);
    const colleague = await signedInUser(api);
    const contact = await create(owner, 'contacts', { firstName: 'Nina', emails: ['nina@discreet.example'] });
    const mailbox = await connect(owner, user, { markIncomingPrivate: true });
    await waitIdle(api, owner.auth, mailbox.id);
    await deliver(
      servers,
      user.username,
      rawMessage('Confidential offer', { from: 'nina@discreet.example', to: user.address, body: 'walrus' }),
    );
    const id = await messageBySubject(mailbox.id, 'Confidential offer');
    const history = async (who: Owner) =>
      ((await call(who, 'GET', `/contacts/${contact.id}/emails`)).body.items as { id: string }[]).map((m) => m.id);
    expect(await history(owner)).toEqual([id]);
    expect((await call(owner, 'GET', `/messages/${id}`)).body.private).toBe(true);

    expect(await history(colleague)).toEqual([]);
    for (const url of [`/messages/${id}`, `/messages/${id}/raw`, `/messages/${id}/comments`])
      expect((await call(colleague, 'GET', url)).status, url).toBe(404);
    expect((await call(colleague, 'GET', '/messages?q=walrus')).body.items).toEqual([]);
    expect(
      (await call(colleague, 'POST', `/messages/${id}/links`, { recordType: 'contact', recordId: contact.id })).status,
    ).toBe(404);

    expect((await call(owner, 'PATCH', `/messages/${id}`, { private: false })).status).toBe(200);
    expect(await history(colleague)).toEqual([id]);
    expect((await call(colleague, 'GET', `/messages/${id}`)).status).toBe(200);
  });

  it('creates the record for an unknown sender with a "create" rule, links it and logs the run on the email', async () => {
    const user = await createMailUser(servers, 'support');
    const owner = await signedInUser(api);
    await rule(owner, {
      name: 'Support mail makes a contact and a case',
      conditions: [
        { field: 'subject', op: 'contains', value: 'help' },
        { field: 'from', op: 'domain_is', value: 'customer.example' },
      ],
      actions: [
        { type: 'create', recordType: 'contact' },
        { type: 'create', recordType: 'case' },
      ],
    });
    await rule(owner, {
      name: 'Never matches',
      conditions: [{ field: 'body', op: 'matches', value: '^zzz\\d+$' }],
      actions: [{ type: 'mark_private' }],
    });
    const mailbox = await connect(owner, user);
    await waitIdle(api, owner.auth, mailbox.id);
    await deliver(
      servers,
      user.username,
      rawMessage('Please help: printer on fire', {
        from: 'Milton Waddams <milton@customer.example>',
        to: user.address,
      }),
    );
    await deliver(servers, user.username, rawMessage('Lunch?', { from: 'milton@customer.example', to: user.address }));
    const id = await messageBySubject(mailbox.id, 'Please help: printer on fire');

    const contacts = (await call(owner, 'GET', '/contacts?q=milton')).body.items as {
      id: string;
      firstName: string;
      lastName: string;
      emails: string[];
    }[];
    expect(contacts.map((c) => [c.firstName, c.lastName, c.emails])).toEqual([
      ['Milton', 'Waddams', ['milton@customer.example']],
    ]);
    const cases = (await call(owner, 'GET', '/cases?q=printer')).body.items as {
      id: string;
      contactId: string;
      status: string;
    }[];
    expect(cases).toMatchObject([{ contactId: contacts[0]?.id, status: 'open' }]);
    const detail = (await call(owner, 'GET', `/messages/${id}`)).body;
    expect((detail.links as Link[]).map((l) => l.recordId).sort()).toEqual([contacts[0]?.id, cases[0]?.id].sort());
    expect((detail.mailroom as Run[]).map((r) => [r.ruleName, r.results.map((x) => [x.type, x.created])])).toEqual([
      [
        'Support mail makes a contact and a case',
        [
          ['create', contacts[0]?.id],
          ['create', cases[0]?.id],
        ],
      ],
    ]);
    // The second email matches no rule, but its sender is now a contact: linked automatically.
    const lunch = await messageBySubject(mailbox.id, 'Lunch?');
    const lunchDetail = (await call(owner, 'GET', `/messages/${lunch}`)).body;
    expect(lunchDetail.mailroom).toEqual([]);
    expect((lunchDetail.links as Link[]).map((l) => l.recordId)).toEqual([contacts[0]?.id]);
  });

  it('stops a rule whose pattern backtracks without end: the sync goes on, /healthz is answered, the run is logged', async () => {
    const user = await createMailUser(servers, 'redos');
    const owner = await signedInUser(api);
    // Both pass the static check for nested repetition, and backtrack for minutes on these texts.
    await rule(owner, {
      name: 'Hostile subject',
      conditions: [{ field: 'subject', op: 'matches', value: '(.|a)*!' }],
      actions: [{ type: 'mark_private' }],
    });
    await rule(owner, {
      name: 'Hostile body',
      conditions: [{ field: 'body', op: 'matches', value: '.*.*=.*' }],
      actions: [{ type: 'mark_private' }],
    });
    const mailbox = await connect(owner, user);
    await waitIdle(api, owner.auth, mailbox.id);
    await deliver(servers, user.username, rawMessage('a'.repeat(27), { body: 'a'.repeat(20_000), to: user.address }));
    const health: number[] = [];
    const id = await waitFor(
      async () => {
        health.push((await api.app.inject({ method: 'GET', url: '/healthz' })).statusCode);
        return (await storedLocations(api, mailbox.id)).find((l) => l.subject === 'a'.repeat(27))?.messageId;
      },
      { what: 'the hostile email to be synced', timeoutMs: 30_000 },
    );
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((status) => status === 200)).toBe(true);
    const detail = (await call(owner, 'GET', `/messages/${id}`)).body;
    expect(detail.private).toBe(false);
    expect((detail.mailroom as Run[]).map((r) => [r.ruleName, r.results.map((x) => x.type)])).toEqual([
      ['Hostile subject', ['match']],
      ['Hostile body', ['match']],
    ]);
    await deliver(servers, user.username, rawMessage('after it', { to: user.address }));
    await messageBySubject(mailbox.id, 'after it');
  });

  it('applies the rules to past emails during the first sync with "archive and create", and never again', async () => {
    const makeRule = (owner: Owner) =>
      rule(owner, {
        name: 'Leads from the web form',
        conditions: [{ field: 'subject', op: 'contains', value: 'enquiry' }],
        actions: [{ type: 'create', recordType: 'lead' }],
      });
    const withOption = await createMailUser(servers, 'past-on');
    const without = await createMailUser(servers, 'past-off');
    for (const user of [withOption, without]) {
      await deliver(
        servers,
        user.username,
        rawMessage('Web enquiry 1', { from: `Old One <old1-${user.username}>`, to: user.address }),
      );
      await deliver(
        servers,
        user.username,
        rawMessage('Web enquiry 2', { from: `old2-${user.username}`, to: user.address }),
      );
    }
    const ownerOn = await signedInUser(api);
    const ownerOff = await signedInUser(api);
    await makeRule(ownerOn);
    await makeRule(ownerOff);
    const boxOn = await connect(ownerOn, withOption, { archiveAndCreatePast: true });
    const boxOff = await connect(ownerOff, without);
    await waitIdle(api, ownerOn.auth, boxOn.id);
    await waitIdle(api, ownerOff.auth, boxOff.id);
    // Leads made by a rule belong to the mailbox's owner (and are shared, so each owner's are picked out).
    const leads = async (owner: Owner) =>
      ((await call(owner, 'GET', '/leads')).body.items as { emails: string[]; ownerId: string }[])
        .filter((l) => l.ownerId === owner.user.id)
        .map((l) => l.emails[0])
        .sort();
    expect(await leads(ownerOn)).toEqual([`old1-${withOption.username}`, `old2-${withOption.username}`].sort());
    expect(await leads(ownerOff)).toEqual([]);

    // A new rule, a restart of the sync engine and a new email: the past is never processed again.
    await rule(ownerOn, {
      name: 'Mark enquiries private',
      conditions: [{ field: 'subject', op: 'contains', value: 'enquiry' }],
      actions: [{ type: 'mark_private' }],
    });
    await api.engine.stop();
    await api.engine.start();
    await deliver(
      servers,
      withOption.username,
      rawMessage('Web enquiry 3', { from: 'new-sender@example.test', to: withOption.address }),
    );
    const fresh = await messageBySubject(boxOn.id, 'Web enquiry 3');
    await waitIdle(api, ownerOn.auth, boxOn.id);
    const runs = async (subject: string) =>
      (
        (await call(ownerOn, 'GET', `/messages/${await messageBySubject(boxOn.id, subject)}`)).body.mailroom as Run[]
      ).map((r) => r.ruleName);
    expect(await runs('Web enquiry 1')).toEqual(['Leads from the web form']);
    expect(await runs('Web enquiry 3')).toEqual(['Leads from the web form', 'Mark enquiries private']);
    expect((await call(ownerOn, 'GET', `/messages/${fresh}`)).body.private).toBe(true);
    expect(await leads(ownerOn)).toEqual(
      [`old1-${withOption.username}`, `old2-${withOption.username}`, 'new-sender@example.test'].sort(),
    );
    // Without the option, new emails still get the rules.
    await deliver(
      servers,
      without.username,
      rawMessage('Web enquiry 4', { from: 'another@example.test', to: without.address }),
    );
    await expect.poll(() => leads(ownerOff), poll).toEqual(['another@example.test']);
  });

  it('replies from a case: sent at once, filed in Sent, linked to the case; merge tags filled for the recipient only', async () => {
    const user = await createMailUser(servers, 'agent');
    const customer = await createMailUser(servers, 'customer');
    const owner = await signedInUser(api);
    const org = await create(owner, 'organizations', { name: 'Vandelay Industries' });
    const contact = await create(owner, 'contacts', {
      firstName: 'Art',
      lastName: 'Vandelay',
      emails: [customer.address],
      organizationId: org.id,
    });
    const kase = await create(owner, 'cases', { name: 'Latex shipment late', contactId: contact.id });
    const ticket = await create(owner, 'tickets', { name: 'Check the warehouse' });
    const mailbox = await connect(owner, user, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);

    const subject = 'Re: your shipment, {{contact.firstName}}';
    const text =
      'Dear {{ contact.firstName | customer }} {{contact.lastName}} of {{organization.name}}, {{contact.shoeSize}} {{contact.phone|no phone}}.';
    const draft = await call(owner, 'POST', '/drafts', {
      mailboxId: mailbox.id,
      to: [customer.address],
      subject,
      text,
      includeSignature: false,
    });
    expect(draft.status).toBe(201);
    await expect
      .poll(async () => (await onServer(servers, user, 'Drafts')).map((m) => [m.subject, m.text.trim()]), poll)
      .toEqual([[subject, text]]);

    const refused = await call(owner, 'POST', `/drafts/${String(draft.body.id)}/send`, {
      linkTo: { recordType: 'case', recordId: ticket.id },
    });
    expect(refused.status).toBe(404);
    const sent = await call(owner, 'POST', `/drafts/${String(draft.body.id)}/send`, {
      linkTo: { recordType: 'case', recordId: kase.id },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const filled = 'Dear Art Vandelay of Vandelay Industries, {{contact.shoeSize}} no phone.';
    await expect
      .poll(async () => (await onServer(servers, customer, 'INBOX')).map((m) => [m.subject, m.text.trim()]), poll)
      .toEqual([['Re: your shipment, Art', filled]]);
    await expect
      .poll(async () => (await onServer(servers, user, 'Sent')).map((m) => m.subject), poll)
      .toEqual(['Re: your shipment, Art']);

    // The sent copy is linked to the case once synced, and (by address) to the contact and organization.
    await expect
      .poll(
        async () =>
          ((await call(owner, 'GET', `/cases/${kase.id}/emails`)).body.items as { subject: string }[]).map(
            (m) => m.subject,
          ),
        poll,
      )
      .toEqual(['Re: your shipment, Art']);
    const [item] = (await call(owner, 'GET', `/cases/${kase.id}/emails`)).body.items as {
      id: string;
      folder: string;
    }[];
    expect(item?.folder).toBe('Sent');
    const links = (await call(owner, 'GET', `/messages/${item?.id}`)).body.links as Link[];
    expect(links.map((l) => [l.recordType, l.source]).sort()).toEqual([
      ['case', 'manual'],
      ['contact', 'auto'],
      ['organization', 'auto'],
    ]);

    // A reply from an internal ticket, sent directly.
    const direct = await call(owner, 'POST', '/messages/send', {
      mailboxId: mailbox.id,
      to: [customer.address],
      subject: 'Warehouse checked',
      text: 'ok',
      linkTo: { recordType: 'ticket', recordId: ticket.id },
    });
    expect(direct.status).toBe(202);
    await expect
      .poll(
        async () =>
          ((await call(owner, 'GET', `/tickets/${ticket.id}/emails`)).body.items as { subject: string }[]).map(
            (m) => m.subject,
          ),
        poll,
      )
      .toEqual(['Warehouse checked']);
    // It went the one send path: its copy is the Sent folder's, filed there once.
    const [ticketEmail] = (await call(owner, 'GET', `/tickets/${ticket.id}/emails`)).body.items as { folder: string }[];
    expect(ticketEmail?.folder).toBe('Sent');
    const sentCopies = (await onServer(servers, user, 'Sent')).filter((m) => m.subject === 'Warehouse checked');
    expect(sentCopies).toHaveLength(1);
  });

  it('keeps replies to a private email private: Tandem’s own reply, its Sent copy, and a reply that arrives later', async () => {
    const user = await createMailUser(servers, 'discreet');
    const customer = await createMailUser(servers, 'client');
    const owner = await signedInUser(api);
    const colleague = await signedInUser(api);
    const contact = await create(owner, 'contacts', { firstName: 'Cleo', emails: [customer.address] });
    const mailbox = await connect(owner, user, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    const history = async (who: Owner) =>
      ((await call(who, 'GET', `/contacts/${contact.id}/emails`)).body.items as { subject: string }[])
        .map((m) => m.subject)
        .sort();

    await deliver(
      servers,
      user.username,
      rawMessage('Secret terms', {
        from: customer.address,
        to: user.address,
        messageId: 'secret-terms@client.example',
      }),
    );
    await deliver(servers, user.username, rawMessage('Open question', { from: customer.address, to: user.address }));
    const secret = await messageBySubject(mailbox.id, 'Secret terms');
    await messageBySubject(mailbox.id, 'Open question');
    expect((await call(owner, 'PATCH', `/messages/${secret}`, { private: true })).status).toBe(200);

    const sent = await call(owner, 'POST', '/messages/send', {
      mailboxId: mailbox.id,
      to: [customer.address],
      subject: 'Re: Secret terms',
      text: 'Agreed.',
      inReplyTo: secret,
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const reply = await messageBySubject(mailbox.id, 'Re: Secret terms'); // the Sent copy, synced back from the server
    expect((await call(owner, 'GET', `/messages/${reply}`)).body).toMatchObject({ folder: 'Sent', private: true });
    const onward = (await onServer(servers, customer, 'INBOX')).find((m) => m.subject === 'Re: Secret terms');
    expect(onward?.inReplyTo).toBe('secret-terms@client.example');

    // The customer answers Tandem's reply from their own mail app: that one is private as well.
    await deliver(
      servers,
      user.username,
      rawMessage('Re: Re: Secret terms', {
        from: customer.address,
        to: user.address,
        inReplyTo: String(sent.body.messageId),
      }),
    );
    const answer = await messageBySubject(mailbox.id, 'Re: Re: Secret terms');
    expect((await call(owner, 'GET', `/messages/${answer}`)).body).toMatchObject({ private: true });

    expect(await history(owner)).toEqual(['Open question', 'Re: Re: Secret terms', 'Re: Secret terms', 'Secret terms']);
    expect(await history(colleague)).toEqual(['Open question']);
    for (const id of [secret, reply, answer])
      for (const url of [`/messages/${id}`, `/messages/${id}/raw`])
        expect((await call(colleague, 'GET', url)).status, url).toBe(404);
  });
  it('keeps forwards of a private email private, sent at once or from a draft; a forward of another stays shared', async () => {
    const user = await createMailUser(servers, 'forwarder');
    const customer = await createMailUser(servers, 'partner');
    const owner = await signedInUser(api);
    const colleague = await signedInUser(api);
    const contact = await create(owner, 'contacts', { firstName: 'Fay', emails: [customer.address] });
    const mailbox = await connect(owner, user, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    await deliver(servers, user.username, rawMessage('Board minutes', { from: 'ceo@example.test', to: user.address }));
    await deliver(servers, user.username, rawMessage('Price list', { from: 'ceo@example.test', to: user.address }));
    const minutes = await messageBySubject(mailbox.id, 'Board minutes');
    const prices = await messageBySubject(mailbox.id, 'Price list');
    expect((await call(owner, 'PATCH', `/messages/${minutes}`, { private: true })).status).toBe(200);

    const direct = await call(owner, 'POST', '/messages/send', {
      mailboxId: mailbox.id,
      to: [customer.address],
      subject: 'Fwd: Board minutes',
      text: 'See below.',
      forwardOf: minutes,
    });
    expect(direct.status, JSON.stringify(direct.body)).toBe(202);
    const draft = await call(owner, 'POST', '/drafts', {
      mailboxId: mailbox.id,
      to: [customer.address],
      subject: 'Fwd: Board minutes, again',
      text: 'Once more.',
      forwardOf: minutes,
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    expect((await call(owner, 'POST', `/drafts/${String(draft.body.id)}/send`)).status).toBe(202);
    expect(
      (
        await call(owner, 'POST', '/messages/send', {
          mailboxId: mailbox.id,
          to: [customer.address],
          subject: 'Fwd: Price list',
          text: 'For you.',
          forwardOf: prices,
        })
      ).status,
    ).toBe(202);

    const forwards = [
      await messageBySubject(mailbox.id, 'Fwd: Board minutes'),
      await messageBySubject(mailbox.id, 'Fwd: Board minutes, again'),
    ];
    const shared = await messageBySubject(mailbox.id, 'Fwd: Price list');
    for (const id of forwards) {
      expect((await call(owner, 'GET', `/messages/${id}`)).body).toMatchObject({ folder: 'Sent', private: true });
      for (const url of [`/messages/${id}`, `/messages/${id}/raw`])
        expect((await call(colleague, 'GET', url)).status, url).toBe(404);
    }
    expect((await call(owner, 'GET', `/messages/${shared}`)).body).toMatchObject({ folder: 'Sent', private: false });
    const history = (
      (await call(colleague, 'GET', `/contacts/${contact.id}/emails`)).body.items as { subject: string }[]
    ).map((m) => m.subject);
    expect(history).toEqual(['Fwd: Price list']);
  });
});
