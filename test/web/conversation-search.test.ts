// A thread opened as a conversation, and search across folders with operators,
// in Chromium against Dovecot.
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
const USER = { email: 'threads@example.test', password: 'threads-password' };
const CAROL = 'Carol Partner <carol@partner.example>';
const HOUR = 3600 * 1000;

describe('conversations and search, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;
  let imap: ImapFlow;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-threads-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'threads');
    imap = await otherClient(servers, mail);
    const start = Date.now() - 5 * HOUR;
    await imap.append(
      'INBOX',
      rawMessage('Offsite plans', {
        from: CAROL,
        to: mail.address,
        messageId: 'ask@partner.example',
        date: new Date(start),
        body: 'Where shall we meet?',
      }),
      ['\\Seen'],
    );
    await imap.append(
      'Sent',
      rawMessage('Re: Offsite plans', {
        from: mail.address,
        to: CAROL,
        messageId: 'answer@example.test',
        inReplyTo: 'ask@partner.example',
        date: new Date(start + HOUR),
        body: 'By the lake, I would say.',
      }),
      ['\\Seen'],
    );
    await imap.append(
      'INBOX',
      rawMessage('Re: Offsite plans', {
        from: CAROL,
        to: mail.address,
        messageId: 'agreed@partner.example',
        inReplyTo: 'answer@example.test',
        references: ['ask@partner.example', 'answer@example.test'],
        date: new Date(start + 2 * HOUR),
        body: 'Agreed, see you there.\n\nOn Tuesday, you wrote:\n> By the lake, I would say.',
      }),
    );
    await imap.append(
      'INBOX',
      rawMessage('Invoice for December', { from: 'Dave <dave@billing.example>', to: mail.address, body: 'Pay up.' }),
      ['\\Seen'],
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

  it('opens a thread as its conversation, newest expanded, quoted text folded', async () => {
    const { page, problems } = browser;
    const created = await signInAndConnect(page, serve.url, USER, {
      servers,
      mail,
      folders: ['INBOX', 'Sent', 'Drafts', 'Trash'],
    });
    expect(created.status()).toBe(201);
    await page.reload();
    const row = page.locator('.message-row', { hasText: 'Re: Offsite plans' });
    await row.waitFor({ timeout: 60_000 });
    await row.click();
    const conversation = page.getByRole('article', { name: 'Conversation: Re: Offsite plans' });
    await conversation.getByText('3 emails').waitFor({ timeout: 30_000 });
    // The newest is open, what it quotes folded; the older two are one line each.
    const newest = conversation.getByRole('region', { name: /^Email from Carol Partner/ });
    await newest.getByText('Agreed, see you there.').waitFor();
    expect(await newest.locator('.text-body').textContent()).not.toContain('By the lake');
    expect(await conversation.getByRole('button', { name: /^Show email from/ }).count()).toBe(2);
    await newest.getByRole('button', { name: 'Show quoted text' }).click();
    expect(await newest.locator('.text-body').textContent()).toContain('> By the lake, I would say.');

    // The reply from Sent and the first email open on demand.
    await conversation.getByRole('button', { name: new RegExp(`^Show email from ${mail.address}`) }).click();
    await conversation.getByText('By the lake, I would say.', { exact: true }).waitFor();
    await conversation.getByRole('button', { name: /^Show email from Carol Partner/ }).click();
    await conversation.getByText('Where shall we meet?').waitFor();
    expect(await conversation.getByRole('region', { name: /^Email from/ }).count()).toBe(3);
    await browser.screenshot('50-conversation');

    // Actions per message: star the first one only.
    const first = conversation.getByRole('region', { name: /^Email from Carol Partner/ }).first();
    await first.getByRole('button', { name: 'Star', exact: true }).click();
    await first.getByRole('button', { name: 'Starred', exact: true }).waitFor();
    expect(await conversation.getByRole('button', { name: 'Starred', exact: true }).count()).toBe(1);
    expect(problems).toEqual([]);
  }, 180_000);

  it('searches every folder with operators, results grouped by conversation and highlighted', async () => {
    const { page, problems } = browser;
    const search = page.getByLabel('Search emails');
    await search.fill('lake');
    await search.press('Enter');
    // Found in INBOX (the quote) and in Sent: one conversation, one row.
    const rows = page.locator('.message-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => rows.first().locator('.thread-count').textContent(), { timeout: 30_000 }).toContain('2');
    await search.fill('offsite');
    await search.press('Enter');
    await rows.first().locator('mark', { hasText: 'Offsite' }).waitFor({ timeout: 30_000 });
    // The list re-renders as the new answer arrives: wait for it rather than read the previous one.
    await expect.poll(() => rows.first().locator('.thread-count').textContent(), { timeout: 30_000 }).toContain('3');
    expect(await rows.count()).toBe(1);

    await search.fill('from:dave');
    await search.press('Enter');
    await expect
      .poll(async () => rows.allTextContents(), { timeout: 30_000 })
      .toEqual([expect.stringContaining('Invoice for December')]);
    await rows.first().locator('mark', { hasText: 'Dave' }).waitFor();

    await search.fill('to:carol subject:offsite');
    await search.press('Enter');
    await expect
      .poll(async () => rows.allTextContents(), { timeout: 30_000 })
      .toEqual([expect.stringContaining('Sent')]);
    await browser.screenshot('51-search-operators');
    await rows.first().click();
    await page.getByRole('article', { name: 'Conversation: Re: Offsite plans' }).getByText('3 emails').waitFor();

    await search.fill('before:someday');
    await search.press('Enter');
    await page
      .getByRole('alert')
      .getByText(/takes a date/)
      .waitFor();
    expect(problems.filter((p) => !p.includes('400'))).toEqual([]);
  }, 120_000);
});
