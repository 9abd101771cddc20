import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, connectOverHttp, killNow, startServe } from '../support/cli.ts';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';

/** Kills `tandem serve` at random moments while a draft is being edited: one live version, the latest, must remain. */
describe('draft edits interrupted by SIGKILL', () => {
  const servers = mailServers();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-crash-drafts-'));
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

  it('leave exactly one version on the server, the last one saved', async () => {
    const user = await createMailUser(servers);
    const headers = await cliUserHeaders(dataDir, 'drafter@example.test');
    let serve = await startServe(['--data', dataDir]);
    children.push(serve.child);
    const mailbox = (await (
      await connectOverHttp(serve.url, headers, servers, user, { syncPeriod: 'now' })
    ).json()) as { id: string };
    const draft = (await (
      await fetch(`${serve.url}/api/v1/drafts`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ mailboxId: mailbox.id, subject: 'version 0', text: 'v0' }),
      })
    ).json()) as { id: string };

    let last = 'version 0';
    for (let i = 1; i <= 6; i += 1) {
      last = `version ${i}`;
      const saved = await fetch(`${serve.url}/api/v1/drafts/${draft.id}`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ subject: last, text: `v${i}` }),
      });
      expect(saved.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, (i * 37) % 120));
      await killNow(serve.child);
      serve = await startServe(['--data', dataDir]);
      children.push(serve.child);
    }

    const subjects = async () => {
      const client = await otherClient(servers, user);
      try {
        await client.mailboxOpen('Drafts', { readOnly: true });
        const found: string[] = [];
        for await (const m of client.fetch('1:*', { envelope: true, flags: true }))
          if (!m.flags?.has('\\Deleted')) found.push(m.envelope?.subject ?? '');
        return found;
      } finally {
        await client.logout();
      }
    };
    const url = serve.url;
    await expect.poll(subjects, { timeout: 60_000, interval: 250 }).toEqual([last]);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${url}/api/v1/drafts/${draft.id}`, { headers })).json()) as { state: string }).state,
        { timeout: 30_000 },
      )
      .toBe('saved');
  }, 180_000);
});
