// Several emails at once in My Mailbox, in Chromium against Dovecot: ticked rows are
// marked, starred, moved and deleted on the mail server, and Undo brings them back there.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, otherClient, serverFlags, waitFor } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, PHONE, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { rawMessage } from '../support/sync.ts';

const servers = mailServers();
const USER = { email: 'bulk@example.test', password: 'bulk-password' };
const SUBJECTS = ['Invoice one', 'Invoice two', 'Invoice three', 'Newsletter'];

describe('bulk actions and undo in My Mailbox, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-bulk-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'bulk');
    const imap = await otherClient(servers, mail);
    for (const subject of SUBJECTS) await imap.append('INBOX', rawMessage(subject, { to: mail.address }));
    await imap.logout();
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('marks, stars, moves and deletes ticked emails on the server, and undoes moves there', async () => {
    const { page, problems } = browser;
    const created = await signInAndConnect(page, serve.url, USER, {
      servers,
      mail,
      folders: ['INBOX', 'Drafts', 'Sent', 'Trash', 'Archive'],
    });
    expect(created.status()).toBe(201);
    await page.reload();
    const row = (subject: string) => page.locator('.message-row', { hasText: subject });
    for (const subject of SUBJECTS) await row(subject).waitFor({ timeout: 60_000 });
    const bar = page.getByRole('toolbar', { name: 'Selected emails' });
    const tick = async (...subjects: string[]) => {
      for (const subject of subjects) await page.getByLabel(`Select: ${subject}`).check();
    };
    const inFolder = async (folder: string) => [...(await serverFlags(servers, mail, folder)).keys()].sort();
    const flagged = async (flag: string) =>
      [...(await serverFlags(servers, mail, 'INBOX'))]
        .filter(([, flags]) => flags.includes(flag))
        .map(([subject]) => subject)
        .sort();
    const invoices = ['Invoice one', 'Invoice three', 'Invoice two'];

    // Three ticked: read, then starred, all on the server; the fourth untouched.
    await tick('Invoice one', 'Invoice two', 'Invoice three');
    await bar.getByText('3 selected').waitFor();
    await browser.screenshot('32-bulk-selected');
    await bar.getByRole('button', { name: 'Mark read' }).click();
    await waitFor(async () => (await flagged('\\Seen')).join() === invoices.join(), { what: 'three read' });
    await bar.getByRole('button', { name: 'Star', exact: true }).click();
    await waitFor(async () => (await flagged('\\Flagged')).join() === invoices.join(), { what: 'three starred' });
    await bar.getByRole('button', { name: 'Unstar' }).click();
    await waitFor(async () => (await flagged('\\Flagged')).length === 0, { what: 'none starred' });

    // Select all, then delete: all in Trash; Undo at once (the server may not have moved them yet).
    await bar.getByLabel('Select all').check();
    await bar.getByText('4 selected').waitFor();
    await bar.getByRole('button', { name: 'Delete' }).click();
    for (const subject of SUBJECTS) await row(subject).waitFor({ state: 'detached' });
    const toast = page.getByRole('status').filter({ hasText: '4 conversations deleted.' });
    await toast.getByRole('button', { name: 'Undo' }).click();
    for (const subject of SUBJECTS) await row(subject).waitFor({ timeout: 60_000 });
    await waitFor(async () => (await inFolder('INBOX')).length === 4 && (await inFolder('Trash')).length === 0, {
      what: 'all four back in INBOX on the server',
    });

    // Move two to Archive, wait until the server has moved them, then Undo: moved back there.
    await page.getByRole('status').filter({ hasText: 'Moved back.' }).waitFor();
    await tick('Invoice one', 'Newsletter');
    await bar.getByLabel('Move selected to folder').selectOption('Archive');
    const moved = page.getByRole('status').filter({ hasText: '2 conversations moved to Archive.' });
    // The pointer on the toast holds it for as long as the server takes.
    await moved.hover();
    await browser.screenshot('33-bulk-undo');
    await waitFor(async () => (await inFolder('Archive')).join() === 'Invoice one,Newsletter', {
      what: 'the two in Archive on the server',
    });
    await moved.getByRole('button', { name: 'Undo' }).click();
    await waitFor(async () => (await inFolder('INBOX')).length === 4 && (await inFolder('Archive')).length === 0, {
      what: 'the two back in INBOX on the server',
    });
    await row('Newsletter').waitFor();

    // In Trash a bulk delete is for good, after a question.
    await tick('Invoice two');
    await bar.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('status').filter({ hasText: '1 conversation deleted.' }).waitFor();
    await waitFor(async () => (await inFolder('Trash')).join() === 'Invoice two', { what: 'Invoice two in Trash' });
    await page.getByRole('button', { name: 'Trash' }).click();
    await row('Invoice two').waitFor();
    await waitFor(async () => (await row('Invoice two').locator('.pending').count()) === 0, {
      what: 'the move confirmed by the server',
    });
    await tick('Invoice two');
    await bar.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete this email forever?' })
      .getByRole('button', { name: 'Delete forever' })
      .click();
    await row('Invoice two').waitFor({ state: 'detached' });
    await waitFor(async () => (await inFolder('Trash')).length === 0, { what: 'Trash empty on the server' });

    // At 1024 px the list and an open conversation stay side by side, with nothing wider than the window.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${serve.url}/mail/INBOX`);
    await row('Invoice one').click();
    await page.getByRole('article', { name: 'Conversation: Invoice one' }).waitFor();
    const list = await page.getByRole('region', { name: 'Messages' }).boundingBox();
    const reading = await page.getByRole('region', { name: 'Reading pane' }).boundingBox();
    expect(list && reading && reading.x >= list.x + list.width - 1).toBe(true);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    await browser.screenshot('34-mailbox-1024');

    // A delete from the open conversation is undone the same way.
    await page
      .getByRole('toolbar', { name: 'Email actions' })
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: '1 email deleted.' })
      .getByRole('button', { name: 'Undo' })
      .click();
    await waitFor(
      async () =>
        (await inFolder('INBOX')).includes('Invoice one') && !(await inFolder('Trash')).includes('Invoice one'),
      { what: 'Invoice one back in INBOX on the server' },
    );

    // On a phone the folders are a menu.
    await page.setViewportSize(PHONE);
    const menu = page.locator('.folder-menu-button');
    await menu.click();
    await expect.poll(() => menu.getAttribute('aria-expanded'), { timeout: 30_000 }).toBe('true');
    await browser.screenshot('35-phone-folder-menu');
    await page.locator('#folder-list').getByRole('button', { name: 'Archive' }).click();
    await expect
      .poll(() => decodeURIComponent(new URL(page.url()).pathname), { timeout: 30_000 })
      .toBe('/mail/Archive');
    expect(await page.locator('#folder-list').isVisible()).toBe(false);

    expect(problems).toEqual([]);
  });
});
