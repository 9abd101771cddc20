// Settings → Group Mailbox in Chromium, against Dovecot: an administrator who
// is not a member renames the team and changes its members; a member allowed
// to manage it changes who may manage and who is available, the conversation
// options, then manages folders, disconnects, reconnects and deletes the
// mailbox as in My Mailbox. Every change is checked through the API.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { SCREENSHOTS, openBrowser } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';

const servers = mailServers();
const ADMIN = { email: 'boss@example.test', password: 'boss-password-1', name: 'Boss' };
const ANN = { email: 'ann@example.test', password: 'ann-password-12', name: 'Ann' };
const BEN = { email: 'ben@example.test', password: 'ben-password-12', name: 'Ben' };
const CAL = { email: 'cal@example.test', password: 'cal-password-12', name: 'Cal' };
const live = { timeout: 30_000 };

interface Editable {
  mailboxId: string;
  manages: boolean;
  group: {
    name: string;
    members: { email: string; canManage: boolean; available: boolean }[];
    emailToCase: boolean;
    caseTokenPrefix: string;
    assignRule: string;
  };
}

async function signIn(page: Page, url: string, user: { email: string; password: string }) {
  await page.goto(url);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Setup My Mailbox' }).waitFor();
}

describe('Settings → Group Mailbox, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let support: MailUser;

  const editable = async (page: Page) =>
    ((await (await page.request.get(`${serve.url}/api/v1/group-mailboxes`)).json()) as { items: Editable[] }).items;
  const teamOf = async (page: Page) =>
    (await editable(page))[0]?.group.members.map((m) => [m.email, m.canManage, m.available]).sort();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-group-settings-'));
    for (const user of [ADMIN, ANN, BEN, CAL]) {
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
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'lets an admin and a managing member change the team, its options and its account',
    { timeout: 240_000 },
    async () => {
      const { page: adminPage, problems } = browser;
      await signIn(adminPage, serve.url, ADMIN);
      const userIds = Object.fromEntries(
        (
          (await (await adminPage.request.get(`${serve.url}/api/v1/users`)).json()) as {
            items: { id: string; email: string }[];
          }
        ).items.map((u) => [u.email, u.id]),
      );
      const login = { security: 'none', username: support.username, password: support.password };
      const created = await adminPage.request.post(`${serve.url}/api/v1/mailboxes`, {
        headers: { 'x-tandem-csrf': '1' },
        data: {
          address: support.address,
          imap: { ...login, host: servers.imap.host, port: servers.imap.port },
          smtp: { ...login, host: servers.smtp.host, port: servers.smtp.port },
          syncPeriod: 'now',
          kind: 'group',
          group: {
            name: 'Support',
            members: [{ userId: userIds[ANN.email], canManage: true }, { userId: userIds[BEN.email] }],
          },
        },
      });
      expect(created.status()).toBe(201);

      // The administrator (not a member) renames the team, adds Cal and removes Ben.
      await adminPage.getByRole('button', { name: 'Group Mailbox' }).click();
      await adminPage.getByRole('table', { name: 'Group mailboxes' }).getByText('Ann, Ben').waitFor(live);
      await adminPage.screenshot({ path: `${SCREENSHOTS}group-mailboxes.png` });
      await adminPage.getByRole('button', { name: 'Support', exact: true }).click();
      await adminPage.getByLabel('Name', { exact: true }).fill('Customer Care');
      await adminPage.getByLabel('Add a member').fill('Ca');
      await adminPage.getByRole('button', { name: 'Add Cal' }).click();
      await adminPage.getByRole('button', { name: 'Remove Ben' }).click();
      await adminPage.getByRole('button', { name: 'Save team' }).click();
      await adminPage.getByText('Team saved').waitFor(live);
      await adminPage.screenshot({ path: `${SCREENSHOTS}group-mailbox-team.png` });
      expect(await adminPage.getByText('changed by the members allowed to manage it').count()).toBe(1);
      expect(await adminPage.getByRole('button', { name: 'Delete Mailbox' }).count()).toBe(0);
      expect((await editable(adminPage))[0]?.group.name).toBe('Customer Care');
      expect(await teamOf(adminPage)).toEqual([
        [ANN.email, true, true],
        [CAL.email, false, true],
      ]);

      // Ann manages it: she lets Cal manage it, takes herself out of round-robin and changes the options.
      const annContext = await browser.browser.newContext({ viewport: { width: 1280, height: 1000 } });
      const annPage = await annContext.newPage();
      annPage.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      annPage.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      await signIn(annPage, serve.url, ANN);
      await annPage.getByRole('button', { name: 'Group Mailbox' }).click();
      await annPage.getByRole('button', { name: 'Customer Care', exact: true }).click();
      await annPage.getByRole('checkbox', { name: 'Cal may manage' }).check();
      await annPage.getByRole('checkbox', { name: 'Ann is available' }).uncheck();
      await annPage.getByRole('button', { name: 'Save team' }).click();
      await annPage.getByText('Team saved').waitFor(live);
      expect(await teamOf(annPage)).toEqual([
        [ANN.email, true, false],
        [CAL.email, true, true],
      ]);
      await annPage.getByRole('checkbox', { name: 'Open a case for each new conversation' }).uncheck();
      await annPage.getByLabel('Subject token prefix').fill('CASE-');
      await annPage.getByLabel('Assign new conversations').selectOption('round_robin');
      await annPage.getByRole('button', { name: 'Save options' }).click();
      await annPage.getByText('Options saved').waitFor(live);
      expect((await editable(annPage))[0]?.group).toMatchObject({
        emailToCase: false,
        caseTokenPrefix: 'CASE-',
        assignRule: 'round_robin',
      });
      // A bad prefix is refused with the server's words, nothing saved.
      await annPage.getByLabel('Subject token prefix').fill('no spaces');
      await annPage.getByRole('button', { name: 'Save options' }).click();
      await annPage.getByRole('alert').filter({ hasText: 'letters, digits' }).waitFor(live);
      expect((await editable(annPage))[0]?.group.caseTokenPrefix).toBe('CASE-');

      // The account, as in My Mailbox: folders, disconnect and reconnect.
      await annPage.getByRole('button', { name: 'Manage Folders' }).click();
      await annPage.getByRole('group', { name: 'Folders to sync' }).waitFor(live);
      await annPage.getByRole('button', { name: 'Cancel' }).click();
      await annPage.getByRole('button', { name: 'Disconnect the Account' }).click();
      await expect.poll(async () => annPage.getByTestId('mailbox-state').textContent(), live).toContain('Disconnected');
      await annPage.screenshot({ path: `${SCREENSHOTS}group-mailbox-settings.png`, fullPage: true });
      await annPage.getByRole('button', { name: 'Reconnect the Account' }).click();
      await expect
        .poll(async () => annPage.getByTestId('mailbox-state').textContent(), live)
        .not.toContain('Disconnected');

      // Ben is no longer a member: the mailbox is gone for him, and he manages nothing.
      const benContext = await browser.browser.newContext();
      const benPage = await benContext.newPage();
      await signIn(benPage, serve.url, BEN);
      const benMailboxes = (await (await benPage.request.get(`${serve.url}/api/v1/mailboxes`)).json()) as {
        items: unknown[];
      };
      expect(benMailboxes.items).toEqual([]);
      expect(await editable(benPage)).toEqual([]);
      expect(await benPage.getByRole('button', { name: 'Group Mailbox' }).count()).toBe(0);

      // Deleted by its manager: gone from the list.
      await annPage.getByRole('button', { name: 'Delete Mailbox' }).click();
      await annPage.getByRole('alertdialog').getByRole('button', { name: 'Delete mailbox' }).click();
      await annPage.getByRole('heading', { name: 'Group Mailbox' }).waitFor(live);
      await annPage.getByText('No group mailbox yet.').waitFor(live);
      expect(await editable(adminPage)).toEqual([]);
      // The bad prefix's 400 is expected: Chromium logs every failed request.
      expect(problems.filter((p) => !p.includes('status of 400'))).toEqual([]);
    },
  );
});
