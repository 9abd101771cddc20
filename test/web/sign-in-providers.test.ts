// Account → Sign-in providers in Chromium: an administrator registers an OpenID
// Connect provider (the test authorization server) with the redirect URI shown to
// paste, the secret never shown back; the mailbox wizard then offers its button,
// and for a provider not set up falls back to an app password with its help link.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { startAuthorizationServer, TEST_CLIENT } from '../support/oidc.ts';
import type { TestAuthorizationServer } from '../support/oidc.ts';

const ADMIN = { email: 'admin@example.test', password: 'admin-password-1' };
const poll = { timeout: 30_000 };

describe('sign-in providers, in Chromium', () => {
  let auth: TestAuthorizationServer;
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;

  beforeAll(async () => {
    auth = await startAuthorizationServer();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-providers-'));
    await runTandem(['user', 'add', '--email', ADMIN.email, '--admin', '--password-stdin', '--data', dataDir], {
      stdin: ADMIN.password,
    });
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await auth?.stop();
  });

  const wizardFor = async (address: string) => {
    const { page } = browser;
    await page.goto(`${serve.url}/mailbox/setup`);
    await page.getByLabel('Email address').fill(address);
    await page.getByRole('button', { name: 'Proceed', exact: true }).click();
  };

  it('registers a provider with the redirect URI to paste, and the wizard offers it', async () => {
    const { page, problems, screenshot } = browser;
    await page.goto(serve.url);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Setup My Mailbox' }).waitFor(poll);

    // Not set up: a password or app password, with the provider's help link (never a dead sign-in button).
    await wizardFor('someone@gmail.com');
    await page.getByText(/Sign-in with Gmail \/ Google Workspace is not set up/).waitFor(poll);
    expect(await page.getByRole('link', { name: /Sign in with/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'how to make one' }).getAttribute('href')).toMatch(
      /^https:\/\/support\.google\.com\//,
    );
    await page.getByLabel('Password').first().waitFor(poll);
    await screenshot('90-wizard-provider-not-set-up');

    // The administrator's screen: the redirect URI to paste, then the client's details.
    await page.goto(`${serve.url}/account/providers`);
    const panel = page.getByRole('tabpanel', { name: 'Sign-in providers' });
    await panel.getByText('No sign-in provider is set up.').waitFor(poll);
    await panel.getByRole('button', { name: 'Add a sign-in provider' }).click();
    const form = panel.getByRole('form', { name: 'Sign-in provider' });
    await form.getByLabel('Provider').selectOption('oidc');
    expect(await form.getByLabel('Redirect URI').inputValue()).toBe(`${serve.url}/api/v1/oauth/callback`);
    await screenshot('91-sign-in-provider-guide');
    await form.getByLabel('Short name (in addresses)').fill('local');
    await form.getByLabel('Name shown on the sign-in button').fill('Local Mail');
    await form.getByLabel('Issuer URL').fill(auth.issuer);
    await form.getByLabel('Client ID').fill(TEST_CLIENT.id);
    await form.getByLabel('Client secret').fill(TEST_CLIENT.secret);
    await form.getByLabel('Domains (optional)').fill('example.test');
    await form.getByLabel('IMAP server').fill('127.0.0.1');
    await form.getByLabel('IMAP security').selectOption('none');
    await form.getByLabel('SMTP server').fill('127.0.0.1');
    await form.getByLabel('SMTP security').selectOption('none');
    await form.getByRole('button', { name: 'Save provider' }).click();
    await panel.getByText('Sign-in provider saved.').waitFor(poll);
    const list = panel.getByRole('list', { name: 'Sign-in providers' });
    await list.getByText('Local Mail').waitFor(poll);
    expect(await list.textContent()).toContain('for example.test');
    await screenshot('92-sign-in-providers');

    // The secret is never shown back: not in the answer, not in the edit form.
    const answer = await page.request.get(`${serve.url}/api/v1/admin/oauth-providers`);
    expect(await answer.text()).not.toContain(TEST_CLIENT.secret);
    await panel.getByRole('button', { name: 'Edit Local Mail' }).click();
    expect(await form.getByLabel('Client secret').inputValue()).toBe('');
    expect(await form.getByLabel('Client ID').inputValue()).toBe(TEST_CLIENT.id);
    await form.getByRole('button', { name: 'Cancel' }).click();

    // The wizard now offers the provider for its domain.
    await wizardFor('someone@example.test');
    const button = page.getByRole('link', { name: 'Sign in with Local Mail' });
    await button.waitFor(poll);
    expect(await button.getAttribute('href')).toBe(
      `/api/v1/oauth/local/start?address=${encodeURIComponent('someone@example.test')}`,
    );
    await screenshot('93-wizard-provider-set-up');

    // Removed: gone from the wizard again, after an accessible confirmation.
    await page.goto(`${serve.url}/account/providers`);
    await panel.getByRole('button', { name: 'Remove Local Mail' }).click();
    await page
      .getByRole('dialog', { name: 'Remove sign-in with Local Mail?' })
      .getByRole('button', { name: 'Remove' })
      .click();
    await panel.getByText('No sign-in provider is set up.').waitFor(poll);
    expect(problems).toEqual([]);
  }, 180_000);
});
