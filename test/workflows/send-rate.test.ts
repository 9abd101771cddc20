import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeSendToken } from '../../src/workflows/send-rate.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';
import { insertMailbox } from '../crm/support.ts';

const dialects = await storeDialects();

describe.each(dialects)('the per-mailbox send rate (%s)', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(() => api.close());

  it('lets a burst of its size through, then says how long the next send waits; mailboxes do not share it', async () => {
    const { user } = await signedInUser(api);
    const one = await insertMailbox(api, user.id, 'one@example.test');
    const { user: other } = await signedInUser(api);
    const two = await insertMailbox(api, other.id, 'two@example.test');
    const { db } = api.context.store;
    const t0 = 1_000_000;
    const take = (mailbox: string, at: number) => takeSendToken(db, dialect, mailbox, 2, at);
    expect(await take(one, t0)).toBe(0);
    expect(await take(one, t0)).toBe(0);
    // Two a minute: the third waits for a token, 30 s.
    expect(await take(one, t0)).toBe(30_000);
    expect(await take(two, t0)).toBe(0);
    expect(await take(one, t0 + 10_000)).toBe(20_000);
    expect(await take(one, t0 + 30_000)).toBe(0);
    expect(await take(one, t0 + 30_000)).toBeGreaterThan(0);
  });
});
