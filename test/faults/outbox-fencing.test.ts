// Fault: the worker pushing a mailbox's changes is paused (SIGSTOP) in the middle
// of its queue; the other worker takes the mailbox over, pushes the rest and the
// user's newer changes; then the paused worker goes on (SIGCONT). It must not
// send what it had read before it was paused (an op the next holder already ran,
// and the user has since undone), nor record anything. And a message a fault left
// in no folder, not marked orphaned (invisible for good), is found again by a full check.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, connectOverHttp, killNow, startTandem } from '../support/cli.ts';
import {
  createMailUser,
  deliver,
  freshPostgresSchema,
  mailServers,
  otherClient,
  postgresUrl,
} from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { storeDialects } from '../support/stores.ts';
import { connectTestMailbox, rawMessage, startSyncApi, storedLocations, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const MESSAGES = 100;
const poll = { timeout: 60_000, interval: 250 };
// The paused worker's lease (30 s) must expire and the other claim it (it looks every 10 s).
const takeover = { timeout: 120_000, interval: 500 };

async function flaggedOnServer(servers: ReturnType<typeof mailServers>, user: MailUser): Promise<number> {
  const client = await otherClient(servers, user);
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    let flagged = 0;
    for await (const m of client.fetch('1:*', { flags: true })) if (m.flags?.has('\\Flagged')) flagged += 1;
    return flagged;
  } finally {
    await client.logout();
  }
}

describe.skipIf(postgresUrl() === null)('a worker paused while it pushes changes', () => {
  const servers = mailServers();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-outbox-fencing-'));
  const children: ChildProcess[] = [];
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let db: pg.Client;

  beforeAll(async () => {
    schema = await freshPostgresSchema();
    db = new pg.Client({ connectionString: schema.url });
    await db.connect();
  });
  afterAll(async () => {
    children.forEach((c) => c.kill('SIGCONT'));
    await Promise.all(children.map((c) => killNow(c)));
    await db?.end();
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const opStates = async () => {
    const rows = (
      await db.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM outbox_ops GROUP BY state')
    ).rows;
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])) as Record<string, number | undefined>;
  };

  it('sends nothing it read before the pause, and records nothing', { timeout: 360_000 }, async () => {
    const env = { DATABASE_URL: schema.url, TANDEM_LOG_LEVEL: 'warn' };
    const mailUser = await createMailUser(servers, 'paused');
    const other = await otherClient(servers, mailUser);
    for (let i = 0; i < MESSAGES; i += 1) await other.append('INBOX', rawMessage(`Message ${i}`));
    await other.logout();

    const web = await startTandem(
      ['web', '--port', '0', '--data', dataDir],
      env,
      /Tandem is running at (http:\/\/\S+)/,
    );
    children.push(web.child);
    const paused = await startTandem(['worker', '--data', dataDir], env, /Tandem worker (\S+) is running/);
    children.push(paused.child);
    const headers = await cliUserHeaders(dataDir, 'paused@example.test', env);
    const created = await connectOverHttp(web.printed, headers, servers, mailUser, {
      syncPeriod: '1m',
      folders: ['INBOX'],
    });
    expect(created.status).toBe(201);
    const mailbox = (await created.json()) as { id: string };
    const messageCount = async () => Number((await db.query('SELECT count(*) AS n FROM messages')).rows[0].n);
    await expect.poll(messageCount, poll).toBe(MESSAGES);
    const ids = (await db.query<{ id: number }>('SELECT id FROM messages ORDER BY id')).rows.map((r) => r.id);
    const flagAll = async (flagged: boolean) => {
      for (let i = 0; i < ids.length; i += 10) {
        const statuses = await Promise.all(
          ids.slice(i, i + 10).map(
            async (id) =>
              (
                await fetch(`${web.printed}/api/v1/messages/${id}`, {
                  method: 'PATCH',
                  headers,
                  body: JSON.stringify({ flagged }),
                })
              ).status,
          ),
        );
        expect(new Set(statuses)).toEqual(new Set([200]));
      }
    };

    // The changes wait in the outbox while the worker is stopped; it is let go, and stopped again mid-queue.
    paused.child.kill('SIGSTOP');
    await flagAll(true);
    paused.child.kill('SIGCONT');
    await expect.poll(async () => (await opStates()).done ?? 0, { timeout: 30_000, interval: 1 }).toBeGreaterThan(0);
    paused.child.kill('SIGSTOP');
    const atPause = await opStates();
    expect((atPause.pending ?? 0) + (atPause.running ?? 0), 'the queue was drained before the pause').toBeGreaterThan(
      1,
    );

    // The other worker takes over and pushes the rest; then the user takes every flag off again.
    const next = await startTandem(['worker', '--data', dataDir], env, /Tandem worker (\S+) is running/);
    children.push(next.child);
    await expect.poll(opStates, takeover).toEqual({ done: MESSAGES });
    await flagAll(false);
    await expect.poll(opStates, poll).toEqual({ done: 2 * MESSAGES });
    await expect.poll(() => flaggedOnServer(servers, mailUser), poll).toBe(0);

    // The paused worker goes on: it finds out it lost the mailbox, having sent and recorded nothing.
    const before = paused.output().length;
    paused.child.kill('SIGCONT');
    await expect.poll(() => paused.output().slice(before).includes(mailbox.id), poll).toBe(true);
    expect(await flaggedOnServer(servers, mailUser)).toBe(0);
    expect(await opStates()).toEqual({ done: 2 * MESSAGES });
    const flaggedInTandem = await db.query('SELECT count(*) AS n FROM message_locations WHERE flagged = 1');
    expect(Number(flaggedInTandem.rows[0].n)).toBe(0);
    const owner = (await db.query<{ owner: string }>('SELECT owner FROM mailbox_leases')).rows[0]?.owner;
    expect(owner).toBe(next.printed);
    expect(paused.child.exitCode).toBe(null);
  });
});

