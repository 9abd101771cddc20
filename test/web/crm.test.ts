// The CRM in the web app, in Chromium against real Dovecot + Postfix: a contact's page
// shows the emails from their addresses as threads; a comment on an email stays in
// Tandem (the server's copy is untouched); a rule made in the Automate Tasks tab acts
// on a newly delivered email; a reply sent from a case page is linked to the case.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliver, mailServers, otherClient, waitFor } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { rawMessage } from '../support/sync.ts';

const servers = mailServers();
const USER = { email: 'keeper@example.test', password: 'keeper-password' };
const FOLDERS = ['INBOX', 'Sent', 'Drafts', 'Trash'];

/** What the mail server holds: per folder the message count and next UID, and each INBOX message's flags by subject. */
async function serverState(client: ImapFlow) {
  const folders: Record<string, { messages?: number; uidNext?: number }> = {};
  for (const folder of FOLDERS) {
    const status = await client.status(folder, { messages: true, uidNext: true });
    folders[folder] = status ? { messages: status.messages, uidNext: status.uidNext } : {};
  }
  const flags: Record<string, string[]> = {};
  const lock = await client.getMailboxLock('INBOX');
  try {
    for await (const message of client.fetch('1:*', { envelope: true, flags: true }))
      flags[message.envelope?.subject ?? ''] = [...(message.flags ?? [])].sort();
  } finally {
    lock.release();
  }
  return { folders, flags };
}

