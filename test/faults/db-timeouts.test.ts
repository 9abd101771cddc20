// Fault: a `tandem worker` is stopped (SIGSTOP: a frozen VM, a debugger, swapping)
// in the middle of a transaction of its first sync. Its session sits "idle in
// transaction" holding row locks; once its lease expires another worker takes the
// mailbox and must not wait on those locks forever: PostgreSQL ends the stopped
// session (idle_in_transaction_session_timeout), and the new holder finishes the sync.
// When the stopped worker goes on, it lives on and writes nothing twice.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, connectOverHttp, killNow, startTandem } from '../support/cli.ts';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';
import { postgresBinDir, startPrivatePostgres } from '../support/private-postgres.ts';
import type { PrivatePostgres } from '../support/private-postgres.ts';
import { rawMessage } from '../support/sync.ts';

const MESSAGES = 600;
// The lease (30 s) must expire and the next worker claim it (it looks every 10 s) before the sync goes on.
const takeover = { timeout: 150_000, interval: 1000 };

describe.skipIf(postgresBinDir() === null && !process.env.CI)('a worker stopped inside a transaction', () => {
  const servers = mailServers();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-db-timeouts-'));
  let database: PrivatePostgres;
  let admin: pg.Client;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await startPrivatePostgres();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    children.forEach((c) => c.kill('SIGCONT'));
    await Promise.all(children.map((c) => killNow(c)));
    await admin?.end();
    await database?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Sessions of one process (by its application_name) holding a transaction open with nothing running in it. */
  const idleInTransaction = async (child: ChildProcess) =>
    (
      await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE state = 'idle in transaction' AND application_name = $1`,
        [`tandem:${child.pid}`],
      )
    ).rows.map((r) => r.pid);

  const storedCount = async () =>
    Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM messages')).rows[0]?.n ?? 0);

  it('frees its locks so the next worker finishes the first sync', { timeout: 480_000 }, async () => {
    const env = {
      DATABASE_URL: database.url,
      TANDEM_LOG_LEVEL: 'warn',
      // Shorter than the defaults (30 s, 20 s) to keep the test short; the defaults are what operators get.
      TANDEM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '5000',
      TANDEM_DB_LOCK_TIMEOUT_MS: '5000',
    };
    const mailUser = await createMailUser(servers, 'frozen');
    const other = await otherClient(servers, mailUser);
    for (let i = 0; i < MESSAGES; i += 1) await other.append('INBOX', rawMessage(`Message ${i}`));
    await other.logout();

    const web = await startTandem(
      ['web', '--port', '0', '--data', dataDir],
      env,
      /Tandem is running at (http:\/\/\S+)/,
    );
    children.push(web.child);
    const first = await startTandem(['worker', '--data', dataDir], env, /Tandem worker (\S+) is running/);
    children.push(first.child);
    const headers = await cliUserHeaders(dataDir, 'frozen@example.test', env);
    const created = await connectOverHttp(web.printed, headers, servers, mailUser, {
      syncPeriod: '1m',
      folders: ['INBOX'],
    });
    expect(created.status).toBe(201);

    // Stop the worker until it is caught inside a transaction (its session idle in transaction).
    let stuck: number[] = [];
    await expect
      .poll(
        async () => {
          first.child.kill('SIGSTOP');
          await new Promise((resolve) => setTimeout(resolve, 50));
          stuck = await idleInTransaction(first.child);
          if (stuck.length === 0) {
            first.child.kill('SIGCONT');
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
          }
          return stuck.length > 0 || (await storedCount()) >= MESSAGES;
        },
        { timeout: 120_000, interval: 1 },
      )
      .toBe(true);
    expect(stuck.length, 'the first sync ended before the worker was caught inside a transaction').toBeGreaterThan(0);
    const countWhenStopped = await storedCount();
    expect(countWhenStopped).toBeLessThan(MESSAGES);

    // PostgreSQL ends the stopped worker's session; its open transaction is rolled back.
    await expect.poll(async () => idleInTransaction(first.child), takeover).toEqual([]);

    // Another worker takes the mailbox over and finishes the first sync while the first is still stopped.
    const second = await startTandem(['worker', '--data', dataDir], env, /Tandem worker (\S+) is running/);
    children.push(second.child);
    await expect.poll(storedCount, takeover).toBe(MESSAGES);
    const owner = (await admin.query<{ owner: string }>('SELECT owner FROM mailbox_leases')).rows[0]?.owner;
    expect(owner).toBe(second.printed);

    // The stopped worker goes on: its broken connection does not end it, and it stores nothing twice.
    first.child.kill('SIGCONT');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(first.child.exitCode === null && first.child.signalCode === null).toBe(true);
    expect(await storedCount()).toBe(MESSAGES);
    const locations = await admin.query<{ n: string; uids: string }>(
      'SELECT count(*) AS n, count(DISTINCT uid) AS uids FROM message_locations',
    );
    const row = locations.rows[0];
    expect({ n: Number(row?.n), uids: Number(row?.uids) }).toEqual({ n: MESSAGES, uids: MESSAGES });
  });
});
