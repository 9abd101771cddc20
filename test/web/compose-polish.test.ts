// Replying, forwarding and what follows, in Chromium against Dovecot + Postfix:
// the signature sits above the quoted text, Cc/Bcc appear on demand, Send stays
// in view on a long forward, the sent email carries the user's name on From, Sent
// lists recipients, the "sent" notice goes away, and the page never scrolls sideways.
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
const USER = { email: 'polish@example.test', password: 'polish-password' };
const LONG = Array.from({ length: 120 }, (_, i) => `Line ${i + 1} of a long report.`).join('\n');

/** The From header of the newest message in a server folder whose subject contains `subject`. */
async function fromHeader(client: ImapFlow, folder: string, subject: string): Promise<string | null> {
  const lock = await client.getMailboxLock(folder);
  try {
    const uids = await client.search({ subject }, { uid: true });
    const uid = (uids || []).at(-1);
    if (uid === undefined) return null;
    const message = await client.fetchOne(String(uid), { headers: ['from'] }, { uid: true });
    return message ? (message.headers?.toString() ?? null) : null;
  } finally {
    lock.release();
  }
}

describe('replying and forwarding, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;
  let imap: ImapFlow;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-polish-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'polish');
    imap = await otherClient(servers, mail);
    await imap.append('INBOX', rawMessage('Planning the offsite', { to: mail.address, body: 'Where shall we go?' }));
    await imap.append('INBOX', rawMessage('Long report', { to: mail.address, body: LONG }));
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser({ width: 1024, height: 700 });
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await imap?.logout();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('replies with the signature above the quote and the name on From, then lists it in Sent by recipient', async () => {
    const { page, problems } = browser;
    const created = await signInAndConnect(page, serve.url, USER, {
      servers,
      mail,
      folders: ['INBOX', 'Drafts', 'Sent', 'Trash'],
    });
    expect(created.status()).toBe(201);
    const profile = await page.request.patch(`${serve.url}/api/v1/auth/me`, {
      headers: { 'x-tandem-csrf': '1' },
      data: { name: 'Polly Polish', signature: 'Polly\nPolish & Co' },
    });
    expect(profile.status()).toBe(200);
    await page.reload();
    const row = (subject: string) => page.locator('.message-row', { hasText: subject });
    await row('Planning the offsite').waitFor({ timeout: 60_000 });

    await row('Planning the offsite').click();
    await page.getByRole('button', { name: 'Reply', exact: true }).click();
    const compose = page.getByRole('dialog', { name: 'Compose email' });
    await expect.poll(() => compose.getByLabel('To').inputValue(), { timeout: 30_000 }).toBe('sender@example.test');
    // Cc and Bcc only on demand.
    expect(await compose.getByLabel('Cc', { exact: true }).count()).toBe(0);
    await compose.getByRole('button', { name: 'Cc/Bcc' }).click();
    await compose.getByLabel('Cc', { exact: true }).fill(mail.address);
    // The signature is above the quoted text.
    const editor = compose.getByRole('textbox', { name: 'Message' });
    await expect.poll(() => editor.innerText(), { timeout: 30_000 }).toContain('Polish & Co');
    const text = await editor.innerText();
    expect(text.indexOf('Polish & Co')).toBeLessThan(text.indexOf('wrote:'));
    expect(text.indexOf('wrote:')).toBeLessThan(text.indexOf('Where shall we go?'));
    await editor.click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('The lake, I think.');
    await browser.screenshot('40-reply-signature');
    await compose.getByRole('button', { name: 'Send' }).click();
    const notice = page.getByText('Your email was sent.');
    await notice.waitFor({ timeout: 30_000 });
    // The notice goes by itself.
    await notice.waitFor({ state: 'detached', timeout: 15_000 });

    // The copy sent to ourselves (Cc) arrives with the name on From.
    await waitFor(async () => (await fromHeader(imap, 'INBOX', 'Re: Planning the offsite')) !== null, {
      what: 'the reply delivered by Postfix',
      timeoutMs: 60_000,
    });
    expect(await fromHeader(imap, 'INBOX', 'Re: Planning the offsite')).toMatch(
      new RegExp(`^From: "?Polly Polish"? <${mail.address}>`),
    );

    // Sent lists whom it went to.
    await page.getByRole('button', { name: 'Sent', exact: true }).click();
    await row('Re: Planning the offsite').waitFor({ timeout: 60_000 });
    expect(await row('Re: Planning the offsite').locator('.from').textContent()).toContain('To: sender@example.test');
    await browser.screenshot('41-sent-recipients');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(problems).toEqual([]);
  }, 180_000);

  it('keeps Send in view on a long forward', async () => {
    const { page, problems } = browser;
    await page.getByRole('button', { name: 'Inbox', exact: true }).first().click();
    const row = page.locator('.message-row', { hasText: 'Long report' });
    await row.click();
    await page.getByRole('button', { name: 'Forward' }).click();
    const compose = page.getByRole('dialog', { name: 'Compose email' });
    await expect.poll(() => compose.getByLabel('Subject').inputValue(), { timeout: 30_000 }).toBe('Fwd: Long report');
    await compose.getByRole('textbox', { name: 'Message' }).click();
    await page.keyboard.press('Control+End');
    const send = compose.getByRole('button', { name: 'Send' });
    const box = await send.boundingBox();
    const viewport = page.viewportSize();
    expect(box && viewport && box.y + box.height <= viewport.height).toBe(true);
    await browser.screenshot('42-forward-send-in-view');
    await compose.getByRole('button', { name: 'Discard' }).click();
    await page.getByText('Draft discarded.').waitFor();
    // Going elsewhere takes the notice away at once.
    await page.getByRole('button', { name: 'Sent', exact: true }).click();
    await page.locator('.message-row', { hasText: 'Re: Planning the offsite' }).waitFor();
    expect(await page.getByText('Draft discarded.').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);
});
