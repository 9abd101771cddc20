// A record's touchpoints in the web app, in Chromium against real Dovecot + Postfix:
// an email sent to a contact, an open (a tracking_events row, as the open endpoint
// records it), the contact's reply delivered by Postfix → the contact's page shows
// the email with its engagement, the counts and the weekly chart, live; compose
// warns of an address whose mail bounced.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onTrackingEvents } from '../../src/crm/index.ts';
import { openStore } from '../../src/db/index.ts';
import { createMailUser, mailServers, sendViaPostfix } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { rawMessage } from '../support/sync.ts';

const servers = mailServers();
const USER = { email: 'seller@example.test', password: 'seller-password' };
const poll = { timeout: 60_000, interval: 250 };

describe('touchpoints on a record page, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let mail: MailUser;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-touch-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    mail = await createMailUser(servers, 'seller');
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser({ height: 1100 });
    const created = await signInAndConnect(browser.page, serve.url, USER, {
      servers,
      mail,
      folders: ['INBOX', 'Sent', 'Drafts', 'Trash'],
    });
    expect(created.status()).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const api = async (method: 'GET' | 'POST', url: string, data?: object) => {
    const r = await browser.page.request.fetch(`${serve.url}/api/v1${url}`, {
      method,
      headers: { 'x-tandem-csrf': '1' },
      ...(data ? { data } : {}),
    });
    return (await r.json()) as Record<string, unknown>;
  };

  it('shows every email in and out with its engagement, the counts and the weekly chart, live', async () => {
    const { page, problems } = browser;
    const bob = await createMailUser(servers, 'bob');
    const contact = await api('POST', '/contacts', { firstName: 'Bob', lastName: 'Buyer', emails: [bob.address] });
    const mailboxes = (await api('GET', '/mailboxes')).items as { id: string }[];
    const sent = (await api('POST', '/messages/send', {
      mailboxId: mailboxes[0]?.id,
      to: [bob.address],
      subject: 'Our offer',
      text: 'Here it is.',
    })) as { id: string; messageId: string };

    await page.goto(`${serve.url}/records/contacts/${String(contact.id)}`);
    const touchpoints = page.getByRole('region', { name: 'Touchpoints' });
    await expect.poll(() => touchpoints.textContent(), poll).toContain('1 out · 0 in');
    await touchpoints
      .getByRole('listitem')
      .filter({ hasText: 'Our offer' })
      .getByText('sent', { exact: true })
      .waitFor();

    // Bob opens it (as the open endpoint records it, in its own transaction).
    const store = openStore({ dataDir });
    try {
      await store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('tracking_events')
          .values({
            send_id: sent.id,
            recipient: bob.address,
            kind: 'open',
            link_index: null,
            classification: 'human',
            reason: null,
            ip_prefix: null,
            user_agent: null,
            at: Date.now(),
          })
          .execute();
        await onTrackingEvents(trx, [sent.id]);
      });
    } finally {
      await store.close();
    }
    // …then replies: the page follows without a reload.
    await sendViaPostfix(servers, {
      from: bob.address,
      to: mail.address,
      raw: rawMessage('Re: Our offer', { from: `Bob <${bob.address}>`, to: mail.address, inReplyTo: sent.messageId }),
    });
    await expect.poll(() => touchpoints.textContent(), poll).toContain('1 out · 1 in · 1 open · 0 clicks · 1 reply');
    const offer = touchpoints.locator('.touchpoint.out').filter({ hasText: 'Our offer' });
    await expect.poll(() => offer.textContent(), poll).toContain('opened 1× · replied');
    expect(await touchpoints.getByRole('listitem').first().textContent()).toContain('Re: Our offer'); // newest first
    expect(await touchpoints.getByRole('listitem').first().textContent()).toContain('reply');
    expect(await touchpoints.textContent()).not.toContain('Last replied: never');
    const chart = page.getByRole('figure', { name: 'Activity per week, last 12 weeks' });
    const box = await chart.locator('canvas').boundingBox();
    expect(box?.height).toBeGreaterThan(100);
    await touchpoints.scrollIntoViewIfNeeded();
    await browser.screenshot('30-record-touchpoints');
    expect(problems).toEqual([]);
  }, 180_000);

  it('warns in compose when a recipient’s mail bounced', async () => {
    const { page, problems } = browser;
    const ghost = `ghost-${Date.now()}@example.test`;
    const mailboxes = (await api('GET', '/mailboxes')).items as { id: string }[];
    await api('POST', '/messages/send', {
      mailboxId: mailboxes[0]?.id,
      to: [ghost],
      subject: 'Anyone there?',
      text: '?',
    });
    await expect
      .poll(async () => ((await api('GET', `/bounces?addresses=${ghost}`)).items as unknown[]).length, poll)
      .toBe(1);
    await page.goto(`${serve.url}/mail/INBOX`);
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByLabel('To', { exact: true }).fill(ghost);
    const warning = page.getByText(`Mail to ${ghost} bounced`);
    await warning.waitFor({ timeout: 30_000 });
    expect(await warning.textContent()).toContain("User doesn't exist");
    await browser.screenshot('31-compose-bouncing-warning');
    expect(problems).toEqual([]);
  }, 180_000);
});
