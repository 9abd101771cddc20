import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/mail/mime/index.ts';
import { signedInUser } from '../support/api.ts';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { rawMessage, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';
import { storeDialects } from '../support/stores.ts';

type Owner = Awaited<ReturnType<typeof signedInUser>>;
interface Summary {
  id: string;
  subject: string;
  snippet: string;
}
interface SearchAnswer {
  items: Summary[];
  indexing: { done: number; total: number } | null;
}
interface Detail {
  text: string;
  snippet: string;
  mailroom: { ruleName: string; results: { type: string; reason?: string; linked?: string[] }[] }[];
}

const poll = { timeout: 60_000, interval: 200 };
const COUNT = 12;

/** A parse that waits until the test opens the gate: the indexer is held while the header pass lists everything. */
function gatedParse() {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    parse: async (raw: Buffer) => {
      await gate;
      return parseMessage(raw);
    },
    open: () => open(),
  };
}

describe.each(await storeDialects())('the first sync in two passes, headers then bodies, on %s', (dialect) => {
  let servers: MailServersInfo;
  let api: SyncTestApi;
  const gated = gatedParse();
  beforeAll(async () => {
    servers = mailServers();
    api = await startSyncApi(dialect, undefined, {}, gated.parse);
  });
  afterAll(() => api.close());

  const call = async <T>(who: Owner, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => {
    const response = await api.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: who.auth,
      ...(payload ? { payload } : {}),
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json<T>();
  };

  async function connect(owner: Owner, user: MailUser): Promise<string> {
    const account = {
      host: servers.imap.host,
      port: servers.imap.port,
      security: 'none',
      username: user.username,
      password: user.password,
    };
    const created = await call<{ id: string }>(owner, 'POST', '/mailboxes', {
      address: user.address,
      imap: account,
      smtp: { ...account, host: servers.smtp.host, port: servers.smtp.port },
      syncPeriod: '1m',
      folders: ['INBOX'],
      archiveAndCreatePast: true,
    });
    return created.id;
  }

  it('lists every message first, indexes on demand, says how far search goes, and runs body rules once bodies are read', async () => {
    const user = await createMailUser(servers, `indexer-${dialect}`);
    const other = await otherClient(servers, user);
    const start = Date.now() - 3600_000;
    for (let i = 0; i < COUNT; i += 1) {
      const date = new Date(start + i * 60_000);
      const body = i === 3 ? 'Please quote for zebracrossing paint' : `Plain note number ${i} about kumquats${i}`;
      await other.append(
        'INBOX',
        rawMessage(`note ${i}`, { body, date, from: `Writer ${i} <w${i}@example.test>` }),
        [],
        date,
      );
    }
    await other.logout();
    const owner = await signedInUser(api);
    await call(owner, 'POST', '/mailroom/rules', {
      name: 'Quotes become leads',
      conditions: [{ field: 'body', op: 'contains', value: 'zebracrossing' }],
      actions: [{ type: 'create', recordType: 'lead' }],
    });
    const mailboxId = await connect(owner, user);

    // Header pass: every message listed (subjects, senders), no body read yet.
    const idle = await waitIdle(api, owner.auth, mailboxId);
    expect(idle.progress).toEqual({ done: COUNT, total: COUNT });
    const listed = await call<{ items: Summary[] }>(owner, 'GET', `/messages?mailboxId=${mailboxId}&folder=INBOX`);
    expect(listed.items.map((m) => m.subject)).toEqual(
      Array.from({ length: COUNT }, (_, i) => `note ${COUNT - 1 - i}`),
    );
    expect(listed.items.every((m) => m.snippet === '')).toBe(true);

    // Search covers what is indexed, and says how far that is.
    const search = (q: string) => call<SearchAnswer>(owner, 'GET', `/messages?mailboxId=${mailboxId}&q=${q}`);
    expect(await search('kumquats5')).toEqual({ items: [], nextCursor: null, indexing: { done: 0, total: COUNT } });

    // The rule on the body waits, and says so.
    const quote = listed.items.find((m) => m.subject === 'note 3')!;
    const opened = await call<Detail>(owner, 'GET', `/messages/${quote.id}`);
    expect(opened.text).toBe('Please quote for zebracrossing paint'); // indexed on demand, the indexer still held
    expect(opened.mailroom.map((r) => [r.ruleName, r.results.map((x) => x.type)])).toEqual([
      ['Quotes become leads', ['wait']],
    ]);
    expect((await search('zebracrossing')).items.map((m) => m.subject)).toEqual(['note 3']);
    expect((await search('kumquats5')).indexing).toEqual({ done: 1, total: COUNT });
    const leads = async () =>
      (await call<{ items: { emails: string[]; ownerId: string }[] }>(owner, 'GET', '/leads')).items
        .filter((l) => l.ownerId === owner.user.id)
        .map((l) => l.emails[0]);
    expect(await leads()).toEqual([]);

    // Bodies behind: the indexer reads the rest from the stored sources, and the waiting rule runs once.
    gated.open();
    await expect.poll(async () => (await search('kumquats5')).indexing, poll).toBeNull();
    expect((await search('kumquats5')).items.map((m) => m.subject)).toEqual(['note 5']);
    const bodies = await call<{ items: Summary[] }>(owner, 'GET', `/messages?mailboxId=${mailboxId}&folder=INBOX`);
    expect(bodies.items.find((m) => m.subject === 'note 7')?.snippet).toBe('Plain note number 7 about kumquats7');
    await expect.poll(leads, poll).toEqual(['w3@example.test']);
    const after = await call<Detail>(owner, 'GET', `/messages/${quote.id}`);
    expect(after.mailroom.map((r) => r.results.map((x) => x.type))).toEqual([['wait'], ['create']]);
  }, 180_000);
});
