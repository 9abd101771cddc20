// The first-sync progress bar and the folder counts in Chromium, against the real
// Dovecot: once the first sync of a period-limited folder has finished, a change
// on the server (an email deleted in another mail app) must not bring the bar
// back as "Syncing: 2 of 3", nor leave the folder at "2 of 3 emails".
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { appendDated } from '../support/sync.ts';

const servers = mailServers();
const USER = { email: 'counter@example.test', password: 'counter-password' };
const DAY = 24 * 3600 * 1000;

interface MailboxJson {
  progress: { done: number; total: number };
  folders: { path: string; enabled: boolean; messages: number; synced: number; firstSyncDone: boolean }[];
}

describe('first-sync progress in the web app, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-progress-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'counter');
    // Three emails inside the one-month period, one from a year ago outside it.
    for (const [subject, age] of [
      ['Ancient', 365],
      ['First', 3],
      ['Second', 2],
      ['Third', 1],
    ] as const) {
      await appendDated(servers, mail, 'INBOX', subject, new Date(Date.now() - age * DAY));
    }
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('ends with the first sync and counts what the folder holds after the server changed', async () => {
    const { page, problems } = browser;
    const created = await signInAndConnect(page, serve.url, USER, { servers, mail, folders: ['INBOX'] });
    expect(created.status()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const mailbox = async () =>
      (await (await page.request.get(`${serve.url}/api/v1/mailboxes/${id}`)).json()) as MailboxJson;
    await page.reload();
    await page.locator('.message-row', { hasText: 'First' }).waitFor({ timeout: 60_000 });
    await expect
      .poll(async () => (await mailbox()).folders.every((f) => !f.enabled || f.firstSyncDone), { timeout: 60_000 })
      .toBe(true);
    expect((await mailbox()).progress).toEqual({ done: 3, total: 3 });

    // Deleted in another mail app: the sync removes it, the counts follow.
    const other = await otherClient(servers, mail);
    await other.mailboxOpen('INBOX');
    const uids = await other.search({ subject: 'Second' }, { uid: true });
    expect(uids).toHaveLength(1);
    await other.messageDelete(uids || [], { uid: true });
    await other.logout();
    await page.locator('.message-row', { hasText: 'Second' }).waitFor({ state: 'detached', timeout: 60_000 });
    expect(await mailbox()).toMatchObject({ progress: { done: 2, total: 2 } });
    expect((await mailbox()).folders.find((f) => f.path === 'INBOX')).toMatchObject({ messages: 2, synced: 2 });

    await page.reload();
    await page.locator('.message-row', { hasText: 'Third' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('.sync-progress').count()).toBe(0);
    await page.getByRole('button', { name: 'Mailbox settings' }).click();
    await page.getByText('Inbox — 2 of 2 emails').waitFor();
    await browser.screenshot('30-progress-after-change');

    // Disconnected: still no bar.
    await page.getByRole('button', { name: 'Disconnect My Account' }).click();
    await expect.poll(() => page.getByTestId('mailbox-state').textContent()).toContain('Disconnected');
    await page.getByRole('button', { name: 'Inbox' }).first().click();
    await page.locator('.message-row', { hasText: 'Third' }).waitFor();
    expect(await page.locator('.sync-progress').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 240_000);
});
