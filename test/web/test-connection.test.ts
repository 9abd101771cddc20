// Test connection in Setup My Mailbox, in Chromium, against a real Postfix that
// offers no SMTP AUTH (a relay for trusted networks): a wrong password cannot be
// refused there, so the result must say the login could not be tried instead of
// "connected and signed in".
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, infoOf, startMailServers } from '../support/index.ts';
import type { MailServers, MailUser } from '../support/index.ts';
import { openBrowser } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';

const USER = { email: 'tester@example.test', password: 'tester-password' };

describe('Test connection with an SMTP server that offers no login, in Chromium', () => {
  let servers: MailServers;
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;

  beforeAll(async () => {
    servers = await startMailServers({ smtpAuth: false });
    mail = await createMailUser(infoOf(servers), 'tester');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-test-connection-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await servers?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('says the SMTP login could not be tried, whatever the password', async () => {
    const { page, problems } = browser;
    await page.goto(serve.url);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Setup My Mailbox' }).click();
    await page.getByLabel('Email address').fill(mail.address);
    await page.getByRole('button', { name: 'Proceed', exact: true }).click();
    await page.getByLabel('IMAP host').fill(servers.imap.host);
    await page.getByLabel('IMAP security').selectOption('none');
    await page.getByLabel('IMAP port').fill(String(servers.imap.port));
    await page.getByLabel('SMTP host').fill(servers.smtp.host);
    await page.getByLabel('SMTP security').selectOption('none');
    await page.getByLabel('SMTP port').fill(String(servers.smtp.port));
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Test connection', exact: true }).click();
    const checks = page.getByRole('status', { name: 'Connection test' });
    await expect
      .poll(() => checks.textContent(), { timeout: 30_000 })
      .toMatch(/^Incoming mail \(IMAP\): The IMAP server at .*refused the login/i);
    const smtp = checks.getByText(/^Outgoing mail \(SMTP\)/);
    expect(await smtp.textContent()).toBe(
      'Outgoing mail (SMTP): connected, but the server offers no login, so the user name and password could not be tried',
    );

    // With the right password, IMAP signs in; SMTP still could not try it.
    await page.getByLabel('Password').fill(mail.password);
    await page.getByRole('button', { name: 'Test connection', exact: true }).click();
    await expect
      .poll(() => checks.textContent(), { timeout: 30_000 })
      .toContain('Incoming mail (IMAP): connected and signed in');
    expect(await smtp.textContent()).not.toContain('signed in');
    await browser.screenshot('31-test-connection-no-smtp-auth');

    // Provider discovery finds nothing for example.test: that 404 is expected.
    expect(problems.filter((p) => !/status of 404 .*\/api\/v1\/providers\/discover\?/.test(p))).toEqual([]);
  });
});
