// Desktop notifications in Chromium (permission granted through the browser
// context) against Dovecot: opted into in Account, then told of new mail in the
// chosen folder only — never of mail already there, already read, or sent by the user.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { rawMessage } from '../support/sync.ts';

const servers = mailServers();
const USER = { email: 'notify@example.test', password: 'notify-password' };
const poll = { timeout: 30_000 };

describe('desktop notifications, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;
  let imap: ImapFlow;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-notify-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'notify');
    imap = await otherClient(servers, mail);
    await imap.append('INBOX', rawMessage('Already here', { to: mail.address, body: 'old' }));
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
    await browser.context.grantPermissions(['notifications'], { origin: serve.url });
    // Every notification the page shows is recorded (and still shown by the browser).
    await browser.context.addInitScript(`
      const Real = window.Notification;
      window.shownNotifications = [];
      window.Notification = class extends Real {
        constructor(title, options) {
          super(title, options);
          window.shownNotifications.push({ title, body: (options && options.body) || '' });
        }
      };
    `);
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await imap?.logout();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('notifies new unread mail from others in the chosen folders only', async () => {
    const { page, problems, screenshot } = browser;
    const created = await signInAndConnect(page, serve.url, USER, { servers, mail, folders: ['INBOX', 'Sent'] });
    expect(created.status()).toBe(201);
    await page.reload();
    await page.locator('.message-row', { hasText: 'Already here' }).waitFor({ timeout: 60_000 });

    await page.getByRole('button', { name: /^Account: / }).click();
    await page.getByRole('tab', { name: 'Desktop notifications' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Desktop notifications' });
    await panel.getByLabel('Show desktop notifications for new mail').check();
    // The inbox is chosen by default; Sent is not.
    await expect.poll(() => panel.getByLabel('INBOX').isChecked(), poll).toBe(true);
    expect(await panel.getByLabel('Sent').isChecked()).toBe(false);
    await screenshot('95-desktop-notifications');
    await page.getByRole('button', { name: 'Inbox', exact: true }).click();
    await page.locator('.message-row', { hasText: 'Already here' }).waitFor(poll);

    const shown = () => page.evaluate('window.shownNotifications') as Promise<{ title: string; body: string }[]>;
    // None of these is told: sent by the user, already read, or in a folder not chosen.
    await imap.append('INBOX', rawMessage('Written by me', { from: `Me <${mail.address}>`, to: 'x@example.test' }));
    await imap.append('INBOX', rawMessage('Read elsewhere', { to: mail.address }), ['\\Seen']);
    await imap.append('Sent', rawMessage('Filed in Sent', { to: mail.address }));
    for (const subject of ['Written by me', 'Read elsewhere'])
      await page.locator('.message-row', { hasText: subject }).waitFor({ timeout: 60_000 });
    // Then one that is.
    await imap.append(
      'INBOX',
      rawMessage('Fresh news', { from: 'Nadia Notify <nadia@example.test>', to: mail.address, body: 'new' }),
    );
    await expect.poll(shown, { timeout: 60_000 }).toContainEqual({ title: 'Nadia Notify', body: 'Fresh news' });
    await page.getByRole('complementary', { name: 'Folders' }).getByRole('button', { name: /^Sent/ }).click();
    await page.locator('.message-row', { hasText: 'Filed in Sent' }).waitFor({ timeout: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await shown()).toEqual([{ title: 'Nadia Notify', body: 'Fresh news' }]);

    // Turned off: nothing more.
    await page.getByRole('button', { name: /^Account: / }).click();
    await page.getByRole('tab', { name: 'Desktop notifications' }).click();
    await panel.getByLabel('Show desktop notifications for new mail').uncheck();
    await page.getByRole('button', { name: 'Inbox', exact: true }).click();
    await imap.append(
      'INBOX',
      rawMessage('After turning off', { from: 'Nadia <nadia@example.test>', to: mail.address }),
    );
    await page.locator('.message-row', { hasText: 'After turning off' }).waitFor({ timeout: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await shown()).toHaveLength(1);
    expect(problems).toEqual([]);
  }, 180_000);
});
