import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/db/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';
import { insertFolder, insertMailbox, rawEmail, storeEmail } from './support.ts';

type User = Awaited<ReturnType<typeof signedInUser>>;
interface Record_ {
  id: string;
  name: string;
  emails: string[];
  open: boolean;
  ownerId: string;
  shared: boolean;
  status: string;
}
interface Link {
  id: string;
  recordType: string;
  recordId: string;
  source: string;
}

describe.each(await storeDialects())('CRM records and links on %s', (dialect: Dialect) => {
  let api: TestApi;
  let alice: User;
  let bob: User;
  let admin: User;
  let inbox: { mailboxId: string; folderId: number };

  const call = async (who: User, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const response = await api.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: who.auth,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    return { status: response.statusCode, body: response.body ? (response.json() as Record<string, unknown>) : {} };
  };
  const create = async (who: User, path: string, body: Record<string, unknown>): Promise<Record_> => {
    const r = await call(who, 'POST', `/${path}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as unknown as Record_;
  };
  const links = async (who: User, messageId: string): Promise<Link[]> =>
    (await call(who, 'GET', `/messages/${messageId}`)).body.links as Link[];
  const timeline = async (who: User, path: string, id: string): Promise<string[]> =>
    ((await call(who, 'GET', `/${path}/${id}/emails`)).body.items as { id: string }[]).map((m) => m.id);

  beforeAll(async () => {
    api = await startTestApi(dialect);
    alice = await signedInUser(api);
    bob = await signedInUser(api);
    admin = await signedInUser(api, { admin: true });
    const mailboxId = await insertMailbox(api, alice.user.id, 'alice@example.test');
    inbox = { mailboxId, folderId: await insertFolder(api, mailboxId, 'INBOX') };
  });
  afterAll(async () => {
    await api.close();
  });

  it('creates, lists, searches, changes and deletes records of every kind', async () => {
    const org = await create(alice, 'organizations', { name: 'Globex Corp', website: 'globex.example' });
    const contact = await create(alice, 'contacts', {
      firstName: 'Hank',
      lastName: 'Scorpio',
      emails: ['Hank@Globex.example', 'h.s@home.example'],
      organizationId: org.id,
      phone: '+1 555',
    });
    expect(contact).toMatchObject({
      name: 'Hank Scorpio',
      emails: ['hank@globex.example', 'h.s@home.example'],
      ownerId: alice.user.id,
      shared: true,
      status: 'active',
    });
    const deal = await create(alice, 'deals', {
      name: 'Doomsday device',
      contactId: contact.id,
      amount: 1_000_000.5,
      currency: 'USD',
    });
    expect(deal).toMatchObject({ status: 'prospecting', open: true, amount: 1_000_000.5 });
    const won = await call(alice, 'PATCH', `/deals/${deal.id}`, { status: 'won' });
    expect(won.body).toMatchObject({ status: 'won', open: false });
    await create(alice, 'leads', { firstName: 'Lead', emails: ['lead@example.test'], company: 'Initech' });
    await create(alice, 'cases', { name: 'Broken laser', contactId: contact.id, priority: 'high' });
    await create(alice, 'tickets', { name: 'Internal follow-up' });

    const found = await call(bob, 'GET', '/contacts?q=globex');
    expect((found.body.items as Record_[]).map((r) => r.id)).toEqual([contact.id]);
    expect((await call(bob, 'GET', '/contacts?q=nobody')).body.items).toEqual([]);
    expect((await call(alice, 'GET', `/contacts/${contact.id}`)).body).toMatchObject({
      organizationId: org.id,
      phone: '+1 555',
    });

    expect((await call(alice, 'POST', '/deals', { name: 'x', status: 'maybe' })).status).toBe(400);
    expect((await call(alice, 'POST', '/contacts', { phone: '1' })).status).toBe(400);
    expect((await call(alice, 'POST', '/contacts', { firstName: 'X', organizationId: contact.id })).status).toBe(400);
    expect((await call(alice, 'POST', '/cases', { name: 'x', emails: ['a@b.test'] })).status).toBe(400);
    expect((await call(alice, 'GET', `/deals/${contact.id}`)).status).toBe(404);

    // Anyone who sees a shared record may edit it; only its owner (or an admin) deletes it or changes its sharing.
    expect((await call(bob, 'PATCH', `/contacts/${contact.id}`, { jobTitle: 'Boss' })).status).toBe(200);
    expect((await call(bob, 'PATCH', `/contacts/${contact.id}`, { shared: false })).status).toBe(403);
    expect(
      (await call(bob, 'DELETE', `/tickets/${(await create(alice, 'tickets', { name: 'to delete' })).id}`)).status,
    ).toBe(403);
    const temp = await create(alice, 'tickets', { name: 'temporary' });
    expect((await call(alice, 'DELETE', `/tickets/${temp.id}`)).status).toBe(204);
    expect((await call(alice, 'GET', `/tickets/${temp.id}`)).status).toBe(404);
  });

  it('shares records with everyone or keeps them to their owner; admins see all', async () => {
    const mine = await create(alice, 'contacts', {
      firstName: 'Secret',
      lastName: 'Source',
      emails: ['source@example.test'],
      shared: false,
    });
    expect((await call(bob, 'GET', `/contacts/${mine.id}`)).status).toBe(404);
    expect(((await call(bob, 'GET', '/contacts?q=secret')).body.items as Record_[]).length).toBe(0);
    expect((await call(admin, 'GET', `/contacts/${mine.id}`)).status).toBe(200);
    expect((await call(bob, 'PATCH', `/contacts/${mine.id}`, { phone: '1' })).status).toBe(404);
    expect((await call(admin, 'PATCH', `/contacts/${mine.id}`, { ownerId: bob.user.id })).status).toBe(200);
    expect((await call(bob, 'GET', `/contacts/${mine.id}`)).status).toBe(200);
  });

  it('links an email from a known contact to the contact, their organization and their open deals and cases only', async () => {
    const org = await create(alice, 'organizations', { name: 'Acme' });
    const contact = await create(alice, 'contacts', {
      firstName: 'Wile',
      lastName: 'Coyote',
      emails: ['wile@acme.example'],
      organizationId: org.id,
    });
    const open = await create(alice, 'deals', { name: 'Rockets', contactId: contact.id });
    const lost = await create(alice, 'deals', { name: 'Anvils', contactId: contact.id, status: 'lost' });
    const kase = await create(alice, 'cases', { name: 'Rocket misfired', contactId: contact.id });
    const other = await create(alice, 'contacts', {
      firstName: 'Road',
      lastName: 'Runner',
      emails: ['road@runner.example'],
    });

    const id = await storeEmail(
      api,
      dialect,
      inbox,
      rawEmail({ from: 'Wile E. <WILE@acme.example>', subject: 'Need more rockets' }),
    );
    expect((await links(alice, id)).map((l) => [l.recordType, l.recordId, l.source]).sort()).toEqual(
      [
        ['case', kase.id, 'auto'],
        ['contact', contact.id, 'auto'],
        ['deal', open.id, 'auto'],
        ['organization', org.id, 'auto'],
      ].sort(),
    );
    expect(await timeline(alice, 'deals', lost.id)).toEqual([]);
    expect(await timeline(bob, 'organizations', org.id)).toEqual([id]);
    expect(await timeline(alice, 'contacts', other.id)).toEqual([]);
    const cc = await storeEmail(
      api,
      dialect,
      inbox,
      rawEmail({ from: 'x@elsewhere.example', cc: 'road@runner.example', subject: 'cc' }),
    );
    expect(await timeline(alice, 'contacts', other.id)).toEqual([cc]);
  });

  it('keeps manual links over automatic ones, and re-matches when a record’s addresses change', async () => {
    const contact = await create(alice, 'contacts', { firstName: 'Marge', emails: ['marge@simpson.example'] });
    const kase = await create(alice, 'cases', { name: 'Unrelated case' });
    const first = await storeEmail(api, dialect, inbox, rawEmail({ from: 'marge@simpson.example', subject: 'One' }));
    const second = await storeEmail(
      api,
      dialect,
      inbox,
      rawEmail({ from: 'marjorie@bouvier.example', subject: 'Two' }),
    );
    expect(await timeline(alice, 'contacts', contact.id)).toEqual([first]);

    // Unlinked by hand: a re-match must not bring it back.
    const auto = (await links(alice, first)).find((l) => l.recordId === contact.id);
    expect((await call(alice, 'DELETE', `/messages/${first}/links/${auto?.id}`)).status).toBe(204);
    const manual = await call(alice, 'POST', `/messages/${second}/links`, { recordType: 'case', recordId: kase.id });
    expect(manual.status).toBe(201);
    expect(manual.body).toMatchObject({ recordType: 'case', recordId: kase.id, source: 'manual' });
    expect(
      (await call(alice, 'POST', `/messages/${second}/links`, { recordType: 'contact', recordId: kase.id })).status,
    ).toBe(404);

    const changed = await call(alice, 'PATCH', `/contacts/${contact.id}`, {
      emails: ['marge@simpson.example', 'marjorie@bouvier.example'],
    });
    expect(changed.status).toBe(200);
    expect(await timeline(alice, 'contacts', contact.id)).toEqual([second]);
    expect(await timeline(alice, 'cases', kase.id)).toEqual([second]);

    // The second address goes again: its email loses the automatic link, the manual one stays.
    await call(alice, 'PATCH', `/contacts/${contact.id}`, { emails: ['marge@simpson.example'] });
    expect(await timeline(alice, 'contacts', contact.id)).toEqual([]);
    expect(await timeline(alice, 'cases', kase.id)).toEqual([second]);
    // Linked by hand again, the removed link is back.
    await call(alice, 'POST', `/messages/${first}/links`, { recordType: 'contact', recordId: contact.id });
    expect(await timeline(alice, 'contacts', contact.id)).toEqual([first]);
  });

  it('keeps comments in Tandem, with @mentions of users', async () => {
    const id = await storeEmail(
      api,
      dialect,
      inbox,
      rawEmail({ from: 'someone@example.test', subject: 'Comment on me' }),
    );
    const ticket = await create(alice, 'tickets', { name: 'Comment ticket' });
    expect((await call(bob, 'POST', `/messages/${id}/comments`, { body: 'not linked yet' })).status).toBe(404);
    await call(alice, 'POST', `/messages/${id}/links`, { recordType: 'ticket', recordId: ticket.id });
    const posted = await call(bob, 'POST', `/messages/${id}/comments`, {
      body: `@${alice.user.email} can you take this? cc @nobody@nowhere.test`,
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ author: { id: bob.user.id }, mentions: [{ id: alice.user.id }] });
    expect((await call(alice, 'POST', `/messages/${id}/comments`, { body: '  ' })).status).toBe(400);
    const detail = await call(alice, 'GET', `/messages/${id}`);
    expect((detail.body.comments as { body: string }[]).map((c) => c.body)).toEqual([
      `@${alice.user.email} can you take this? cc @nobody@nowhere.test`,
    ]);
  });

  it('mentions only active users', async () => {
    const id = await storeEmail(
      api,
      dialect,
      inbox,
      rawEmail({ from: 'someone@example.test', subject: 'Mention a leaver' }),
    );
    const leaver = await signedInUser(api);
    await api.context.store.db.updateTable('users').set({ active: 0 }).where('id', '=', leaver.user.id).execute();
    const posted = await call(alice, 'POST', `/messages/${id}/comments`, {
      body: `@${leaver.user.email} and @${bob.user.email}`,
    });
    expect(posted.body).toMatchObject({ mentions: [{ id: bob.user.id }] });
    expect((posted.body.mentions as unknown[]).length).toBe(1);
  });

  it('keeps each user’s mailroom rules in order, and refuses bad ones with a clear 400', async () => {
    const base = {
      conditions: [{ field: 'from', op: 'domain_is', value: 'vendor.example' }],
      actions: [{ type: 'archive' }],
    };
    const first = (await call(alice, 'POST', '/mailroom/rules', { name: 'First', ...base })).body as {
      id: string;
      position: number;
      match: string;
    };
    const second = (await call(alice, 'POST', '/mailroom/rules', { name: 'Second', ...base, match: 'any' })).body as {
      id: string;
      position: number;
    };
    expect(first).toMatchObject({ position: 0, match: 'all' });
    expect(second.position).toBe(1);
    expect((await call(alice, 'PATCH', `/mailroom/rules/${second.id}`, { position: -1 })).status).toBe(400);
    expect(
      (await call(alice, 'PATCH', `/mailroom/rules/${first.id}`, { position: 5, enabled: false })).body,
    ).toMatchObject({ position: 5, enabled: false });
    expect(((await call(alice, 'GET', '/mailroom/rules')).body.items as { name: string }[]).map((r) => r.name)).toEqual(
      ['Second', 'First'],
    );
    expect((await call(bob, 'GET', '/mailroom/rules')).body.items).toEqual([]);
    expect((await call(bob, 'PATCH', `/mailroom/rules/${first.id}`, { name: 'mine now' })).status).toBe(404);
    expect((await call(bob, 'DELETE', `/mailroom/rules/${first.id}`)).status).toBe(404);

    const refused = [
      { name: 'evil', conditions: [{ field: 'body', op: 'matches', value: '(a+)+$' }], actions: [{ type: 'archive' }] },
      {
        name: 'long',
        conditions: [{ field: 'body', op: 'matches', value: 'a'.repeat(201) }],
        actions: [{ type: 'archive' }],
      },
      { name: 'no actions', conditions: base.conditions, actions: [] },
      { name: 'bad kind', conditions: base.conditions, actions: [{ type: 'create', recordType: 'deal' }] },
      { name: 'bad field', conditions: [{ field: 'bcc', op: 'contains', value: 'x' }], actions: [{ type: 'archive' }] },
    ];
    for (const body of refused) {
      const r = await call(alice, 'POST', '/mailroom/rules', body);
      expect(r.status, body.name).toBe(400);
      expect((r.body.error as { code: string }).code).toBe('validation_failed');
    }
    // A mailbox that is not hers is not found, as on every route that names one.
    const foreign = await call(alice, 'POST', '/mailroom/rules', {
      name: 'not my mailbox',
      mailboxId: 'nope',
      ...base,
    });
    expect(foreign.status).toBe(404);
    expect((foreign.body.error as { code: string }).code).toBe('not_found');
    expect((await call(alice, 'DELETE', `/mailroom/rules/${first.id}`)).status).toBe(204);
  });

  it('publishes the CRM routes and linkTo in the OpenAPI document', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    for (const path of [
      '/api/v1/contacts',
      '/api/v1/tickets/{id}/emails',
      '/api/v1/messages/{id}/links/{linkId}',
      '/api/v1/messages/{id}/comments',
      '/api/v1/mailroom/rules/{id}',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(JSON.stringify(doc.paths['/api/v1/messages/send'])).toContain('linkTo');
    expect(JSON.stringify(doc.paths['/api/v1/drafts/{id}/send'])).toContain('linkTo');
  });

  it('never shows a private email to another user, on any route, until its owner makes it public', async () => {
    const org = await create(alice, 'organizations', { name: 'Private Co' });
    const contact = await create(alice, 'contacts', {
      firstName: 'Pat',
      emails: ['pat@private.example'],
      organizationId: org.id,
    });
    const deal = await create(alice, 'deals', { name: 'Private deal', contactId: contact.id });
    const kase = await create(alice, 'cases', { name: 'Private case', contactId: contact.id });
    const lead = await create(alice, 'leads', { firstName: 'Pat lead', emails: ['pat@private.example'] });
    const ticket = await create(alice, 'tickets', { name: 'Private ticket' });
    const bobBox = await insertMailbox(api, bob.user.id, 'bob@example.test');
    const bobInbox = { mailboxId: bobBox, folderId: await insertFolder(api, bobBox, 'INBOX') };
    const secret = await storeEmail(
      api,
      dialect,
      inbox,
      rawEmail({ from: 'pat@private.example', subject: 'Zanzibar secret', body: 'quokka', attachment: true }),
      { private: true },
    );
    const open = await storeEmail(
      api,
      dialect,
      inbox,
      rawEmail({ from: 'pat@private.example', subject: 'Zanzibar public' }),
    );
    await call(alice, 'POST', `/messages/${secret}/links`, { recordType: 'ticket', recordId: ticket.id });
    await call(alice, 'POST', `/messages/${secret}/comments`, { body: 'private note' });
    const bobsOwn = await storeEmail(
      api,
      dialect,
      bobInbox,
      rawEmail({ from: 'pat@private.example', to: 'bob@example.test', subject: 'Zanzibar bob' }),
    );

    const detail = await call(alice, 'GET', `/messages/${secret}`);
    expect(detail.status).toBe(200);
    const attachmentId = (detail.body.attachments as { id: string }[])[0]?.id;
    expect(attachmentId).toBeDefined();
    const records: [string, string][] = [
      ['contacts', contact.id],
      ['organizations', org.id],
      ['deals', deal.id],
      ['cases', kase.id],
      ['leads', lead.id],
      ['tickets', ticket.id],
    ];
    for (const [path, id] of records) expect(await timeline(alice, path, id)).toContain(secret);

    const bobSees = async () => {
      const seen: string[] = [];
      const lists = [
        `/messages`,
        `/messages?q=zanzibar`,
        `/messages?q=quokka`,
        `/messages?mailboxId=${inbox.mailboxId}`,
        `/messages?folder=INBOX`,
      ];
      for (const url of lists) {
        const r = await call(bob, 'GET', url);
        for (const m of (r.body.items as { id: string }[] | undefined) ?? []) if (m.id === secret) seen.push(url);
      }
      for (const [path, id] of records)
        if ((await timeline(bob, path, id)).includes(secret)) seen.push(`${path}/${id}/emails`);
      for (const path of ['contacts', 'organizations', 'deals', 'cases', 'leads', 'tickets']) {
        const r = await call(bob, 'GET', `/${path}?q=pat`);
        if (JSON.stringify(r.body).includes('Zanzibar secret')) seen.push(`${path} list`);
      }
      const single = [
        ['GET', `/messages/${secret}`],
        ['GET', `/messages/${secret}/raw`],
        ['GET', `/attachments/${attachmentId}`],
        ['GET', `/messages/${secret}/comments`],
        ['POST', `/messages/${secret}/comments`, { body: 'hi' }],
        ['POST', `/messages/${secret}/links`, { recordType: 'contact', recordId: contact.id }],
        ['PATCH', `/messages/${secret}`, { private: false }],
        ['PATCH', `/messages/${secret}`, { seen: true }],
      ] as const;
      for (const [method, url, payload] of single) {
        const r = await call(bob, method, url, payload);
        if (r.status !== 404) seen.push(`${method} ${url} ${r.status}`);
        if (JSON.stringify(r.body).includes('Zanzibar secret')) seen.push(`${method} ${url} leaked`);
      }
      const linkId = (await links(alice, secret))[0]?.id;
      const unlink = await call(bob, 'DELETE', `/messages/${secret}/links/${linkId}`);
      if (unlink.status !== 404) seen.push(`DELETE link ${unlink.status}`);
      return seen;
    };
    expect(await bobSees()).toEqual([]);
    // Bob's own mail and the public email stay visible to him where they should.
    expect(await timeline(bob, 'contacts', contact.id)).toEqual(expect.arrayContaining([open, bobsOwn]));
    expect((await call(bob, 'GET', `/messages/${open}`)).status).toBe(200);
    expect(await links(alice, secret)).toHaveLength(6); // contact, organization, deal, case, lead, ticket

    // The owner makes it public: now Bob sees it on the record and by id.
    expect((await call(alice, 'PATCH', `/messages/${secret}`, { private: false })).body).toMatchObject({
      private: false,
    });
    expect(await timeline(bob, 'contacts', contact.id)).toContain(secret);
    expect((await call(bob, 'GET', `/messages/${secret}/comments`)).status).toBe(200);
  });

  it('shows another user’s email only through a record they can see: never a draft, Trash, a Bcc or a reply to a private email', async () => {
    const folder = async (path: string, role: string) => ({
      mailboxId: inbox.mailboxId,
      folderId: await insertFolder(api, inbox.mailboxId, path, null, role),
    });
    const [sent, drafts, trash] = [
      await folder('Sent', '\\Sent'),
      await folder('Drafts', '\\Drafts'),
      await folder('Trash', '\\Trash'),
    ];
    const shared = await create(alice, 'contacts', { firstName: 'Quinn', emails: ['quinn@walk.example'] });
    const hidden = await create(alice, 'contacts', {
      firstName: 'Hidden',
      emails: ['hidden@walk.example'],
      shared: false,
    });
    const email = (o: Partial<Parameters<typeof rawEmail>[0]> & { subject: string }) =>
      rawEmail({ from: 'alice@example.test', to: 'quinn@walk.example', ...o });
    const sentCopy = await storeEmail(
      api,
      dialect,
      sent,
      email({ subject: 'Walk proposal', bcc: 'Boss <boss@secret.example>' }),
    );
    const draft = await storeEmail(api, dialect, drafts, email({ subject: 'Walk draft' }));
    const nested = await storeEmail(
      api,
      dialect,
      { mailboxId: inbox.mailboxId, folderId: await insertFolder(api, inbox.mailboxId, 'Drafts/Old') },
      email({ subject: 'Walk old draft' }),
    );
    const trashed = await storeEmail(
      api,
      dialect,
      trash,
      email({ from: 'quinn@walk.example', to: 'alice@example.test', subject: 'Walk trashed' }),
    );
    const original = await storeEmail(
      api,
      dialect,
      inbox,
      email({
        from: 'quinn@walk.example',
        to: 'alice@example.test',
        subject: 'Walk private',
        messageId: 'walk-private@example.test',
      }),
      { private: true },
    );
    const reply = await storeEmail(
      api,
      dialect,
      sent,
      email({ subject: 'Re: Walk private', inReplyTo: 'walk-private@example.test' }),
    );
    const unlinked = await storeEmail(
      api,
      dialect,
      inbox,
      email({ from: 'stranger@nowhere.example', to: 'alice@example.test', subject: 'Walk unlinked' }),
    );
    const unshared = await storeEmail(
      api,
      dialect,
      inbox,
      email({ from: 'hidden@walk.example', to: 'alice@example.test', subject: 'Walk unshared' }),
    );
    for (const id of [draft, nested, trashed])
      await call(alice, 'POST', `/messages/${id}/links`, { recordType: 'contact', recordId: shared.id });

    // Alice's own mailbox: all of it, the Bcc in the source too; the reply took its original's privacy.
    expect((await call(alice, 'GET', `/messages/${reply}`)).body).toMatchObject({ private: true });
    expect(await timeline(alice, 'contacts', shared.id)).toEqual(
      expect.arrayContaining([sentCopy, draft, nested, trashed, original, reply]),
    );
    const ownRaw = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages/${sentCopy}/raw`,
      headers: alice.auth,
    });
    expect(ownRaw.body).toContain('Bcc: Boss <boss@secret.example>');

    // Bob, and an admin: the linked Sent copy without its Bcc, nothing else; the rest answers like a missing id.
    const missing = await api.app.inject({ method: 'GET', url: '/api/v1/messages/2147483000', headers: bob.auth });
    for (const who of [bob, admin]) {
      expect(await timeline(who, 'contacts', shared.id)).toEqual([sentCopy]);
      const detail = await call(who, 'GET', `/messages/${sentCopy}`);
      expect(detail.status).toBe(200);
      expect(JSON.stringify(detail.body)).not.toContain('boss@secret.example');
      expect(detail.body.mailroom).toEqual([]);
      const raw = await api.app.inject({ method: 'GET', url: `/api/v1/messages/${sentCopy}/raw`, headers: who.auth });
      expect(raw.statusCode).toBe(200);
      expect(raw.body).toContain('Subject: Walk proposal');
      expect(raw.body).not.toMatch(/^bcc:|boss@secret\.example/im);
      const leaks: string[] = [];
      for (const id of [draft, nested, trashed, original, reply, unlinked, ...(who === bob ? [unshared] : [])]) {
        for (const [method, url, payload] of [
          ['GET', `/messages/${id}`],
          ['GET', `/messages/${id}/raw`],
          ['GET', `/messages/${id}/comments`],
          ['POST', `/messages/${id}/comments`, { body: 'hi' }],
          ['POST', `/messages/${id}/links`, { recordType: 'contact', recordId: shared.id }],
          ['PATCH', `/messages/${id}`, { seen: true }],
          ['DELETE', `/messages/${id}`],
        ] as const) {
          const r = await api.app.inject({
            method,
            url: `/api/v1${url}`,
            headers: who.auth,
            ...(payload ? { payload } : {}),
          });
          if (r.statusCode !== 404 || r.body !== missing.body) leaks.push(`${method} ${url} ${r.statusCode} ${r.body}`);
        }
      }
      expect(leaks).toEqual([]);
    }
    // Admins see every record, so also what an unshared one links; a plain user does not.
    expect((await call(admin, 'GET', `/messages/${unshared}`)).status).toBe(200);
    expect(await timeline(admin, 'contacts', hidden.id)).toEqual([unshared]);
  });
});