describe('the CRM in the web app, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;
  let imap: ImapFlow;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-crm-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'keeper');
    imap = await otherClient(servers, mail);
    await imap.append('INBOX', rawMessage('Welcome aboard', { to: mail.address }));
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
    const { page } = browser;
    const created = await signInAndConnect(page, serve.url, USER, { servers, mail, folders: FOLDERS });
    expect(created.status()).toBe(201);
    await page.reload();
    await page.locator('.message-row', { hasText: 'Welcome aboard' }).waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await imap?.logout();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const row = (subject: string) => browser.page.locator('.message-row', { hasText: subject });

  it("shows an email from a contact's address on the contact's page", async () => {
    const { page, problems } = browser;
    await page.getByRole('button', { name: 'Records', exact: true }).click();
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByLabel('First name').fill('Carol');
    await page.getByLabel('Last name').fill('Customer');
    await page.getByRole('textbox', { name: 'Email 1' }).fill('carol@client.test');
    await page.getByRole('button', { name: 'Add another email' }).click();
    await page.getByRole('textbox', { name: 'Email 2' }).fill('carol.c@client.test');
    await page.getByLabel('Phone').fill('+1 555 0100');
    await page.getByRole('button', { name: 'Create' }).click();
    const contact = page.getByRole('region', { name: 'Contact: Carol Customer' });
    await contact.waitFor();
    expect(await contact.textContent()).toContain('carol.c@client.test');

    // Delivered to the mailbox from her second address: it shows up on her page, live.
    await deliver(
      servers,
      mail.username,
      rawMessage('Order question', {
        from: 'Carol <carol.c@client.test>',
        to: mail.address,
        body: 'Where is my order?',
      }),
    );
    const history = page.getByRole('region', { name: 'Email history' });
    await history.getByText('Order question').waitFor({ timeout: 60_000 });
    expect(await history.textContent()).toContain('Where is my order?');

    // Edited: the page shows the change.
    await contact.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Phone').fill('+1 555 0199');
    await page.getByRole('button', { name: 'Save' }).click();
    await contact.getByText('+1 555 0199').waitFor();

    // The list finds her by an address.
    await page.getByRole('button', { name: '← Contacts' }).click();
    await page.getByLabel('Search contacts').fill('carol.c@');
    await page.getByLabel('Search contacts').press('Enter');
    await page.getByRole('button', { name: 'Carol Customer', exact: true }).waitFor();
    await browser.screenshot('20-crm-contact');
    expect(problems).toEqual([]);
  });

  it('keeps a comment on an email in Tandem and changes nothing on the mail server', async () => {
    const { page, problems } = browser;
    await page.getByRole('button', { name: 'Inbox' }).click();
    await row('Order question').click();
    const links = page.getByRole('region', { name: 'Linked records' });
    await links.getByRole('button', { name: 'Carol Customer', exact: true }).waitFor();
    // Opening it marks it read on the server: let that land before taking the server's picture.
    await waitFor(async () => (await serverState(imap)).flags['Order question']?.includes('\\Seen'), {
      what: 'the email read on the server',
    });
    const before = await serverState(imap);

    const comments = page.getByRole('region', { name: 'Comments' });
    expect(await comments.textContent()).toContain('never reach the mail server');
    await comments.getByLabel('Add a comment').fill(`@${USER.email} please call Carol back`);
    await comments.getByRole('button', { name: 'Comment' }).click();
    const comment = comments.locator('.comment', { hasText: 'please call Carol back' });
    await comment.waitFor();
    expect(await comment.textContent()).toContain(`Mentions: keeper <${USER.email}>`);

    // Stored in Tandem: still there after a reload.
    await page.reload();
    await row('Order question').click();
    await page
      .getByRole('region', { name: 'Comments' })
      .locator('.comment', { hasText: 'please call Carol back' })
      .waitFor();

    // A change that does go to the server, made after the comment: once it is there, anything
    // the comment had sent would be there too. The server shows the star and nothing else.
    await page.getByRole('button', { name: 'Star', exact: true }).click();
    await waitFor(async () => (await serverState(imap)).flags['Order question']?.includes('\\Flagged'), {
      what: 'the star on the server',
    });
    const after = await serverState(imap);
    expect(after.folders).toEqual(before.folders);
    expect(after.flags).toEqual({
      ...before.flags,
      'Order question': [...(before.flags['Order question'] ?? []), '\\Flagged'].sort(),
    });

    // Unlinked, then linked again by hand; made private, then public again.
    await links.getByRole('button', { name: 'Unlink Carol Customer' }).click();
    await links.getByText('Not linked to any record.').waitFor();
    await links.getByLabel('Find a record to link').fill('Carol');
    await links.getByRole('button', { name: 'Find' }).click();
    await links.getByRole('button', { name: 'Link to Carol Customer' }).click();
    await links.getByText('linked by hand').waitFor();
    await page.getByRole('button', { name: 'Make private' }).click();
    await page.getByText('Private: only you see this email.').waitFor();
    await page.getByRole('button', { name: 'Make public' }).click();
    await page.getByText('Visible to your team.').waitFor();
    expect(problems).toEqual([]);
  });

  it('creates a rule in Automate Tasks that acts on a new email, and links a reply sent from the case page', async () => {
    const { page, problems } = browser;
    await page.getByRole('button', { name: 'Mailbox settings' }).click();
    await page.getByRole('tab', { name: 'Automate Tasks' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Automate Tasks' });
    expect(await panel.textContent()).toContain('first sync only');
    await panel.getByRole('button', { name: 'New rule' }).click();
    await panel.getByLabel('Rule name').fill('Support to cases');
    // On the sender's domain: the copy of the reply in Sent (from the mailbox itself) does not match.
    await panel.getByLabel('Condition 1 field').selectOption('from');
    await panel.getByLabel('Condition 1 test').selectOption('domain_is');
    await panel.getByLabel('Condition 1 value').fill('newcomer.test');
    await panel.getByLabel('Create a record when none matches').check();
    await panel.getByLabel('Record to create').selectOption('case');
    await panel.getByRole('button', { name: 'Save rule' }).click();
    await panel.locator('.rule', { hasText: 'Support to cases' }).waitFor();
    expect(await panel.locator('.rule').textContent()).toContain('create case');

    await deliver(
      servers,
      mail.username,
      rawMessage('[support] Printer on fire', {
        from: 'Nora Newcomer <nora@newcomer.test>',
        to: mail.address,
        body: 'Smoke everywhere.',
      }),
    );
    await page.getByRole('button', { name: 'Inbox' }).click();
    await row('[support] Printer on fire').click();
    const log = page.getByRole('region', { name: 'Mailroom rules' });
    await log.waitFor({ timeout: 60_000 });
    expect(await log.textContent()).toContain('Support to cases');
    expect(await log.textContent()).toContain('created a case');

    // The email's link leads to the new case, whose page shows the email.
    await page
      .getByRole('region', { name: 'Linked records' })
      .getByRole('button', { name: '[support] Printer on fire', exact: true })
      .click();
    await page.getByRole('region', { name: 'Case: [support] Printer on fire' }).waitFor();
    const history = page.getByRole('region', { name: 'Email history' });
    await history.getByText('Smoke everywhere.').waitFor();

    // A reply from the case page: sent through the mailbox, filed in Sent, linked to the case.
    await history.getByRole('button', { name: 'Reply' }).click();
    const compose = page.getByRole('dialog', { name: 'Compose email' });
    await expect.poll(() => compose.getByLabel('To').inputValue()).toBe('nora@newcomer.test');
    await compose.getByRole('textbox', { name: 'Message' }).click();
    await page.keyboard.press('Control+Home'); // above the quote
    await page.keyboard.type('We are on it.');
    await compose.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Your email was sent.').waitFor({ timeout: 30_000 });
    await history.getByText('Re: [support] Printer on fire').waitFor({ timeout: 60_000 });
    await browser.screenshot('21-crm-case');
    await waitFor(async () => (await serverState(imap)).folders.Sent?.messages === 1, {
      what: 'the reply in Sent on the server',
    });
    await page.getByRole('button', { name: 'Inbox' }).click();
    await page.getByRole('button', { name: 'Sent', exact: true }).click();
    await row('Re: [support] Printer on fire').click();
    // The conversation shows the case email too: the reply is its newest, last.
    const replyLinks = page
      .getByRole('region', { name: /^Email from/ })
      .last()
      .getByRole('region', { name: 'Linked records' });
    await replyLinks.getByRole('button', { name: '[support] Printer on fire', exact: true }).waitFor();
    expect(await replyLinks.textContent()).toContain('linked by hand');

    // The rule is deleted from the tab.
    await page.getByRole('button', { name: 'Mailbox settings' }).click();
    await page.getByRole('tab', { name: 'Automate Tasks' }).click();
    await panel.getByRole('button', { name: 'Delete Support to cases' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the rule Support to cases?' })
      .getByRole('button', { name: 'Delete rule' })
      .click();
    await panel.getByText('No rules yet.').waitFor();
    expect(problems).toEqual([]);
  });

  it('says with counts what deleting the mailbox removes, and keeps its rules turned off', async () => {
    const { page, problems } = browser;
    await page.getByRole('button', { name: 'Mailbox settings' }).click();
    await page.getByRole('tab', { name: 'Automate Tasks' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Automate Tasks' });
    await panel.getByRole('button', { name: 'New rule' }).click();
    await panel.getByLabel('Rule name').fill('Kept after delete');
    await panel.getByLabel('Condition 1 value').fill('nobody@nowhere.test');
    await panel.getByRole('button', { name: 'Save rule' }).click();
    await panel.locator('.rule', { hasText: 'Kept after delete' }).waitFor();

    await page.getByRole('tab', { name: 'My Mailbox' }).click();
    await page.getByRole('button', { name: 'Delete Mailbox' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete mailbox?' });
    const removed = dialog.getByTestId('deletion-removed');
    await removed.waitFor();
    // Carol's email and the case's two (the email and the reply) are linked; one comment was made.
    expect(await removed.textContent()).toMatch(/\d+ synced emails and \d+ drafts?, and the mailbox.s settings/);
    expect(await removed.textContent()).toContain('the links of 3 emails to 2 records');
    expect(await removed.textContent()).toContain('1 comment on these emails');
    expect(await dialog.getByTestId('deletion-kept').textContent()).toContain(
      '1 mailroom rule of this mailbox, turned off',
    );
    await browser.screenshot('22-delete-mailbox-counts');
    await dialog.getByRole('button', { name: 'Delete mailbox' }).click();
    await page.getByRole('button', { name: 'Setup My Mailbox' }).waitFor();

    const rules = (await (await page.request.get(`${serve.url}/api/v1/mailroom/rules`)).json()) as {
      items: { name: string; enabled: boolean }[];
    };
    expect(rules.items.map((r) => [r.name, r.enabled])).toEqual([['Kept after delete', false]]);
    expect(problems).toEqual([]);
  });
});
