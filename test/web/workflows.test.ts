// Workflows in the web app, in Chromium against real Dovecot + Postfix: a workflow
// built in Automate Tasks with a merge-tag template is previewed on a contact, run by
// hand, and its run and email show up — the email in the contact's timeline.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/mail/mime/index.ts';
import { createMailUser, mailServers, serverCopies } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';

const servers = mailServers();
const USER = { email: 'flow@example.test', password: 'flow-password-1' };
const FOLDERS = ['INBOX', 'Sent', 'Drafts', 'Trash'];

describe('workflows in the web app, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;
  let customer: MailUser;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-workflows-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'flow');
    customer = await createMailUser(servers, 'dana');
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
    const created = await signInAndConnect(browser.page, serve.url, USER, { servers, mail, folders: FOLDERS });
    expect(created.status()).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('builds a workflow with a merge-tag template, previews it on a contact, runs it, and shows the run and the email', async () => {
    const { page, problems } = browser;
    const answer = await page.request.post(`${serve.url}/api/v1/contacts`, {
      headers: { 'x-tandem-csrf': '1' },
      data: { firstName: 'Dana', lastName: 'Day', emails: [customer.address] },
    });
    expect(answer.status()).toBe(201);
    const contact = (await answer.json()) as { id: string };

    await page.getByRole('button', { name: 'Mailbox settings' }).click();
    await page.getByRole('tab', { name: 'Automate Tasks' }).click();
    const panel = page.getByRole('region', { name: 'Workflows' });
    await panel.getByRole('button', { name: 'New workflow' }).click();
    const form = panel.getByRole('form', { name: 'Workflow' });
    await form.getByLabel('Workflow name').fill('Welcome new contacts');
    await form.getByLabel('Trigger').selectOption('manual');
    await form.getByLabel('Record type').selectOption('contact');
    await form.getByLabel('Action 1 subject').fill('Welcome {{contact.firstName | "there"}}');
    await form.getByLabel('Action 1 body').fill('Hello ');
    await form.getByLabel('Action 1 body').press('End');
    await form.getByLabel('Merge tag').selectOption('contact.fullName');
    await form.getByRole('button', { name: 'Insert tag' }).click();
    await expect.poll(() => form.getByLabel('Action 1 body').inputValue()).toBe('Hello {{contact.fullName}}');

    // A file goes with every email.
    await form.getByLabel('Action 1 files').setInputFiles({
      name: 'price-list.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Prices for 2027'),
    });
    await form.getByLabel('Action 1 attached files').getByText('price-list.txt').waitFor();

    // The preview fills the tags from the chosen contact.
    await form.getByLabel('Preview with').selectOption({ label: 'Dana Day' });
    await form.getByRole('button', { name: 'Preview' }).click();
    const preview = form.getByRole('region', { name: 'Preview' });
    await preview.getByText('Welcome Dana').waitFor();
    expect(await preview.textContent()).toContain('Hello Dana Day');
    await browser.screenshot('30-workflow-builder');

    await form.getByRole('button', { name: 'Save workflow' }).click();
    const item = panel.locator('.rule', { hasText: 'Welcome new contacts' });
    await item.waitFor();

    // Run it by hand on the contact: the run shows up done, with its email.
    await item.getByLabel('Run on').selectOption({ label: 'Dana Day' });
    await item.getByRole('button', { name: 'Run now' }).click();
    const history = item.getByRole('region', { name: 'Run history' });
    await history.locator('.run-done').waitFor({ timeout: 30_000 });
    expect(await history.textContent()).toMatch(/Send email: done \(email [^)]+@example\.test\)/);
    await browser.screenshot('31-workflow-runs');

    // Delivered once, filed in Sent once, and in the contact's email history.
    await expect.poll(async () => (await serverCopies(servers, customer, 'INBOX')).length, { timeout: 30_000 }).toBe(1);
    const [delivered] = await serverCopies(servers, customer, 'INBOX');
    const parsed = await parseMessage(delivered?.source ?? Buffer.alloc(0));
    expect(parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['price-list.txt', 'Prices for 2027'],
    ]);
    await expect.poll(async () => (await serverCopies(servers, mail, 'Sent')).length, { timeout: 30_000 }).toBe(1);
    await page.goto(`${serve.url}/records/contacts/${contact.id}`);
    const emails = page.getByRole('region', { name: 'Email history' });
    await emails.getByText('Welcome Dana').first().waitFor({ timeout: 60_000 });
    expect(problems).toEqual([]);
  }, 180_000);

  it('gives a deal an expected close date and builds a workflow for three days before it', async () => {
    const { page, problems } = browser;
    await page.goto(`${serve.url}/records/deals`);
    await page.getByRole('button', { name: 'New deal' }).click();
    const dealForm = page.getByRole('form', { name: 'New deal' });
    await dealForm.getByLabel('Title').fill('Fleet renewal');
    await dealForm.getByLabel('Expected close date').fill('2027-03-15');
    await dealForm.getByRole('button', { name: 'Create' }).click();
    await page.getByText('Expected close').waitFor();
    const deals = await page.request.get(`${serve.url}/api/v1/deals`);
    const deal = ((await deals.json()) as { items: { name: string; dueDate: string | null }[] }).items.find(
      (d) => d.name === 'Fleet renewal',
    );
    // Midnight of that day where the browser is.
    expect(deal?.dueDate).toBe(new Date('2027-03-15T00:00:00').toISOString());

    await page.getByRole('button', { name: 'Mailbox settings' }).click();
    await page.getByRole('tab', { name: 'Automate Tasks' }).click();
    const panel = page.getByRole('region', { name: 'Workflows' });
    await panel.getByRole('button', { name: 'New workflow' }).click();
    const form = panel.getByRole('form', { name: 'Workflow' });
    await form.getByLabel('Workflow name').fill('Before closing');
    await form.getByLabel('Trigger').selectOption('date_field');
    await form.getByLabel('Record type').selectOption('deal');
    await form.getByLabel('Days').fill('3');
    await form.getByLabel('Before or after').selectOption('before');
    await form.getByLabel('Date field').selectOption('dueDate');
    await form.getByLabel('Action 1 subject').fill('Closing soon');
    await browser.screenshot('32-workflow-date-trigger');
    await form.getByRole('button', { name: 'Save workflow' }).click();
    await panel.locator('.rule', { hasText: 'Before closing' }).waitFor();
    const saved = await page.request.get(`${serve.url}/api/v1/workflows`);
    const workflow = ((await saved.json()) as { items: { name: string; trigger: unknown }[] }).items.find(
      (w) => w.name === 'Before closing',
    );
    expect(workflow?.trigger).toEqual({
      type: 'date_field',
      recordType: 'deal',
      field: 'dueDate',
      offsetMinutes: -3 * 24 * 60,
    });
    expect(problems).toEqual([]);
  }, 180_000);
});
