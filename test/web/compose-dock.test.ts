// The docked compose window in Chromium against Dovecot + Postfix: the mailbox
// stays usable behind it, several drafts at once with minimize/restore, recipient
// suggestions, undo send (nothing delivered), schedule send with its list (edit
// brings the draft back), and the send that follows delivered once.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, otherClient, serverSubjects } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { rawMessage } from '../support/sync.ts';

const servers = mailServers();
const USER = { email: 'docky@example.test', password: 'docky-password' };
const poll = { timeout: 30_000 };

describe('the compose dock, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;
  let friend: MailUser;
  let imap: ImapFlow;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-dock-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'docky');
    friend = await createMailUser(servers, 'friend');
    imap = await otherClient(servers, mail);
    await imap.append(
      'INBOX',
      rawMessage('Lunch plans', { from: `Frida Friend <${friend.address}>`, to: mail.address, body: 'Noon?' }),
    );
    serve = await startServe(['--data', dataDir], { TANDEM_UNDO_SEND_SECONDS: '6' });
    browser = await openBrowser({ width: 1280, height: 800 });
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await imap?.logout();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('docks several drafts, suggests recipients, undoes and schedules sends', async () => {
    const { page, problems } = browser;
    const created = await signInAndConnect(page, serve.url, USER, {
      servers,
      mail,
      folders: ['INBOX', 'Drafts', 'Sent', 'Trash'],
    });
    expect(created.status()).toBe(201);
    await page.reload();
    const row = (subject: string) => page.locator('.message-row', { hasText: subject });
    await row('Lunch plans').waitFor({ timeout: 60_000 });

    // The window docks; the mailbox behind it stays usable.
    await page.getByRole('button', { name: 'Compose', exact: true }).click();
    const windows = page.getByRole('dialog', { name: 'Compose email' });
    const first = windows.first();
    await expect.poll(() => first.getByLabel('To').isEnabled(), poll).toBe(true);
    await row('Lunch plans').click();
    await page
      .getByRole('region', { name: /^Email from/ })
      .first()
      .waitFor(poll);

    // Recipient suggestions from past correspondents, chosen with the keyboard.
    await first.getByLabel('To').fill('frie');
    const suggestions = first.getByRole('listbox', { name: 'Suggested recipients' });
    await suggestions.getByRole('option', { name: friend.address }).waitFor(poll);
    await browser.screenshot('80-compose-suggestions');
    await first.getByLabel('To').press('Enter');
    expect(await first.getByLabel('To').inputValue()).toBe(`${friend.address}, `);
    await first.getByLabel('Subject').fill('Undo me');
    await first.getByRole('textbox', { name: 'Message' }).fill('Second thoughts.');
    await expect.poll(() => first.getByRole('status').textContent(), poll).toContain('Draft saved');

    // A second draft beside it; the first minimized, then restored as it was.
    await first.getByRole('button', { name: 'Minimize' }).click();
    expect(await first.getByLabel('Subject').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Compose', exact: true }).click();
    await expect.poll(() => windows.count(), poll).toBe(2);
    const second = windows.nth(1);
    await expect.poll(() => second.getByLabel('To').isEnabled(), poll).toBe(true);
    await second.getByLabel('To').fill(friend.address);
    await second.getByLabel('Subject').fill('Later please');
    await second.getByRole('textbox', { name: 'Message' }).fill('For tomorrow.');
    await browser.screenshot('81-compose-two-windows');
    await first.getByRole('button', { name: 'Restore' }).click();
    expect(await first.getByLabel('Subject').inputValue()).toBe('Undo me');

    // Schedule the second for tomorrow: it leaves the dock and waits in Sent's Scheduled list.
    await second.getByRole('button', { name: 'Schedule' }).click();
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    await second
      .getByLabel('Send at')
      .fill(
        `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T${pad(tomorrow.getHours())}:${pad(tomorrow.getMinutes())}`,
      );
    await second.getByRole('button', { name: 'Schedule send' }).click();
    await page.getByText(/^Scheduled for /).waitFor(poll);
    await expect.poll(() => windows.count(), poll).toBe(1);

    // Send the first, then undo within the delay: it comes back as a draft, and nothing is delivered.
    await first.getByRole('button', { name: 'Send' }).click();
    const held = page.locator('.held-notice');
    await held.getByText(/Sending in \d+ s/).waitFor(poll);
    await browser.screenshot('82-undo-send');
    await held.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('Sending undone.').waitFor(poll);
    const back = windows.first();
    await expect.poll(() => back.getByLabel('Subject').inputValue(), poll).toBe('Undo me');
    await expect
      .poll(() => back.getByRole('textbox', { name: 'Message' }).innerText(), poll)
      .toContain('Second thoughts.');
    await new Promise((resolve) => setTimeout(resolve, 8000)); // past the undo delay
    expect(await serverSubjects(servers, friend, 'INBOX')).not.toContain('Undo me');

    // Sent for good this time: delivered once.
    await back.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Your email was sent.').waitFor({ timeout: 60_000 });
    await expect.poll(() => serverSubjects(servers, friend, 'INBOX'), { timeout: 60_000 }).toContain('Undo me');

    // The scheduled one is listed atop Sent; Edit takes it back into a window as a draft.
    await page.getByRole('button', { name: 'Sent', exact: true }).click();
    const scheduled = page.getByRole('region', { name: 'Scheduled emails' });
    await scheduled.getByText('Later please').waitFor(poll);
    await browser.screenshot('83-scheduled-list');
    await scheduled.getByRole('button', { name: 'Edit Later please' }).click();
    await expect.poll(() => windows.first().getByLabel('Subject').inputValue(), poll).toBe('Later please');
    await expect.poll(() => scheduled.count(), poll).toBe(0);
    await windows.first().getByRole('button', { name: 'Discard' }).click();
    await page.getByText('Draft discarded.').waitFor(poll);

    const delivered = await serverSubjects(servers, friend, 'INBOX');
    expect(delivered.filter((s) => s === 'Undo me')).toHaveLength(1);
    expect(delivered).not.toContain('Later please');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(problems).toEqual([]);
  }, 240_000);
});
