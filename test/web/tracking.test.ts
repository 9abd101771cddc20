// Done when of tracking, in Chromium with Dovecot and Postfix: Tandem sends a tracked email to bob; a
// "webmail" page shows bob's received HTML (fetched over IMAP) and loads its images → one human open on
// alice's message, shown in its engagement panel; clicking a link lands on the original URL and one click
// is recorded; alice's Sent copy holds no tracking URL; an altered token records nothing and goes nowhere.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { createMailUser, mailServers, serverCopies } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { freePorts } from '../support/process.ts';

const servers = mailServers();
const USER = { email: 'alice@example.test', password: 'alice-password' };
const poll = { timeout: 30_000, interval: 250 };

/** A tiny webmail: `/` shows the HTML it was given, `/landing` is the page the email links to. */
async function startWebmail(): Promise<{ url: string; show(html: string): void; server: Server }> {
  let shown = '<p>empty</p>';
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    if (request.url === '/landing') return response.end('<!doctype html><title>Landing</title><h1>The guide</h1>');
    response.end(`<!doctype html><title>Webmail</title>${shown}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, show: (html) => (shown = html), server };
}

describe('tracking opens and clicks, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let webmail: Awaited<ReturnType<typeof startWebmail>>;
  let alice: MailUser;
  let bob: MailUser;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-tracking-'));
    await runTandem(['user', 'add', '--email', USER.email, '--admin', '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    alice = await createMailUser(servers, 'alice');
    bob = await createMailUser(servers, 'bob');
    const [port] = await freePorts(1);
    // Marks point at publicUrl: here, the address the test server listens on.
    serve = await startServe(['--data', dataDir, '--port', String(port)], {
      TANDEM_PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    webmail = await startWebmail();
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    webmail?.server.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('counts bob’s open and click once each, as a person, and leaves alice’s Sent copy unmarked', async () => {
    const { page, problems } = browser;
    const created = await signInAndConnect(page, serve.url, USER, {
      servers,
      mail: alice,
      folders: ['INBOX', 'Sent', 'Drafts', 'Trash'],
    });
    expect(created.status()).toBe(201);
    const mailbox = (await created.json()) as { id: string };
    const landing = `${webmail.url}/landing`;
    const sent = await page.request.post(`${serve.url}/api/v1/messages/send`, {
      headers: { 'x-tandem-csrf': '1' },
      data: {
        mailboxId: mailbox.id,
        to: [bob.address],
        subject: 'Our guide',
        html: `<p>Hello Bob,</p><p>Here is <a href="${landing}">the guide</a>.</p>`,
        track: true,
      },
    });
    expect(sent.status()).toBe(202);
    const sentAt = Date.now();
    const { messageId } = (await sent.json()) as { messageId: string };

    // Bob's webmail shows what arrived over IMAP, in a browser of his own (no Tandem session).
    await expect.poll(async () => (await serverCopies(servers, bob, 'INBOX')).length, poll).toBe(1);
    const [received] = await serverCopies(servers, bob, 'INBOX');
    // As a webmail shows it: the sender's HTML as received, images loaded.
    const html = String((await simpleParser(received!.source)).html);
    expect(html).toContain(`${serve.url}/t/o/`);
    webmail.show(html);
    const bobs = await browser.browser.newContext();
    const webmailPage = await bobs.newPage();
    await webmailPage.goto(webmail.url);
    await expect
      .poll(
        () => webmailPage.locator('img').evaluate((img) => (img as unknown as { complete: boolean }).complete),
        poll,
      )
      .toBe(true);

    // alice's message in Sent, once synced; its engagement through the API and the panel.
    let sentId = '';
    await expect
      .poll(async () => {
        const list = await page.request.get(`${serve.url}/api/v1/messages?mailboxId=${mailbox.id}&folder=Sent`);
        const items = ((await list.json()) as { items: { id: string; messageId: string | null }[] }).items;
        sentId = items.find((m) => m.messageId === messageId)?.id ?? '';
        return sentId;
      }, poll)
      .not.toBe('');
    const engagement = async () =>
      (
        (await (await page.request.get(`${serve.url}/api/v1/messages/${sentId}/engagement`)).json()) as {
          recipients: { opens: number; clicks: number; otherOpens: number; otherClicks: number; events: unknown[] }[];
        }
      ).recipients[0];
    await expect.poll(async () => (await engagement())?.opens, poll).toBe(1);
    expect(await engagement()).toMatchObject({ opens: 1, clicks: 0, otherOpens: 0, otherClicks: 0 });

    // A click long enough after sending (a scanner's comes within seconds) lands on the original URL.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sentAt + 6_000 - Date.now())));
    await webmailPage.getByRole('link', { name: 'the guide' }).click();
    await webmailPage.waitForURL(landing, { timeout: 30_000 });
    await expect(webmailPage.getByRole('heading', { name: 'The guide' }).textContent()).resolves.toBe('The guide');
    await expect.poll(async () => (await engagement())?.clicks, poll).toBe(1);

    // An altered token: a plain 404 page, no redirect, nothing recorded.
    const link = /href="([^"]+\/t\/c\/[^"]+)"/.exec(html)?.[1] ?? '';
    const token = link.split('/t/c/')[1] ?? '';
    const altered = `${serve.url}/t/c/${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    const answer = await webmailPage.goto(altered);
    expect(answer?.status()).toBe(404);
    expect(webmailPage.url()).toBe(altered);
    await expect(webmailPage.locator('body').textContent()).resolves.toContain('Not found');
    expect((await engagement())?.events).toHaveLength(2);

    // The copy in alice's Sent folder, as her mail app sees it, carries no mark.
    const [filed] = await serverCopies(servers, alice, 'Sent');
    expect(filed!.source.toString()).toContain(landing);
    expect(filed!.source.toString()).not.toContain('/t/o/');
    expect(filed!.source.toString()).not.toContain('/t/c/');

    // The panel on alice's message.
    await page.goto(`${serve.url}/mail/Sent/${sentId}`);
    const panel = page.getByRole('region', { name: 'Engagement' });
    await panel.getByText('opened 1× · clicked 1×').waitFor({ timeout: 30_000 });
    await panel.getByRole('button', { name: 'Details' }).click();
    await panel.getByRole('link', { name: landing }).waitFor();
    await browser.screenshot('engagement-panel');

    // Compose offers the toggle, off by default for one-to-one email.
    await page.goto(`${serve.url}/mail/INBOX`);
    await page.getByRole('button', { name: 'Compose' }).click();
    const toggle = page.getByLabel('Track opens and clicks');
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(false);
    await browser.screenshot('compose-tracking-toggle');
    await page.getByRole('button', { name: 'Discard' }).click();

    // The administrator turns tracking on for one-to-one email: compose then starts with the box ticked.
    await page.goto(`${serve.url}/account/tracking`);
    await page.getByLabel(/Track one-to-one emails by default/).check();
    await page.getByLabel('Keep open and click events for (days)').fill('30');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Tracking settings saved.').waitFor();
    await browser.screenshot('tracking-policy');
    const policy = await page.request.get(`${serve.url}/api/v1/tracking-settings`);
    expect(await policy.json()).toEqual({ trackOneToOne: true, retentionDays: 30 });
    await page.goto(`${serve.url}/mail/INBOX`);
    await page.getByRole('button', { name: 'Compose' }).click();
    await expect.poll(() => page.getByLabel('Track opens and clicks').isChecked(), poll).toBe(true);
    await bobs.close();
    expect(problems).toEqual([]);
  });
});
