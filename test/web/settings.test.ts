// The settings screens for what the API configures, in Chromium against Dovecot +
// Postfix: profile and signature, password/sessions/tokens, users (an
// administrator adds and deactivates one), the fallback outgoing server, and a
// mailbox whose password changed on the server taking the new one without losing
// anything.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, otherClient, setMailPassword, waitFor } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { rawMessage } from '../support/sync.ts';

const servers = mailServers();
const ADMIN = { email: 'sam@example.test', password: 'sam-settings-password' };

describe('settings screens, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-settings-'));
    await runTandem(['user', 'add', '--admin', '--email', ADMIN.email, '--password-stdin', '--data', dataDir], {
      stdin: ADMIN.password,
    });
    mail = await createMailUser(servers, 'settings');
    const imap = await otherClient(servers, mail);
    await imap.append('INBOX', rawMessage('Keep me', { to: mail.address, body: 'Still here after the new password.' }));
    await imap.logout();
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('edits the profile and signature, and manages tokens', async () => {
    const { page, problems } = browser;
    const created = await signInAndConnect(page, serve.url, ADMIN, { servers, mail, folders: ['INBOX', 'Sent'] });
    expect(created.status()).toBe(201);
    await page.reload();
    await page.locator('.message-row', { hasText: 'Keep me' }).waitFor({ timeout: 60_000 });

    await page.getByRole('button', { name: /^Account: / }).click();
    const profile = page.getByRole('tabpanel', { name: 'Profile' });
    await profile.getByRole('button', { name: 'Save profile' }).waitFor();
    // Enabled once the profile has loaded (a busy machine may take a while).
    await expect
      .poll(() => profile.getByRole('button', { name: 'Save profile' }).isEnabled(), { timeout: 30_000 })
      .toBe(true);
    await profile.getByLabel('Name').fill('Sam Settings');
    await profile.getByLabel('Signature').fill('Sam\nSettings Inc.');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByText('Profile saved.').waitFor();
    // The top bar shows the new name at once, without a reload.
    await page.getByRole('button', { name: 'Account: Sam Settings' }).waitFor();
    const me = (await (await page.request.get(`${serve.url}/api/v1/auth/me`)).json()) as {
      name: string;
      signature: string;
    };
    expect(me).toMatchObject({ name: 'Sam Settings', signature: 'Sam\nSettings Inc.' });
    // The top bar names the user by the saved name, also after a reload.
    await page.reload();
    await page.getByRole('button', { name: 'Account: Sam Settings' }).waitFor();
    await page.getByRole('tab', { name: 'Profile' }).waitFor();
    await browser.screenshot('60-settings-profile');

    await page.getByRole('tab', { name: 'Password and sessions' }).click();
    const security = page.getByRole('tabpanel', { name: 'Password and sessions' });
    await security.getByText('This session').waitFor();
    await security.getByLabel('Token name').fill('Reporting');
    await security.getByRole('button', { name: 'Create token' }).click();
    const secret = await security.locator('code.secret').textContent();
    const asToken = await page.request.get(`${serve.url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${secret ?? ''}` },
    });
    expect(asToken.status()).toBe(200);
    await browser.screenshot('61-settings-security');
    await security.getByRole('button', { name: 'Revoke Reporting' }).click();
    await security.getByText('No API tokens.').waitFor();
    const revoked = await page.request.get(`${serve.url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${secret ?? ''}` },
    });
    expect(revoked.status()).toBe(401);
    expect(problems).toEqual([]);
  }, 180_000);

  it('lets an administrator add and deactivate a user and set the fallback outgoing server', async () => {
    const { page, problems } = browser;
    await page.getByRole('tab', { name: 'Users' }).click();
    const users = page.getByRole('tabpanel', { name: 'Users' });
    await users.getByLabel('Email').fill('bea@example.test');
    await users.getByLabel('Name').fill('Bea');
    await users.getByLabel('First password').fill('bea-has-a-long-unusual-passphrase');
    await users.getByRole('button', { name: 'Add user' }).click();
    await users.getByText('User added.').waitFor();
    // Bea signs in elsewhere (not in this browser, which stays Sam's).
    const elsewhere = await request.newContext();
    const first = await elsewhere.post(`${serve.url}/api/v1/auth/login`, {
      data: { email: 'bea@example.test', password: 'bea-has-a-long-unusual-passphrase' },
    });
    expect(first.status()).toBe(200);
    const { token } = (await first.json()) as { token: string };
    await elsewhere.dispose();
    await users.getByRole('button', { name: 'Deactivate bea@example.test' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deactivate bea@example.test?' });
    await browser.screenshot('62-settings-deactivate-dialog');
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await users.getByRole('button', { name: 'Reactivate bea@example.test' }).waitFor();
    // Deactivation ended Bea's session.
    const after = await page.request.get(`${serve.url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status()).toBe(401);
    await browser.screenshot('63-settings-users');

    await page.getByRole('tab', { name: 'Fallback outgoing server' }).click();
    const outgoing = page.getByRole('tabpanel', { name: 'Fallback outgoing server' });
    await outgoing.getByText('None set.').waitFor();
    await outgoing.getByLabel('SMTP host').fill(servers.smtp.host);
    await outgoing.getByLabel('Security').selectOption('none');
    await outgoing.getByLabel('Port').fill(String(servers.smtp.port));
    await outgoing.getByRole('button', { name: 'Test and save' }).click();
    await outgoing.getByText(`In use: ${servers.smtp.host}:${servers.smtp.port}.`).waitFor({ timeout: 30_000 });
    await browser.screenshot('64-settings-outgoing');
    expect(problems).toEqual([]);
  }, 120_000);

  it('takes the new password of a mailbox in error and keeps its emails', async () => {
    const { page, problems } = browser;
    const { items } = (await (await page.request.get(`${serve.url}/api/v1/mailboxes`)).json()) as {
      items: { id: string }[];
    };
    const id = items[0]?.id ?? '';
    await setMailPassword(servers, mail, 'changed-at-the-provider');
    await waitFor(
      () =>
        otherClient(servers, mail).then(
          (c) => c.logout().then(() => false),
          () => true,
        ),
      { what: 'the old password to be refused' },
    );
    await page.request.post(`${serve.url}/api/v1/mailboxes/${id}/connect`, { headers: { 'x-tandem-csrf': '1' } });
    await page.getByRole('button', { name: 'Mailbox settings' }).click();
    const form = page.getByRole('form', { name: 'New password' });
    await form.waitFor({ timeout: 60_000 });
    await form.getByLabel(/^New password for/).fill('not-it-either');
    await form.getByRole('button', { name: 'Save and reconnect' }).click();
    await form
      .getByRole('alert')
      .getByText(/refused the login/)
      .waitFor({ timeout: 30_000 });
    await browser.screenshot('65-mailbox-new-password');
    await form.getByLabel(/^New password for/).fill('changed-at-the-provider');
    await form.getByRole('button', { name: 'Save and reconnect' }).click();
    await form.waitFor({ state: 'detached', timeout: 30_000 });
    await expect
      .poll(() => page.getByTestId('mailbox-state').textContent(), { timeout: 60_000 })
      .toContain('Connected');
    await page.getByRole('button', { name: 'Inbox' }).first().click();
    await page.locator('.message-row', { hasText: 'Keep me' }).waitFor();
    expect(problems.filter((p) => !/status of 422/.test(p))).toEqual([]);
  }, 180_000);
});
