// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the web app's tests.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { APIResponse, Browser, BrowserContext, Page } from 'playwright-core';
import type { MailServersInfo, MailUser } from './mail-servers.ts';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where the tests put screenshots of the key screens (not committed). */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export interface TestBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far: a test fails on any. */
  problems: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(options: { width?: number; height?: number } = {}): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    browser,
    context,
    page,
    problems,
    screenshot: async (name) => {
      await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
    },
    close: () => browser.close(),
  };
}

/**
 * Signs `user` in through the page, then connects `mail`'s mailbox (plain
 * loopback IMAP and SMTP) with the browser's own session; returns the API's answer.
 */
export async function signInAndConnect(
  page: Page,
  url: string,
  user: { email: string; password: string },
  connection: { servers: MailServersInfo; mail: MailUser; folders: string[] },
): Promise<APIResponse> {
  const { servers, mail, folders } = connection;
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(url);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Setup My Mailbox' }).waitFor();
  return page.request.post(`${url}/api/v1/mailboxes`, {
    headers: { 'x-tandem-csrf': '1' },
    data: {
      address: mail.address,
      imap: {
        host: servers.imap.host,
        port: servers.imap.port,
        security: 'none',
        username: mail.username,
        password: mail.password,
      },
      smtp: {
        host: servers.smtp.host,
        port: servers.smtp.port,
        security: 'none',
        username: mail.username,
        password: mail.password,
      },
      syncPeriod: '1m',
      folders,
    },
  });
}
