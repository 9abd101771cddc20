// Fault: the PostgreSQL server restarts (or is down for a while) under a running
// `tandem web` and `tandem worker`. Every session is ended ("terminating connection
// due to administrator command"): the processes must live on, the LISTEN connections
// come back, and the sync goes on by itself. The cluster is this test's own: the
// shared PostgreSQL serves other tests.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, connectOverHttp, killNow, startTandem } from '../support/cli.ts';
import { createMailUser, deliver, mailServers, otherClient } from '../support/index.ts';
import { postgresBinDir, startPrivatePostgres } from '../support/private-postgres.ts';
import type { PrivatePostgres } from '../support/private-postgres.ts';
import { rawMessage } from '../support/sync.ts';

const poll = { timeout: 60_000, interval: 500 };

describe.skipIf(postgresBinDir() === null && !process.env.CI)('a PostgreSQL restart under web and worker', () => {
  const servers = mailServers();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-pg-restart-'));
  let database: PrivatePostgres;
  const children: ChildProcess[] = [];
  const outputs: (() => string)[] = [];

  beforeAll(async () => {
    database = await startPrivatePostgres();
  });
  afterAll(async () => {
    if (process.env.TANDEM_TEST_LOG) for (const [i, o] of outputs.entries()) console.log(`--- process ${i}\n${o()}`);
    await Promise.all(children.map((c) => killNow(c)));
    await database?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps both processes running and the sync going', { timeout: 240_000 }, async () => {
    const env = { DATABASE_URL: database.url, TANDEM_LOG_LEVEL: 'info' };
    const mailUser = await createMailUser(servers, 'pgrestart');
    await deliver(servers, mailUser.username, rawMessage('Before the restart'));
    const web = await startTandem(
      ['web', '--port', '0', '--data', dataDir],
      env,
      /Tandem is running at (http:\/\/\S+)/,
    );
    children.push(web.child);
    outputs.push(web.output);
    const worker = await startTandem(['worker', '--data', dataDir], env, /Tandem worker (\S+) is running/);
    children.push(worker.child);
    outputs.push(worker.output);
    const headers = await cliUserHeaders(dataDir, 'pgrestart@example.test', env);
    const created = await connectOverHttp(web.printed, headers, servers, mailUser, {
      syncPeriod: '1m',
      folders: ['INBOX'],
    });
    expect(created.status).toBe(201);
    const mailbox = (await created.json()) as { id: string };
    const list = async () => {
      const response = await fetch(`${web.printed}/api/v1/messages?mailboxId=${mailbox.id}`, { headers });
      if (response.status !== 200) return [];
      return ((await response.json()) as { items: { id: string; subject: string }[] }).items;
    };
    await expect.poll(async () => (await list()).map((m) => m.subject), poll).toEqual(['Before the restart']);

    // A restart ends every session at once; then the server is down for a few seconds (connections refused).
    await database.restart();
    await database.stop();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await database.start();

    const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
    expect({ web: alive(web.child), worker: alive(worker.child) }).toEqual({ web: true, worker: true });

    // New mail is synced and served again.
    await deliver(servers, mailUser.username, rawMessage('After the restart'));
    await expect
      .poll(async () => (await list()).map((m) => m.subject).sort(), poll)
      .toEqual(['After the restart', 'Before the restart']);
    // A change through the web process reaches the mail server through the worker.
    const [first] = await list();
    const patched = await fetch(`${web.printed}/api/v1/messages/${first?.id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ flagged: true }),
    });
    expect(patched.status).toBe(200);
    const flaggedOnServer = async () => {
      const client = await otherClient(servers, mailUser);
      try {
        await client.mailboxOpen('INBOX', { readOnly: true });
        let flagged = 0;
        for await (const m of client.fetch('1:*', { flags: true })) if (m.flags?.has('\\Flagged')) flagged += 1;
        return flagged;
      } finally {
        await client.logout();
      }
    };
    await expect.poll(flaggedOnServer, poll).toBe(1);
    // Both LISTEN connections (hints in the worker, live events in the web process) came back.
    await expect.poll(() => /listening on PostgreSQL again/.test(worker.output()), poll).toBe(true);
    await expect.poll(() => /listening on PostgreSQL again/.test(web.output()), poll).toBe(true);
    expect({ web: alive(web.child), worker: alive(worker.child) }).toEqual({ web: true, worker: true });
  });
});
