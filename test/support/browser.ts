// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the web app's tests.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { APIResponse, Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations } from './accessibility.ts';
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
/** The phone-sized viewport every key screen is also saved and checked at. */
export const PHONE = { width: 390, height: 844 };

export interface TestBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught page errors and accessibility violations seen so far: a test fails on any. */
  problems: string[];
  /**
   * Saves the screen as `<name>.png` and at phone width as `<name>-phone.png` (then restores the size),
   * and adds the serious and critical axe-core violations seen at either width to `problems`.
   */
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
    screenshot: (name) => saveScreen(page, name, problems),
    close: () => browser.close(),
  };
}

/**
 * What `screenshot(name)` does, for any page (a second user's, say): saves `<name>.png` and, at
 * phone width, `<name>-phone.png` (then restores the size), and adds the serious and critical
 * axe-core violations seen at either width to `problems`.
 */
export async function saveScreen(page: Page, name: string, problems: string[]): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
  const seen = await accessibilityViolations(page);
  const size = page.viewportSize();
  await page.setViewportSize(PHONE);
  try {
    await settleLayout(page);
    await page.screenshot({ path: `${SCREENSHOTS}${name}-phone.png` });
    const phone = await accessibilityViolations(page);
    seen.push(...phone.filter((v) => !seen.includes(v)).map((v) => `${v} (phone width only)`));
  } finally {
    if (size) await page.setViewportSize(size);
    await settleLayout(page);
  }
  for (const violation of seen) problems.push(`accessibility on ${name}: ${violation}`);
}

/** Waits for the page to lay itself out anew after a resize (two animation frames). */
async function settleLayout(page: Page): Promise<void> {
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
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
