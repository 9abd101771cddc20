import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, connectOverHttp, killNow, startServe } from '../support/cli.ts';
import { createMailUser, mailServers, serverSubjects } from '../support/index.ts';

/** Kills `tandem serve` at moments around sends: never two deliveries or two Sent copies, never a send that silently vanishes. */
describe('sends interrupted by SIGKILL', () => {
  const servers = mailServers();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-crash-send-'));
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

  it('deliver each email at most once and account for every one', async () => {
    const sender = await createMailUser(servers, 'sender');
    const recipient = await createMailUser(servers, 'recipient');
    const headers = await cliUserHeaders(dataDir, 'sender@example.test');
    let serve = await startServe(['--data', dataDir]);
    children.push(serve.child);
    const mailbox = (await (
      await connectOverHttp(serve.url, headers, servers, sender, { syncPeriod: 'now' })
    ).json()) as { id: string };

    const sends: { id: string; subject: string }[] = [];
    for (let i = 0; i < 6; i += 1) {
      const url = serve.url;
      // Sends run in the request: kill while it is in flight, or just after it answered.
      const request = fetch(`${url}/api/v1/messages/send`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          mailboxId: mailbox.id,
          to: [recipient.address],
          subject: `crash send ${i}`,
          text: `body ${i}`,
        }),
      })
        .then(async (r) => ((await r.json()) as { id?: string }).id)
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, (i * 41) % 150));
      const exited = killNow(serve.child);
      const id = await request;
      if (id) sends.push({ id, subject: `crash send ${i}` });
      await exited;
      serve = await startServe(['--data', dataDir]);
      children.push(serve.child);
    }

    const url = serve.url;
    // Every answered send is accounted for: sent, failed, or uncertain ("may not have been sent") — never left 'attempted'.
    const stateOf = async (id: string) =>
      ((await (await fetch(`${url}/api/v1/sends/${id}`, { headers })).json()) as { state: string }).state;
    const states = new Map(await Promise.all(sends.map(async (s) => [s.subject, await stateOf(s.id)] as const)));
    for (const state of states.values()) expect(['sent', 'failed', 'uncertain']).toContain(state);

    // Every 'sent' one is delivered once and filed in Sent once; nothing is ever there twice.
    const confirmed = sends.filter((s) => states.get(s.subject) === 'sent').map((s) => s.subject);
    await expect
      .poll(() => serverSubjects(servers, sender, 'Sent').then((s) => s.sort()), { timeout: 30_000 })
      .toEqual(expect.arrayContaining(confirmed));
    const delivered = await serverSubjects(servers, recipient, 'INBOX').then((s) => s.sort());
    const filed = await serverSubjects(servers, sender, 'Sent').then((s) => s.sort());
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(new Set(filed).size).toBe(filed.length);
    expect(delivered).toEqual(expect.arrayContaining(confirmed));
    // A Sent copy is only filed after the server took the message.
    for (const subject of filed) expect(delivered).toContain(subject);
  }, 180_000);
});
