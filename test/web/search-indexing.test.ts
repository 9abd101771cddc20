// A search made while the first sync's bodies are still being read says how far
// indexing has got, in Chromium against Dovecot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/users/index.ts';
import { parseMessage } from '../../src/mail/mime/index.ts';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { rawMessage } from '../support/sync.ts';
import { openTestContext } from '../support/stores.ts';
import { buildApp, WEB_APP_DIR } from '../../src/api/index.ts';
import { newEngine } from '../../src/cli/serve.ts';

const servers = mailServers();
const USER = { email: 'indexing@example.test', password: 'indexing-password' };
const poll = { timeout: 30_000, interval: 200 };

describe('search while bodies are indexed, in Chromium', () => {
  let api: { url: string; close(): Promise<void> };
  let browser: TestBrowser;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));

  beforeAll(async () => {
    // The indexer is held until the test lets it go; opening a message still indexes it on demand.
    const context = await openTestContext('sqlite');
    const engine = newEngine(context, undefined, async (raw) => {
      await held;
      return parseMessage(raw);
    });
    const app = await buildApp(context, { sync: engine, webApp: WEB_APP_DIR });
    await engine.start();
    api = {
      url: await app.listen({ host: '127.0.0.1', port: 0 }),
      close: async () => {
        await app.close();
        await engine.stop();
        await context.dispose();
      },
    };
    await createUser(context.store.db, USER);
    browser = await openBrowser();
  });
  afterAll(async () => {
    release();
    await browser?.close();
    await api?.close();
  });

  it('shows "Indexing: n%" beside the results until every body is read', async () => {
    const mail = await createMailUser(servers, 'indexing');
    const imap = await otherClient(servers, mail);
    const start = Date.now() - 3600_000;
    for (let i = 0; i < 8; i += 1) {
      const date = new Date(start + i * 60_000);
      await imap.append('INBOX', rawMessage(`Harvest report ${i}`, { date, body: `Pumpkins counted: ${i}` }), [], date);
    }
    await imap.logout();
    const { page } = browser;
    const created = await signInAndConnect(page, api.url, USER, { servers, mail, folders: ['INBOX'] });
    expect(created.status()).toBe(201);
    // Listed by the header pass: the subjects show, the bodies are not read yet.
    await page.getByText('Harvest report 7').first().waitFor({ timeout: 30_000 });
    await page.getByLabel('Search emails').fill('pumpkins');
    await page.getByLabel('Search emails').press('Enter');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Indexing:' }).textContent(), poll)
      .toContain('Indexing: 0%');
    await browser.screenshot('search-indexing');

    release();
    await expect.poll(() => page.getByText('Harvest report 3').count(), poll).toBeGreaterThan(0);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Indexing:' }).count(), poll).toBe(0);
    expect(browser.problems).toEqual([]);
  }, 120_000);
});
