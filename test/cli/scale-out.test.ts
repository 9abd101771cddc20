import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, connectOverHttp, killNow, runTandem, startTandem } from '../support/cli.ts';
import {
  createMailUser,
  deliver,
  freshPostgresSchema,
  mailServers,
  otherClient,
  postgresUrl,
} from '../support/index.ts';
import { rawMessage } from '../support/sync.ts';

const poll = { timeout: 30_000, interval: 250 };
// Long enough for a dead worker's 30 s lease to expire and another to take the mailbox.
const failover = { timeout: 75_000, interval: 500 };

interface Item {
  id: string;
  subject: string;
  flagged: boolean;
}

/**
 * `tandem web` and two `tandem worker` processes around one PostgreSQL (and one
 * shared data folder for blobs): changes made through the web process reach
 * the server through a worker at once, and when the worker holding the
 * mailbox dies, the other takes it over.
 */
describe.skipIf(postgresUrl() === null)('scale-out: tandem web and tandem worker on PostgreSQL', () => {
  const servers = mailServers();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-scale-out-'));
  const children: ChildProcess[] = [];
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    schema = await freshPostgresSchema();
    env = { DATABASE_URL: schema.url, TANDEM_LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    children.forEach((c) => c.kill('SIGKILL'));
    await schema?.drop();
  });

  const startWorker = async () => {
    const worker = await startTandem(['worker', '--data', dataDir], env, /Tandem worker (\S+) is running/);
    children.push(worker.child);
    return worker;
  };

  /** Reads a server-sent event stream in the background. */
  async function liveEvents(url: string, headers: Record<string, string>) {
    const controller = new AbortController();
    const response = await fetch(url, { headers, signal: controller.signal });
    expect(response.status).toBe(200);
    const received: { type: string; mailboxId?: string }[] = [];
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      for (;;) {
        const chunk = await reader?.read().catch(() => undefined);
        if (!chunk || chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        for (const block of blocks) {
          const data = /^data: (.*)$/m.exec(block)?.[1];
          const type = /^event: (.*)$/m.exec(block)?.[1];
          if (type && data) received.push({ ...(JSON.parse(data) as object), type });
        }
      }
    })();
    streams.push(controller);
    return { received: () => received };
  }
  const streams: AbortController[] = [];
  afterAll(() => streams.forEach((s) => s.abort()));

  it('refuses to run on the embedded SQLite store', async () => {
    for (const command of ['worker', 'web']) {
      const result = await runTandem([command, '--data', dataDir]);
      expect([command, result.code]).toEqual([command, 2]);
      expect(result.stderr).toMatch(/needs PostgreSQL: set DATABASE_URL/);
    }
  });

  it(
    'applies "mark incoming as private" switched on through the web process to the very next mail',
    { timeout: 120_000 },
    async () => {
      const mailUser = await createMailUser(servers, 'private');
      const web = await startTandem(
        ['web', '--port', '0', '--data', dataDir],
        env,
        /Tandem is running at (http:\/\/\S+)/,
      );
      children.push(web.child);
      const worker = await startWorker();
      const headers = await cliUserHeaders(dataDir, 'private@example.test', env);
      const created = await connectOverHttp(web.printed, headers, servers, mailUser, {
        syncPeriod: '1m',
        folders: ['INBOX'],
      });
      expect(created.status).toBe(201);
      const mailbox = (await created.json()) as { id: string };
      const list = async () =>
        (
          (await (await fetch(`${web.printed}/api/v1/messages?mailboxId=${mailbox.id}`, { headers })).json()) as {
            items: Item[];
          }
        ).items;
      await deliver(servers, mailUser.username, rawMessage('Public'));
      await expect.poll(async () => (await list()).map((m) => m.subject), poll).toEqual(['Public']);

      const patched = await fetch(`${web.printed}/api/v1/mailboxes/${mailbox.id}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ markIncomingPrivate: true }),
      });
      expect(patched.status).toBe(200);
      await deliver(servers, mailUser.username, rawMessage('Private'));
      await expect.poll(async () => (await list()).map((m) => m.subject).sort(), poll).toEqual(['Private', 'Public']);

      const stranger = await cliUserHeaders(dataDir, 'stranger@example.test', env);
      const read = async (subject: string) => {
        const id = (await list()).find((m) => m.subject === subject)?.id;
        return (await fetch(`${web.printed}/api/v1/messages/${id}`, { headers: stranger })).status;
      };
      expect(await read('Private')).toBe(404);
      expect(await read('Public')).toBe(200);
      // The failover test below counts on its own workers alone.
      await Promise.all([killNow(worker.child), killNow(web.child)]);
    },
  );

  it(
    'pushes changes made through the web process at once, and fails over when a worker dies',
    { timeout: 180_000 },
    async () => {
      const mailUser = await createMailUser(servers, 'scale');
      await deliver(servers, mailUser.username, rawMessage('Before'));
      const web = await startTandem(
        ['web', '--port', '0', '--data', dataDir],
        env,
        /Tandem is running at (http:\/\/\S+)/,
      );
      children.push(web.child);
      const workers = [await startWorker(), await startWorker()];
      const headers = await cliUserHeaders(dataDir, 'scale@example.test', env);
      const created = await connectOverHttp(web.printed, headers, servers, mailUser, {
        syncPeriod: '1m',
        folders: ['INBOX'],
      });
      expect(created.status).toBe(201);
      const mailbox = (await created.json()) as { id: string };
      const events = await liveEvents(`${web.printed}/api/v1/events`, headers);
      const list = async () =>
        (
          (await (await fetch(`${web.printed}/api/v1/messages?mailboxId=${mailbox.id}`, { headers })).json()) as {
            items: Item[];
          }
        ).items;

      await expect.poll(async () => (await list()).map((m) => m.subject), poll).toEqual(['Before']);
      const [before] = await list();
      // The worker's engine stored it; the web process's live stream heard of it through PostgreSQL.
      await expect
        .poll(() => events.received().some((e) => e.type === 'messages.added' && e.mailboxId === mailbox.id), poll)
        .toBe(true);

      // A change through the web process: the worker learns of it by a hint, not by its next full check minutes later.
      const patched = await fetch(`${web.printed}/api/v1/messages/${before?.id}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ flagged: true }),
      });
      expect(patched.status).toBe(200);
      const serverFlags = async () => {
        const client = await otherClient(servers, mailUser);
        try {
          await client.mailboxOpen('INBOX', { readOnly: true });
          const flags: string[][] = [];
          for await (const m of client.fetch('1:*', { flags: true })) flags.push([...(m.flags ?? [])]);
          return flags;
        } finally {
          await client.logout();
        }
      };
      await expect.poll(serverFlags, poll).toEqual([['\\Flagged']]);

      // Kill the worker holding the lease; the other takes the mailbox once the lease expires.
      const db = new pg.Client({ connectionString: schema.url });
      await db.connect();
      try {
        const holder = (
          await db.query<{ owner: string }>('SELECT owner FROM mailbox_leases WHERE mailbox_id = $1', [mailbox.id])
        ).rows[0]?.owner;
        const dying = workers.find((w) => w.printed === holder);
        const surviving = workers.find((w) => w.printed !== holder);
        expect(dying).toBeDefined();
        dying?.child.kill('SIGKILL');
        await deliver(servers, mailUser.username, rawMessage('After the failover'));
        await expect
          .poll(async () => (await list()).map((m) => m.subject).sort(), failover)
          .toEqual(['After the failover', 'Before']);
        const owner = (
          await db.query<{ owner: string }>('SELECT owner FROM mailbox_leases WHERE mailbox_id = $1', [mailbox.id])
        ).rows[0]?.owner;
        expect(owner).toBe(surviving?.printed);
      } finally {
        await db.end();
      }
    },
  );
});
