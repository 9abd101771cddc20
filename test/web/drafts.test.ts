// The draft editor in Chromium, checked on the real mail server: drafts written
// in another mail app (plain text, format=flowed, HTML with an inline image)
// open as written and keep it through an edit, and a draft deleted in the mail
// app while open asks to be restored, never losing what was typed.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, otherClient, waitFor } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import {
  CHART_CID,
  CHART_PNG,
  FLOWED_TEXT,
  PLAIN_TEXT,
  draftsOnServer,
  flowedDraft,
  inlineImageDraft,
  plainDraft,
} from '../support/mail-app-drafts.ts';

const servers = mailServers();
const USER = { email: 'drafter@example.test', password: 'drafter-password' };
const poll = { timeout: 30_000, interval: 200 };

describe('the draft editor, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;
  let imap: ImapFlow;
  let mailboxId: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-drafts-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'drafter');
    imap = await otherClient(servers, mail);
    for (const raw of [
      plainDraft(mail.address, 'Prices and dates'),
      flowedDraft(mail.address, 'Flowed notes'),
      inlineImageDraft(mail.address, 'Chart for Carol'),
    ]) {
      await imap.append('Drafts', raw, ['\\Draft', '\\Seen']);
    }
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
    const created = await signInAndConnect(browser.page, serve.url, USER, {
      servers,
      mail,
      folders: ['INBOX', 'Drafts'],
    });
    expect(created.status()).toBe(201);
    mailboxId = ((await created.json()) as { id: string }).id;
    await browser.page.reload();
    await browser.page.getByRole('button', { name: 'Drafts' }).click();
    await browser.page.locator('.message-row', { hasText: 'Chart for Carol' }).waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await imap?.logout();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const compose = () => browser.page.getByRole('dialog', { name: 'Compose email' });
  const editor = () => compose().getByRole('textbox', { name: 'Message' });

  async function openDraft(subject: string): Promise<Locator> {
    await browser.page.locator('.message-row', { hasText: subject }).click();
    await expect.poll(() => compose().getByLabel('Subject').inputValue(), poll).toBe(subject);
    return editor();
  }

  /** Types at the very end of the message, as a user adding a last word. */
  async function typeAtEnd(text: string) {
    await editor().click();
    await browser.page.keyboard.press('Control+End');
    await browser.page.keyboard.type(text);
  }

  async function saveAndClose() {
    await expect.poll(() => compose().getByRole('status').textContent(), poll).toContain('Draft saved');
    await compose().getByRole('button', { name: 'Close', exact: true }).click();
    await compose().waitFor({ state: 'detached' });
  }

  const onServer = async (subject: string) => (await draftsOnServer(imap, 'Drafts')).find((d) => d.subject === subject);

  it('shows a plain-text draft with its lines, format=flowed joined, and saves it back as the same plain text', async () => {
    for (const [subject, text] of [
      ['Prices and dates', PLAIN_TEXT],
      ['Flowed notes', FLOWED_TEXT],
    ] as const) {
      const shown = await openDraft(subject);
      // innerText is what the page renders: collapsed lines would read as one.
      await expect.poll(() => shown.innerText(), poll).toBe(text);
      await browser.screenshot(subject === 'Prices and dates' ? '20-draft-plain-text' : '21-draft-flowed');
      await typeAtEnd(' (edited)\nP.S. A new line.');
      await saveAndClose();
      await expect.poll(async () => (await onServer(subject))?.text, poll).toBe(`${text} (edited)\nP.S. A new line.`);
      const saved = await onServer(subject);
      expect(saved?.contentType).toBe('text/plain');
      expect(saved?.html).toBeNull();
    }

    // Formatting makes it HTML, its lines kept as lines.
    await openDraft('Prices and dates');
    await typeAtEnd(' ');
    await compose().getByRole('button', { name: 'Bold' }).click();
    await browser.page.keyboard.type('Bold words');
    await saveAndClose();
    await expect
      .poll(async () => (await onServer('Prices and dates'))?.html ?? '', poll)
      .toContain('<b>Bold words</b>');
    const formatted = await onServer('Prices and dates');
    expect(formatted?.html).toContain('Line A: prices<br>Line B: dates');
    expect(formatted?.text).toBe(`${PLAIN_TEXT} (edited)\nP.S. A new line. Bold words`);
    expect(browser.problems).toEqual([]);
  });

  it('shows the inline image of a mail-app draft and keeps it inline, by cid:, after an edit', async () => {
    const shown = await openDraft('Chart for Carol');
    const image = shown.locator('img[alt="chart"]');
    await expect
      .poll(
        () =>
          image.evaluate((element) => {
            const img = element as unknown as { complete: boolean; naturalWidth: number };
            return img.complete ? img.naturalWidth : 0;
          }),
        poll,
      )
      .toBe(48);
    await browser.screenshot('22-draft-inline-image');
    await typeAtEnd(' (edited)');
    await saveAndClose();
    await expect.poll(async () => (await onServer('Chart for Carol'))?.text, poll).toContain('(edited)');
    const saved = await onServer('Chart for Carol');
    expect(saved?.html).toContain(`cid:${CHART_CID}`);
    expect(saved?.source).not.toContain('/api/v1/');
    expect(saved?.source).toMatch(/multipart\/related/i);
    expect(saved?.inline.map((p) => [p.contentId, p.content.equals(CHART_PNG)])).toEqual([[CHART_CID, true]]);
    expect(browser.problems).toEqual([]);
  });

  it('asks to restore a draft deleted in the mail app while it is open, and keeps what was typed', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Compose', exact: true }).click();
    await compose().getByLabel('To').fill('dan@example.test');
    await compose().getByLabel('Subject').fill('Written in Tandem');
    await editor().click();
    await page.keyboard.type('Dear Dan, see you on Monday.');
    await saveAndClose();
    await page.locator('.message-row', { hasText: 'Written in Tandem' }).waitFor({ timeout: 30_000 });
    await openDraft('Written in Tandem');

    // The mail app deletes it; Tandem's sync sees it gone.
    const uid = (await onServer('Written in Tandem'))?.uid;
    const lock = await imap.getMailboxLock('Drafts');
    try {
      await imap.messageDelete(String(uid), { uid: true });
    } finally {
      lock.release();
    }
    await waitFor(
      async () => {
        const list = (await (
          await page.request.get(`${serve.url}/api/v1/messages?mailboxId=${mailboxId}&folder=Drafts`)
        ).json()) as { items: { subject: string }[] };
        return !list.items.some((m) => m.subject === 'Written in Tandem');
      },
      { what: 'Tandem to see the draft deleted', timeoutMs: 30_000 },
    );

    await typeAtEnd(' Call me first.');
    const prompt = compose().getByRole('alert').filter({ hasText: 'deleted in your mail app' });
    await prompt.getByRole('button', { name: 'Restore it' }).waitFor({ timeout: 30_000 });
    expect(await prompt.textContent()).not.toContain('POST');
    await browser.screenshot('23-draft-deleted-elsewhere');

    // Closing does not pretend it was saved, nor drop the edit.
    await compose().getByRole('button', { name: 'Close', exact: true }).click();
    await prompt.getByRole('button', { name: 'Close without saving' }).waitFor();
    expect(await compose().isVisible()).toBe(true);
    expect(await editor().innerText()).toBe('Dear Dan, see you on Monday. Call me first.');
    await browser.screenshot('24-draft-unsaved-on-close');

    await prompt.getByRole('button', { name: 'Restore it' }).click();
    await expect.poll(() => compose().getByRole('status').textContent(), poll).toContain('Draft saved');
    await expect
      .poll(async () => (await onServer('Written in Tandem'))?.text, poll)
      .toBe('Dear Dan, see you on Monday. Call me first.');
    expect((await onServer('Written in Tandem'))?.to).toEqual(['dan@example.test']);
    await expect
      .poll(async () => (await draftsOnServer(imap, 'Drafts')).map((d) => d.subject).sort(), poll)
      .toEqual(['Chart for Carol', 'Flowed notes', 'Prices and dates', 'Written in Tandem']);
    await compose().getByRole('button', { name: 'Close', exact: true }).click();
    await compose().waitFor({ state: 'detached' });
    // The browser logs the 410 answer to the autosave; nothing else may go wrong.
    expect(browser.problems.filter((p) => !p.includes('status of 410 (Gone)'))).toEqual([]);
  });
});