describe.each(await storeDialects())('a message left in no folder (%s)', (dialect) => {
  const servers = mailServers();
  let api: SyncTestApi;
  afterAll(async () => api?.close());

  it('is found again by the next full check, or marked orphaned when the server has it no more', async () => {
    api = await startSyncApi(dialect);
    const user = await createMailUser(servers, 'lost');
    await deliver(servers, user.username, rawMessage('Lost'));
    const goneUid = await deliver(servers, user.username, rawMessage('Gone from the server'));
    await deliver(servers, user.username, rawMessage('Kept'));
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { folders: ['INBOX'] });
    await waitIdle(api, owner.auth, mailbox.id);
    const { db } = api.context.store;
    const located = await storedLocations(api, mailbox.id);
    const lost = located.find((l) => l.subject === 'Lost');
    const gone = located.find((l) => l.subject === 'Gone from the server');
    expect(lost && gone).toBeTruthy();

    // What a fault left behind: locations removed, the messages not marked orphaned. One is still on the server.
    await db.deleteFrom('message_locations').where('message_id', 'in', [lost!.messageId, gone!.messageId]).execute();
    const other = await otherClient(servers, user);
    await other.mailboxOpen('INBOX');
    await other.messageDelete(String(goneUid), { uid: true });
    await other.logout();

    api.engine.wake(mailbox.id); // a full check
    const held = async () => (await storedLocations(api, mailbox.id)).map((l) => `${l.subject} #${l.messageId}`).sort();
    const kept = located.find((l) => l.subject === 'Kept');
    // Found again under its own id.
    await expect.poll(held, poll).toEqual([`Kept #${kept?.messageId}`, `Lost #${lost?.messageId}`]);
    const listed = await api.app.inject({
      method: 'GET',
      url: `/api/v1/messages?mailboxId=${mailbox.id}`,
      headers: owner.auth,
    });
    expect(
      listed
        .json<{ items: { subject: string }[] }>()
        .items.map((m) => m.subject)
        .sort(),
    ).toEqual(['Kept', 'Lost']);
    const orphan = await db
      .selectFrom('messages')
      .select('orphaned_at')
      .where('id', '=', gone!.messageId)
      .executeTakeFirst();
    // Marked orphaned (or already purged, the grace time having passed): never invisible for good.
    expect(orphan === undefined || orphan.orphaned_at !== null).toBe(true);
  });
});
