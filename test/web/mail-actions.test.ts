// What a reader does in My Mailbox, in Chromium, checked on the real mail server:
// star, delete to Trash, delete forever, search, and editing a draft written in
// another mail app.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, otherClient, waitFor } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { rawMessage } from '../support/sync.ts';

const servers = mailServers();
const USER = { email: 'reader@example.test', password: 'reader-password' };

/** Subject → flags of the messages in a server folder, read by another IMAP client. */
async function onServer(client: ImapFlow, folder: string): Promise<Map<string, string[]>> {
  const lock = await client.getMailboxLock(folder);
  try {
    const found = new Map<string, string[]>();
    if ((client.mailbox && client.mailbox.exists) === 0) return found;
    for await (const message of client.fetch('1:*', { envelope: true, flags: true }))
      found.set(message.envelope?.subject ?? '', [...(message.flags ?? [])]);
    return found;
  } finally {
    lock.release();
  }
}

describe('working in My Mailbox, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;
  let imap: ImapFlow;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-actions-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'reader');
    imap = await otherClient(servers, mail);
    await imap.append(
      'INBOX',
      rawMessage('Quarterly numbers', { to: mail.address, body: 'Revenue grew by a kumquat.' }),
    );
    await imap.append('INBOX', rawMessage('Lunch on Friday', { to: mail.address, body: 'Pizza?' }));
    await imap.append(
      'Drafts',
      rawMessage('Half-written in the mail app', {
        from: mail.address,
        to: 'someone@example.test',
        body: 'Dear someone,',
      }),
      ['\\Draft'],
    );
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await imap?.logout();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stars, deletes, searches and edits a mail-app draft, all reflected on the server', async () => {
    const { page, problems } = browser;
    // The mailbox is connected through the API with the browser's own session.
    const created = await signInAndConnect(page, serve.url, USER, {
      servers,
      mail,
      folders: ['INBOX', 'Drafts', 'Trash', 'Sent'],
    });
    expect(created.status()).toBe(201);
    await page.reload();
    const row = (subject: string) => page.locator('.message-row', { hasText: subject });
    await row('Quarterly numbers').waitFor({ timeout: 60_000 });

    // Star: flagged on the server.
    await row('Quarterly numbers').click();
    await page.getByRole('button', { name: 'Star', exact: true }).click();
    await row('Quarterly numbers').getByLabel('Starred').waitFor();
    await waitFor(async () => (await onServer(imap, 'INBOX')).get('Quarterly numbers')?.includes('\\Flagged'), {
      what: 'the star on the server',
    });

    // Search (full text): only the matching email is listed.
    await page.getByLabel('Search emails').fill('kumquat');
    await page.getByLabel('Search emails').press('Enter');
    await waitFor(async () => (await page.locator('.message-row').count()) === 1, { what: 'the search result alone' });
    expect(await page.locator('.message-row').first().textContent()).toContain('Quarterly numbers');
    await page.getByLabel('Search emails').fill('');

    // Delete: to Trash on the server; then delete forever from Trash.
    await row('Lunch on Friday').click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await row('Lunch on Friday').waitFor({ state: 'detached' });
    await waitFor(
      async () =>
        (await onServer(imap, 'Trash')).has('Lunch on Friday') &&
        !(await onServer(imap, 'INBOX')).has('Lunch on Friday'),
      { what: 'the email in Trash on the server' },
    );
    await page.getByRole('button', { name: 'Trash' }).click();
    // Until the server confirms the move, the row says it is being saved there.
    await row('Lunch on Friday').waitFor();
    await waitFor(async () => (await row('Lunch on Friday').locator('.pending').count()) === 0, {
      what: 'the move confirmed by the server',
    });
    await row('Lunch on Friday').click();
    await page.getByRole('button', { name: 'Delete forever' }).click();
    await page
      .getByRole('dialog', { name: 'Delete this email forever?' })
      .getByRole('button', { name: 'Delete forever' })
      .click();
    await row('Lunch on Friday').waitFor({ state: 'detached' });
    await waitFor(async () => !(await onServer(imap, 'Trash')).has('Lunch on Friday'), {
      what: 'the email gone from Trash on the server',
    });

    // A draft written in the mail app opens in the composer; the edit reaches the server's Drafts.
    await page.getByRole('button', { name: 'Drafts' }).click();
    await row('Half-written in the mail app').click();
    const compose = page.getByRole('dialog', { name: 'Compose email' });
    await expect.poll(() => compose.getByLabel('Subject').inputValue()).toBe('Half-written in the mail app');
    expect(await compose.getByLabel('To').inputValue()).toBe('someone@example.test');
    await compose.getByLabel('Subject').fill('Finished in Tandem');
    await expect.poll(() => compose.getByRole('status').textContent(), { timeout: 30_000 }).toContain('Draft saved');
    await compose.getByRole('button', { name: 'Close' }).click();
    await waitFor(
      async () => {
        const drafts = await onServer(imap, 'Drafts');
        return drafts.has('Finished in Tandem') && !drafts.has('Half-written in the mail app');
      },
      { what: 'the edited draft replacing the old one on the server' },
    );
    await browser.screenshot('11-mail-actions');

    expect(problems).toEqual([]);
  });
});
