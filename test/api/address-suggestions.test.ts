// Recipient autocomplete on SQLite and PostgreSQL: contacts the user may see, then
// the people in their own mailboxes' mail; never an address seen only in mail or
// records the user cannot see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeParticipants } from '../../src/crm/links/match.ts';
import type { Dialect } from '../../src/db/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { fixtureFolder, fixtureMailbox, fixtureMessage, fixtureRaw } from '../support/message-fixtures.ts';
import { storeDialects } from '../support/stores.ts';

type Answer = { items: { address: string; name: string | null; source: string }[] };

describe.each(await storeDialects())('address suggestions on %s', (dialect: Dialect) => {
  let api: TestApi;
  let alice: Awaited<ReturnType<typeof signedInUser>>;
  let bob: Awaited<ReturnType<typeof signedInUser>>;

  beforeAll(async () => {
    api = await startTestApi(dialect);
    alice = await signedInUser(api);
    bob = await signedInUser(api);
    const box = await fixtureMailbox(api, alice.user.id, 'alice@example.test');
    const inbox = { mailboxId: box, folderId: await fixtureFolder(api, box, 'INBOX') };
    const mail = async (from: string, count: number) => {
      for (let i = 0; i < count; i += 1) {
        const { id } = await fixtureMessage(
          api,
          dialect,
          inbox,
          fixtureRaw({ subject: `from ${from} ${i}`, date: 'Wed, 10 Jan 2024 09:00:00 +0000', from, body: 'x' }),
        );
        await storeParticipants(api.context.store.db, [
          { messageId: id, addresses: [from.replace(/.*</, '').replace('>', ''), 'alice@example.test'] },
        ]);
      }
    };
    await mail('Carla <carla@partner.test>', 1);
    await mail('Carol <carol.customer@example.test>', 3);
    const contact = async (who: typeof alice, firstName: string, email: string, shared: boolean) =>
      expect(
        (
          await api.app.inject({
            method: 'POST',
            url: '/api/v1/contacts',
            headers: who.auth,
            payload: { firstName, emails: [email], shared },
          })
        ).statusCode,
      ).toBe(201);
    await contact(alice, 'Cathy', 'cathy@example.test', true);
    await contact(bob, 'Caroline', 'caroline@example.test', false);
  });
  afterAll(() => api.close());

  const suggest = async (who: typeof alice, q: string) => {
    const response = await api.app.inject({
      url: `/api/v1/addresses/suggest?q=${encodeURIComponent(q)}`,
      headers: who.auth,
    });
    expect(response.statusCode).toBe(200);
    return response.json<Answer>().items;
  };

  it('suggests visible contacts first, then correspondents by how often they wrote', async () => {
    expect(await suggest(alice, 'ca')).toEqual([
      { address: 'cathy@example.test', name: 'Cathy', source: 'contact' },
      { address: 'carol.customer@example.test', name: null, source: 'correspondent' },
      { address: 'carla@partner.test', name: null, source: 'correspondent' },
    ]);
    // By a contact's name as well as its address; case does not matter.
    expect((await suggest(alice, 'CATH')).map((s) => s.address)).toEqual(['cathy@example.test']);
  });

  it('never suggests another user’s mail correspondents or private contacts', async () => {
    expect((await suggest(bob, 'ca')).map((s) => s.address)).toEqual(['caroline@example.test', 'cathy@example.test']);
    expect((await suggest(bob, 'carol')).map((s) => s.address)).toEqual(['caroline@example.test']);
    expect((await suggest(alice, 'caroline')).map((s) => s.address)).toEqual([]);
  });

  it('treats wildcards literally and refuses an empty query with a 400', async () => {
    expect(await suggest(alice, '%')).toEqual([]);
    expect(await suggest(alice, 'c_rla')).toEqual([]);
    const empty = await api.app.inject({ url: '/api/v1/addresses/suggest?q=', headers: alice.auth });
    expect(empty.statusCode).toBe(400);
    expect(empty.json<{ error: { code: string } }>().error.code).toBe('validation_failed');
  });
});
