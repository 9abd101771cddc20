// The Sent folder in Chromium shows the sends not yet confirmed: one still
// in the SMTP exchange ("Sending…"), one cut off after the final dot ("Uncertain").
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, waitFor } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';

const servers = mailServers();
const USER = { email: 'sender@example.test', password: 'sender-password' };

describe('unconfirmed sends in the Sent view, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let proxy: FaultProxy;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-sent-view-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    proxy = await startFaultProxy(servers.smtp);
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await proxy?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('lists a send in progress as sending and one cut off after the final dot as uncertain', async () => {
    const { page, problems } = browser;
    const mail = await createMailUser(servers, 'sent-view');
    const stranger = await createMailUser(servers, 'stranger');
    const created = await signInAndConnect(page, serve.url, USER, {
      servers: { ...servers, smtp: { host: proxy.host, port: proxy.port } },
      mail,
      folders: ['INBOX', 'Sent'],
    });
    expect(created.status()).toBe(201);
    const mailbox = (await created.json()) as { id: string };
    const send = (subject: string) =>
      page.request.post(`${serve.url}/api/v1/messages/send`, {
        headers: { 'x-tandem-csrf': '1' },
        data: { mailboxId: mailbox.id, to: [stranger.address], subject, text: 'Hello' },
        timeout: 120_000,
      });

    proxy.set({ cutReplyAfter: '\r\n.\r\n' });
    const cut = await send('Cut after the dot');
    expect(cut.status()).toBe(502);

    // Slow replies, then a stall once the send is under way: it stays in the SMTP exchange.
    proxy.set({ cutReplyAfter: null, delayMs: 700 });
    const inFlight = send('Still going').catch(() => undefined);
    await waitFor(
      async () => {
        const answer = await page.request.get(`${serve.url}/api/v1/sends?state=sending`);
        return ((await answer.json()) as { items: unknown[] }).items.length === 1;
      },
      { what: 'the second send to be under way', timeoutMs: 30_000 },
    );
    proxy.set({ stalled: true });

    await page.goto(`${serve.url}/mail/Sent`);
    const pending = page.getByRole('list', { name: 'Sends not confirmed' });
    const row = (subject: string) => pending.locator('.message-row', { hasText: subject });
    await row('Cut after the dot').getByText('Uncertain: may not have been delivered').waitFor();
    await row('Still going').getByText('Sending…').waitFor();
    expect(await row('Cut after the dot').textContent()).toContain(`To: ${stranger.address}`);
    // Not shown in other folders.
    await page.goto(`${serve.url}/mail/INBOX`);
    await page.getByRole('search').waitFor();
    expect(await page.getByRole('list', { name: 'Sends not confirmed' }).count()).toBe(0);
    expect(problems).toEqual([]);

    proxy.set({ stalled: false, delayMs: 0 });
    await inFlight;
  }, 120_000);
});
