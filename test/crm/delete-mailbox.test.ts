import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/db/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';
import { insertFolder, insertMailbox, rawEmail, storeEmail } from './support.ts';

type User = Awaited<ReturnType<typeof signedInUser>>;

// Deleting a mailbox takes its emails with their record links and comments;
// the confirmation must be able to say so with counts beforehand, and the
// mailroom rules bound to it are kept (turned off) instead of going silently.
describe.each(await storeDialects())('deleting a mailbox on %s', (dialect: Dialect) => {
  let api: TestApi;
  let alice: User;

  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: Record<string, unknown>) => {
    const response = await api.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: alice.auth,
      ...(payload ? { payload } : {}),
    });
    return { status: response.statusCode, body: response.body ? response.json<Record<string, unknown>>() : {} };
  };

  beforeAll(async () => {
    api = await startTestApi(dialect);
    alice = await signedInUser(api);
  });
  afterAll(() => api.close());

  it('states with counts what goes and keeps the rules bound to it, turned off', async () => {
    const mailboxId = await insertMailbox(api, alice.user.id, 'alice@example.test');
    const inbox = { mailboxId, folderId: await insertFolder(api, mailboxId, 'INBOX') };
    const contact = await call('POST', '/contacts', { firstName: 'Peter', emails: ['peter@initech.example'] });
    expect(contact.status).toBe(201);
    const linked = await storeEmail(
      api,
      dialect,
      inbox,
      rawEmail({ from: 'peter@initech.example', subject: 'TPS reports' }),
    );
    await storeEmail(api, dialect, inbox, rawEmail({ from: 'stranger@elsewhere.example', subject: 'Hello' }));
    expect((await call('POST', `/messages/${linked}/comments`, { body: 'Follow up on Monday' })).status).toBe(201);
    const bound = await call('POST', '/mailroom/rules', {
      name: 'Bound to the mailbox',
      mailboxId,
      conditions: [{ field: 'subject', op: 'contains', value: 'x' }],
      actions: [{ type: 'mark_private' }],
    });
    const everywhere = await call('POST', '/mailroom/rules', {
      name: 'All mailboxes',
      conditions: [{ field: 'subject', op: 'contains', value: 'y' }],
      actions: [{ type: 'mark_private' }],
    });
    expect([bound.status, everywhere.status]).toEqual([201, 201]);

    const summary = await call('GET', `/mailboxes/${mailboxId}/deletion`);
    expect(summary).toEqual({
      status: 200,
      body: { emails: 2, drafts: 0, linkedEmails: 1, records: 1, comments: 1, rulesKept: 1 },
    });

    expect((await call('DELETE', `/mailboxes/${mailboxId}`)).status).toBe(204);
    const rules = (await call('GET', '/mailroom/rules')).body.items as {
      id: string;
      name: string;
      enabled: boolean;
      mailboxId: string | null;
    }[];
    expect(rules.map((r) => [r.name, r.enabled, r.mailboxId]).sort()).toEqual([
      ['All mailboxes', true, null],
      ['Bound to the mailbox', false, null],
    ]);
    expect((await call('GET', `/contacts/${String(contact.body.id)}`)).status).toBe(200);
    expect((await call('GET', `/mailboxes/${mailboxId}/deletion`)).status).toBe(404);
  });

  it("tells another user's mailbox apart from none", async () => {
    const bob = await signedInUser(api);
    const mailboxId = await insertMailbox(api, bob.user.id, 'bob@example.test');
    expect((await call('GET', `/mailboxes/${mailboxId}/deletion`)).status).toBe(404);
  });
});
