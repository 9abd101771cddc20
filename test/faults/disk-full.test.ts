// Fault: the disk holding the embedded server's data (SQLite and blobs) fills up
// while mail arrives. The server must stay up; the mailbox shows `storage_full`,
// API writes answer 507 storage_full, no temp files pile up, and once space is
// freed everything goes on by itself.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, connectOverHttp, killNow, startServe } from '../support/cli.ts';
import { createMailUser, deliver, mailServers } from '../support/index.ts';
import { mountSmallDisk } from '../support/small-disk.ts';
import type { SmallDisk } from '../support/small-disk.ts';
import { rawMessage } from '../support/sync.ts';

const poll = { timeout: 60_000, interval: 500 };

/** Every file under `dir` whose name ends in .tmp. */
function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.tmp'));
}

/** A message with a body large enough that its blob needs room on the disk. */
function bigMessage(subject: string): string {
  const line = 'All work and no play makes a full disk. '.repeat(2);
  return rawMessage(subject, { body: `${line}\r\n`.repeat(3000) });
}

const disk = await mountSmallDisk(48);

describe.skipIf(disk === null)('a full disk under the embedded server', () => {
  const servers = mailServers();
  let small: SmallDisk;
  let child: ChildProcess | undefined;
  let output = () => '';
  beforeAll(() => {
    small = disk as SmallDisk;
  });
  afterAll(async () => {
    if (process.env.TANDEM_TEST_LOG) console.log(output());
    if (child) await killNow(child);
    await small?.dispose();
  });

  it('keeps serving, says storage_full, and resumes once space is freed', { timeout: 240_000 }, async () => {
    const dataDir = path.join(small.dir, 'data');
    const server = await startServe(['--data', dataDir], { TANDEM_LOG_LEVEL: 'warn' });
    child = server.child;
    output = server.output;
    let url = server.url;
    const mailUser = await createMailUser(servers, 'fulldisk');
    await deliver(servers, mailUser.username, rawMessage('Before'));
    const headers = await cliUserHeaders(dataDir, 'fulldisk@example.test');
    const created = await connectOverHttp(url, headers, servers, mailUser, { syncPeriod: '1m', folders: ['INBOX'] });
    expect(created.status).toBe(201);
    const mailbox = (await created.json()) as { id: string };
    const subjects = async () => {
      const response = await fetch(`${url}/api/v1/messages?mailboxId=${mailbox.id}`, { headers });
      return ((await response.json()) as { items: { subject: string }[] }).items.map((m) => m.subject).sort();
    };
    const state = async () =>
      (await (await fetch(`${url}/api/v1/mailboxes/${mailbox.id}`, { headers })).json()) as {
        state: string;
        error: string | null;
      };
    const storage = async () => ((await (await fetch(`${url}/healthz`)).json()) as { storage: string }).storage;
    await expect.poll(subjects, poll).toEqual(['Before']);

    small.fill();
    const arriving = Array.from({ length: 10 }, (_, i) => `While full ${i}`);
    for (const subject of arriving) await deliver(servers, mailUser.username, bigMessage(subject));

    // The mailbox says why it does not sync; the process is up and answers.
    await expect.poll(async () => (await state()).error ?? '', poll).toMatch(/^storage_full: /);
    expect(child.exitCode).toBe(null);
    expect(await subjects()).toEqual(['Before']);
    expect(await storage()).toBe('full');
    // A write through the API is refused with a clear code, having saved nothing.
    const draft = await fetch(`${url}/api/v1/drafts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ mailboxId: mailbox.id, subject: 'Not now', text: 'x'.repeat(200_000) }),
    });
    expect(draft.status).toBe(507);
    expect(((await draft.json()) as { error: { code: string } }).error.code).toBe('storage_full');
    // Failed blob writes leave no temp files.
    expect(tempFiles(dataDir)).toEqual([]);

    // A restart while the disk is still full: the server starts again and serves what it holds.
    await killNow(child);
    const again = await startServe(['--data', dataDir], { TANDEM_LOG_LEVEL: 'warn' });
    child = again.child;
    output = again.output;
    url = again.url;
    expect(await subjects()).toEqual(['Before']);
    await expect.poll(async () => (await state()).error ?? '', poll).toMatch(/^storage_full: /);

    // Space comes back: the sync goes on by itself, and writes work again.
    small.free();
    await expect.poll(subjects, { ...poll, timeout: 120_000 }).toEqual(['Before', ...arriving].sort());
    await expect.poll(async () => (await state()).error, poll).toBe(null);
    expect(await storage()).toBe('ok');
    const saved = await fetch(`${url}/api/v1/drafts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ mailboxId: mailbox.id, subject: 'Now', text: 'Space again' }),
    });
    expect(saved.status).toBe(201);
    expect(child.exitCode).toBe(null);
  });
});
