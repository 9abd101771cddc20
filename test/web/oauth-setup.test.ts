// Setup My Mailbox with "Sign in with <provider>" in Chromium, against a real OAuth2
// authorization server (oidc-provider, its own sign-in and consent pages) and a Dovecot
// that takes its tokens; then every view's URL: reload and the back button.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { createMailUser, deliver, startMailServers } from '../support/mail-servers.ts';
import type { MailServers, MailUser } from '../support/mail-servers.ts';
import { startAuthorizationServer, TEST_CLIENT } from '../support/oidc.ts';
import type { TestAuthorizationServer } from '../support/oidc.ts';
import { rawMessage } from '../support/sync.ts';

const USER = { email: 'oauth-user@example.test', password: 'oauth-user-password' };

describe('Setup My Mailbox with an OAuth2 sign-in, in Chromium', () => {
  let auth: TestAuthorizationServer;
  let servers: MailServers;
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;

  beforeAll(async () => {
    auth = await startAuthorizationServer();
    servers = await startMailServers({
      oauth2: { introspectionUrl: auth.introspectionUrl, clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret },
    });
    mail = await createMailUser(servers, 'signin');
    await deliver(
      servers,
      mail.username,
      rawMessage('Waiting for the sign-in', { to: mail.address, body: 'Hello before setup.' }),
    );
    await deliver(servers, mail.username, rawMessage('Second email', { to: mail.address, body: 'Another one.' }));
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-oauth-'));
    await runTandem(
      ['user', 'add', '--email', 'admin@example.test', '--admin', '--password-stdin', '--data', dataDir],
      { stdin: 'admin-password-1' },
    );
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    serve = await startServe(['--data', dataDir]);
    // The administrator's part, before any user sets up a mailbox: register Tandem with the provider for example.test.
    const token = (
      await runTandem(['token', 'create', '--user', 'admin@example.test', '--data', dataDir])
    ).stdout.trim();
    const registered = await fetch(`${serve.url}/api/v1/admin/oauth-providers/local`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Local Mail',
        clientId: TEST_CLIENT.id,
        clientSecret: TEST_CLIENT.secret,
        issuer: auth.issuer,
        imap: { ...servers.imap, security: 'none' },
        smtp: { ...servers.smtp, security: 'none' },
        domains: ['example.test'],
      }),
    });
    expect(registered.status, await registered.text()).toBe(200);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await servers?.stop();
    await auth?.stop();
  });

  const row = (subject: string) => browser.page.locator('.message-row', { hasText: subject });

  it('goes from the address to a synced mailbox through the provider’s sign-in and consent pages', async () => {
    const { page, problems, screenshot } = browser;
    await page.goto(serve.url);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Setup My Mailbox' }).click();
    expect(new URL(page.url()).pathname).toBe('/mailbox/setup');

    await page.getByLabel('Email address').fill(mail.address);
    await page.getByRole('button', { name: 'Proceed' }).click();
    const signIn = page.getByRole('link', { name: 'Sign in with Local Mail' });
    await signIn.waitFor();
    expect(new URL(page.url()).pathname).toBe('/mailbox/setup/server');
    await screenshot('oauth-01-wizard-sign-in');
    await signIn.click();

    // The provider's own pages: sign in as the mailbox's owner, then allow.
    await page.waitForURL((url) => url.href.startsWith(auth.issuer));
    await page.locator('input[name="login"]').fill(mail.address);
    await page.locator('input[name="password"]').fill('any');
    await screenshot('oauth-02-provider-sign-in');
    await page.locator('button[type="submit"]').click();
    await page
      .getByText(/Authorize|Continue/)
      .first()
      .waitFor();
    await screenshot('oauth-03-provider-consent');
    await page.locator('button[type="submit"]').click();

    // Back in Tandem: the folders of the account signed in to, then the options and Save.
    await page.getByText('Folders to sync').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('oauth')).toBeTruthy();
    await expect.poll(() => page.locator('.note').first().textContent()).toContain(mail.address);
    await page.getByLabel('3 months ago').check();
    await page.getByLabel(/I agree that emails may be sent/).check();
    await screenshot('oauth-04-wizard-folders');
    // A reload keeps the step: the grant is in the URL, the folders are read again.
    await page.reload();
    await page.getByText('Folders to sync').waitFor({ timeout: 30_000 });
    await page.getByLabel('3 months ago').check();
    await page.getByRole('button', { name: 'Save' }).click();

    await row('Waiting for the sign-in').waitFor({ timeout: 60_000 });
    await row('Second email').waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/mail/);
    await screenshot('oauth-05-synced-mailbox');
    // The provider's development pages ask for a web font and a favicon they cannot have here: only Tandem's own pages count.
    expect(problems.filter((p) => !p.includes(auth.issuer) && !p.includes('fonts.googleapis.com'))).toEqual([]);
    problems.length = 0;
  });

  it('gives every view a URL that survives reload and the back button', async () => {
    const { page, problems } = browser;
    const pathname = () => decodeURIComponent(new URL(page.url()).pathname);

    // A folder and an email.
    await page.getByRole('button', { name: 'Inbox', exact: true }).click();
    await row('Waiting for the sign-in').click();
    await page.getByRole('heading', { name: 'Waiting for the sign-in' }).waitFor();
    expect(pathname()).toMatch(/^\/mail\/INBOX\/[^/]+$/);
    const messageUrl = page.url();
    await page.reload();
    await page.getByRole('heading', { name: 'Waiting for the sign-in' }).waitFor();
    expect(page.url()).toBe(messageUrl);

    // A search.
    await page.getByLabel('Search emails').fill('Another');
    await page.getByLabel('Search emails').press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === 'Another');
    await row('Waiting for the sign-in').waitFor({ state: 'detached' });
    await page.reload();
    await row('Second email').waitFor();
    await expect.poll(() => page.locator('.message-row').count()).toBe(1);
    expect(await page.getByLabel('Search emails').inputValue()).toBe('Another');

    // Back: the search is gone, then the email is open again.
    await page.goBack();
    await page.getByRole('heading', { name: 'Waiting for the sign-in' }).waitFor();
    expect(page.url()).toBe(messageUrl);

    // A record kind, a new record, the record's page.
    await page.getByRole('button', { name: 'Records', exact: true }).click();
    await page.getByRole('button', { name: 'Organizations' }).click();
    expect(pathname()).toBe('/records/organizations');
    await page.getByRole('button', { name: 'New organization' }).click();
    expect(pathname()).toBe('/records/organizations/new');
    await page.getByLabel('Name').first().fill('Acme Widgets');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Acme Widgets' }).waitFor();
    expect(pathname()).toMatch(/^\/records\/organizations\/[^/]+$/);
    await page.reload();
    await page.getByRole('heading', { name: 'Acme Widgets' }).waitFor();

    // A settings tab.
    await page.getByRole('button', { name: 'Mailbox settings' }).click();
    await page.getByRole('tab', { name: 'Automate Tasks' }).click();
    expect(pathname()).toBe('/settings/rules');
    await page.reload();
    await expect
      .poll(() => page.getByRole('tab', { name: 'Automate Tasks' }).getAttribute('aria-selected'))
      .toBe('true');
    await page.goBack();
    await expect.poll(() => page.getByRole('tab', { name: 'My Mailbox' }).getAttribute('aria-selected')).toBe('true');
    expect(pathname()).toBe('/settings/mailbox');
    await page.goBack();
    await page.getByRole('heading', { name: 'Acme Widgets' }).waitFor();

    // An address nobody routes: back to the mailbox. The API still answers JSON 404s.
    await page.goto(`${serve.url}/no/such/view`);
    await row('Second email').waitFor();
    const api = await page.request.get(`${serve.url}/api/v1/no-such-route`);
    expect(api.status()).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'route_not_found' } });
    expect(problems).toEqual([]);
  });
});
