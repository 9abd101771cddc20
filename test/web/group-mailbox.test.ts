// The team view of a group mailbox in Chromium, against Dovecot and Postfix:
// an admin sets up Support with two members; a customer's mail opens a case;
// assignment and status reach the other member live; a reply that crosses a
// colleague's gets the collision warning; the subject token threads a reply
// without headers; an auto-reply and a bounce open nothing; a closed
// conversation reopens on the customer's next mail.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliver, mailServers, serverCopies } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, saveScreen } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';

const servers = mailServers();
const ADMIN = { email: 'boss@example.test', password: 'boss-password-1', name: 'Boss' };
const ANN = { email: 'ann@example.test', password: 'ann-password-12', name: 'Ann' };
const BEN = { email: 'ben@example.test', password: 'ben-password-12', name: 'Ben' };
const live = { timeout: 30_000 };

async function signIn(page: Page, url: string, user: { email: string; password: string }) {
  await page.goto(url);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Setup My Mailbox' }).waitFor();
}

describe('a group mailbox’s team view, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let support: MailUser;
  let customer: MailUser;

  const customerWrites = async (subject: string, messageId?: string) => {
    const transport = nodemailer.createTransport({
      host: servers.smtp.host,
      port: servers.smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: `Carla <${customer.address}>`,
      to: support.address,
      subject,
      text: `About ${subject}`,
      ...(messageId ? { messageId: `<${messageId}>` } : {}),
    });
    transport.close();
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-group-'));
    for (const user of [ADMIN, ANN, BEN]) {
      await runTandem(
        [
          'user',
          'add',
          '--email',
          user.email,
          '--name',
          user.name,
          ...(user === ADMIN ? ['--admin'] : []),
          '--password-stdin',
          '--data',
          dataDir,
        ],
        { stdin: user.password },
      );
    }
    support = await createMailUser(servers, 'support');
    customer = await createMailUser(servers, 'customer');
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('takes a case from the first mail to a reopen, live for both members', { timeout: 240_000 }, async () => {
    const { page: adminPage, problems } = browser;
    await signIn(adminPage, serve.url, ADMIN);
    // Settings → Group Mailbox: the team first, then the account through the My Mailbox wizard.
    await adminPage.getByRole('button', { name: 'Group Mailbox' }).click();
    await adminPage.getByRole('button', { name: 'Setup Group Mailbox' }).click();
    await adminPage.getByLabel('Name').fill('Support');
    await adminPage.getByRole('checkbox', { name: 'Ann', exact: true }).check();
    await adminPage.getByRole('checkbox', { name: 'Ann may manage' }).check();
    await adminPage.getByRole('checkbox', { name: 'Ben', exact: true }).check();
    await adminPage.getByRole('button', { name: 'Connect the account' }).click();
    await adminPage.getByRole('heading', { name: 'Setup Group Mailbox: Support' }).waitFor();
    await adminPage.getByLabel('Email address').fill(support.address);
    await adminPage.getByRole('button', { name: 'Proceed', exact: true }).click();
    await adminPage.getByLabel('IMAP host').fill(servers.imap.host);
    await adminPage.getByLabel('IMAP security').selectOption('none');
    await adminPage.getByLabel('IMAP port').fill(String(servers.imap.port));
    await adminPage.getByLabel('SMTP host').fill(servers.smtp.host);
    await adminPage.getByLabel('SMTP security').selectOption('none');
    await adminPage.getByLabel('SMTP port').fill(String(servers.smtp.port));
    await adminPage.getByLabel('Password').fill(support.password);
    await adminPage.getByRole('button', { name: 'Sign in', exact: true }).click();
    await adminPage.getByRole('button', { name: 'Save', exact: true }).click();
    await adminPage.waitForURL(/\/mail/, live);

    const benContext = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const ann = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const annPage = await ann.newPage();
    const benPage = await benContext.newPage();
    for (const p of [annPage, benPage]) {
      p.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      p.on('console', (m) => {
        // The collision answer (409) is expected: Chromium logs every failed request.
        if (m.type() === 'error' && !m.text().includes('status of 409')) problems.push(`console: ${m.text()}`);
      });
    }
    await signIn(annPage, serve.url, ANN);
    await signIn(benPage, serve.url, BEN);
    for (const p of [annPage, benPage]) {
      await p.getByRole('button', { name: 'Team' }).click();
    }

    // A customer mails support@: a conversation appears for both, unassigned, with its case.
    await customerWrites('Broken widget', 'widget-1@example.test');
    const row = (p: Page) => p.locator('.conversation-row', { hasText: 'Broken widget' });
    await row(annPage).waitFor(live);
    await row(benPage).waitFor(live);
    expect(await row(benPage).textContent()).toContain('Unassigned');

    // Ann assigns it to herself; Ben sees it live.
    await row(annPage).click();
    await annPage.getByLabel('Assignee').selectOption({ label: 'Ann' });
    await expect.poll(async () => row(benPage).textContent(), live).toContain('Ann');

    // Ben starts a reply (Ann sees him replying) while Ann's reply goes out: Ben gets the warning.
    await row(benPage).click();
    await benPage.getByRole('button', { name: 'Reply', exact: true }).click();
    await benPage.getByLabel('Reply', { exact: true }).fill('Hello from Ben');
    await annPage.getByRole('status').filter({ hasText: 'Ben is replying' }).waitFor(live);
    await annPage.getByRole('button', { name: 'Reply', exact: true }).click();
    await annPage.getByLabel('Reply', { exact: true }).fill('Hello from Ann');
    await annPage.getByRole('button', { name: 'Send reply' }).click();
    await annPage.getByText('Reply sent').waitFor(live);
    await benPage.getByRole('button', { name: 'Send reply' }).click();
    const warning = benPage.getByRole('alert').filter({ hasText: 'since you started your reply' });
    await warning.waitFor(live);
    expect(await warning.textContent()).toContain('Ann replied');
    await saveScreen(benPage, 'group-collision', problems);
    expect(await serverCopies(servers, customer, 'INBOX')).toHaveLength(1); // only Ann's went out
    await benPage.getByRole('button', { name: 'Send anyway' }).click();
    await benPage.getByText('Reply sent').waitFor(live);
    await expect.poll(async () => (await serverCopies(servers, customer, 'INBOX')).length, live).toBe(2);

    // The customer answers without In-Reply-To/References, with the token: the same conversation.
    const token = (await annPage.locator('.conversation h2 .token').textContent()) ?? '';
    expect(token).toMatch(/^\[#\d+\]$/);
    await customerWrites(`Re: Broken widget ${token}`);
    await expect.poll(async () => annPage.locator('.thread-email').count(), live).toBe(4);
    expect(await annPage.locator('.conversation-row').count()).toBe(1);

    // An auto-reply and a bounce: no new conversation.
    await deliver(
      servers,
      support.username,
      `From: ${customer.address}\r\nTo: ${support.address}\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <ooo-web@example.test>\r\n\r\nAway\r\n`,
    );
    await deliver(
      servers,
      support.username,
      [
        'From: MAILER-DAEMON@example.test',
        `To: ${support.address}`,
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <bounce-web@example.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'Could not deliver.',
        '--b',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; example.test',
        '',
        'Final-Recipient: rfc822; nobody@example.test',
        'Action: failed',
        'Status: 5.1.1',
        '--b--',
        '',
      ].join('\r\n'),
    );
    const mailboxes = (await (await annPage.request.get(`${serve.url}/api/v1/mailboxes`)).json()) as {
      items: {
        id: string;
        kind: string;
        group: { name: string; members: { email: string; canManage: boolean }[] } | null;
      }[];
    };
    const group = mailboxes.items.find((m) => m.kind === 'group');
    expect(group?.group?.name).toBe('Support');
    expect(group?.group?.members.map((m) => [m.email, m.canManage]).sort()).toEqual([
      [ANN.email, true],
      [BEN.email, false],
    ]);
    const mailboxId = group?.id ?? '';
    const inboxSubjects = async () =>
      (
        (await (
          await annPage.request.get(`${serve.url}/api/v1/messages?mailboxId=${mailboxId}&folder=INBOX&limit=50`)
        ).json()) as { items: { subject: string }[] }
      ).items.map((m) => m.subject);
    await expect
      .poll(inboxSubjects, live)
      .toEqual(expect.arrayContaining(['Out of office', 'Undelivered Mail Returned to Sender']));
    await annPage.getByRole('button', { name: 'Unassigned' }).click();
    await annPage.getByRole('button', { name: 'All open' }).click();
    await expect.poll(async () => annPage.locator('.conversation-row').count(), live).toBe(1);
    expect(await serverCopies(servers, customer, 'INBOX')).toHaveLength(2); // no automatic reply

    // Closed, then the customer writes again: reopened, back in the open list.
    await row(annPage).click();
    await annPage.getByLabel('Status').selectOption('closed');
    await row(annPage).waitFor({ state: 'detached', ...live });
    await customerWrites(`Still broken ${token}`);
    await row(annPage).waitFor(live);
    expect(await row(annPage).textContent()).toContain('open');
    await saveScreen(annPage, 'group-team-view', problems);
    // Provider discovery finds nothing for example.test: that 404 is expected.
    expect(problems.filter((p) => !/status of 404 .*\/api\/v1\/providers\/discover\?/.test(p))).toEqual([]);
  });
});
