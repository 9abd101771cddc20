// The keyboard in My Mailbox, in Chromium against Dovecot: each shortcut does what the
// `?` overlay says, and what it changes reaches the mail server.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, otherClient, serverFlags, waitFor } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { rawMessage } from '../support/sync.ts';

const servers = mailServers();
const USER = { email: 'keys@example.test', password: 'keyboard-password' };
const HOUR = 3600_000;

describe('keyboard shortcuts in My Mailbox, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-keys-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'keys');
    const imap = await otherClient(servers, mail);
    // Newest first in the list: Charlie, Bravo, Alpha.
    for (const [subject, age] of [
      ['Alpha', 3],
      ['Bravo', 2],
      ['Charlie', 1],
    ] as const)
      await imap.append('INBOX', rawMessage(subject, { to: mail.address, date: new Date(Date.now() - age * HOUR) }));
    await imap.logout();
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('moves, opens, stars, marks, archives, deletes, answers and navigates by keyboard', async () => {
    const { page, problems } = browser;
    const created = await signInAndConnect(page, serve.url, USER, {
      servers,
      mail,
      folders: ['INBOX', 'Drafts', 'Sent', 'Trash', 'Archive'],
    });
    expect(created.status()).toBe(201);
    await page.reload();
    const row = (subject: string) => page.locator('.message-row', { hasText: subject });
    await row('Alpha').waitFor({ timeout: 60_000 });
    const focused = () => page.locator('.message-row:focus').getAttribute('data-subject');
    const flagsOf = async (folder: string, subject: string) => (await serverFlags(servers, mail, folder)).get(subject);
    const key = (name: string) => page.keyboard.press(name);

    // ? lists the shortcuts in a dialog; Escape closes it.
    await key('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.getByRole('row').count()).toBeGreaterThanOrEqual(16);
    expect(await help.textContent()).toContain('Archive');
    await browser.screenshot('30-keyboard-help');
    await key('Escape');
    await help.waitFor({ state: 'hidden' });

    // j / k move the focus along the rows.
    await key('j');
    await expect.poll(focused, { timeout: 30_000 }).toBe('Charlie');
    await key('j');
    await expect.poll(focused, { timeout: 30_000 }).toBe('Bravo');
    await key('j');
    await key('k');
    await expect.poll(focused, { timeout: 30_000 }).toBe('Bravo');

    // s stars, Shift+I marks read, Shift+U unread: each on the server.
    await key('s');
    await row('Bravo').getByLabel('Starred').waitFor();
    await waitFor(async () => (await flagsOf('INBOX', 'Bravo'))?.includes('\\Flagged'), { what: 'Bravo starred' });
    await key('Shift+I');
    await waitFor(async () => (await flagsOf('INBOX', 'Bravo'))?.includes('\\Seen'), { what: 'Bravo read' });
    await key('Shift+U');
    await waitFor(async () => (await flagsOf('INBOX', 'Bravo'))?.includes('\\Seen') === false, {
      what: 'Bravo unread again',
    });

    // x ticks the row's checkbox, and again unticks it.
    await key('x');
    await expect.poll(() => page.getByLabel('Select: Bravo').isChecked(), { timeout: 30_000 }).toBe(true);
    await key('x');
    await expect.poll(() => page.getByLabel('Select: Bravo').isChecked(), { timeout: 30_000 }).toBe(false);

    // Enter opens the conversation; r and f answer it, u goes back to the list.
    await key('Enter');
    const conversation = page.getByRole('article', { name: 'Conversation: Bravo' });
    await conversation.waitFor();
    const compose = page.getByRole('dialog', { name: 'Compose email' });
    await key('r');
    await expect.poll(() => compose.getByLabel('Subject').inputValue(), { timeout: 30_000 }).toBe('Re: Bravo');
    await compose.getByRole('heading', { name: 'Re: Bravo' }).waitFor();
    await compose.getByRole('button', { name: 'Close', exact: true }).click();
    await compose.waitFor({ state: 'hidden' });
    await key('f');
    await expect.poll(() => compose.getByLabel('Subject').inputValue(), { timeout: 30_000 }).toBe('Fwd: Bravo');
    await compose.getByRole('button', { name: 'Close', exact: true }).click();
    await compose.waitFor({ state: 'hidden' });
    await key('u');
    await conversation.waitFor({ state: 'hidden' });

    // e archives the row under the cursor, # deletes: both moved on the server.
    await key('e');
    await row('Bravo').waitFor({ state: 'detached' });
    await waitFor(
      async () => (await flagsOf('Archive', 'Bravo')) !== undefined && (await flagsOf('INBOX', 'Bravo')) === undefined,
      { what: 'Bravo in Archive on the server' },
    );
    await key('j');
    await expect.poll(focused, { timeout: 30_000 }).toBe('Charlie');
    await key('#');
    await row('Charlie').waitFor({ state: 'detached' });
    await waitFor(
      async () =>
        (await flagsOf('Trash', 'Charlie')) !== undefined && (await flagsOf('INBOX', 'Charlie')) === undefined,
      { what: 'Charlie in Trash on the server' },
    );

    // / goes to the search box; keys typed there are words, not shortcuts.
    await key('/');
    const search = page.getByLabel('Search emails');
    await expect
      .poll(() => page.evaluate("document.activeElement?.getAttribute('aria-label')"), { timeout: 30_000 })
      .toBe('Search emails');
    await page.keyboard.type('jes');
    expect(await search.inputValue()).toBe('jes');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await search.fill('');
    await search.blur();

    // g then i goes to the Inbox from another folder; c composes.
    await page.getByRole('button', { name: 'Trash' }).click();
    await row('Charlie').waitFor();
    await key('g');
    await key('i');
    await expect.poll(() => decodeURIComponent(new URL(page.url()).pathname), { timeout: 30_000 }).toBe('/mail/INBOX');
    await row('Alpha').waitFor();
    await key('c');
    await compose.getByRole('heading', { name: 'New email' }).waitFor();
    await browser.screenshot('31-keyboard-compose');
    await compose.getByRole('button', { name: 'Close', exact: true }).click();
    await compose.waitFor({ state: 'hidden' });

    expect(problems).toEqual([]);
  });
});
