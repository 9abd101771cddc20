// An attachment is served from the app's own origin: under the app's
// `script-src 'self'`, one the sender labelled as JavaScript must still never
// run, even if some HTML injection put a <script src> to it in the page.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliver, mailServers, waitFor } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';

const servers = mailServers();
const USER = { email: 'csp@example.test', password: 'csp-password' };

function withScriptAttachment(to: string): string {
  return [
    'From: Mallory <mallory@evil.example>',
    `To: ${to}`,
    'Subject: Invoice attached',
    'Date: Mon, 1 Jun 2026 10:00:00 +0000',
    'Message-ID: <csp-1@evil.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'See attached.',
    '--b',
    'Content-Type: text/javascript',
    'Content-Disposition: attachment; filename="invoice.js"',
    '',
    'window.attachmentRan = true;',
    '--b--',
    '',
  ].join('\r\n');
}

describe('attachments under the app’s Content-Security-Policy, in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-web-csp-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('never runs a JavaScript attachment as a script of the app', async () => {
    const { page } = browser;
    const mail = await createMailUser(servers, 'csp');
    await deliver(servers, mail.username, withScriptAttachment(mail.address));
    const created = await signInAndConnect(page, serve.url, USER, { servers, mail, folders: ['INBOX'] });
    expect(created.status()).toBe(201);
    const attachmentUrl = await waitFor(
      async () => {
        const list = (await (await page.request.get(`${serve.url}/api/v1/messages`)).json()) as {
          items: { id: string }[];
        };
        const id = list.items[0]?.id;
        if (!id) return undefined;
        const detail = (await (await page.request.get(`${serve.url}/api/v1/messages/${id}`)).json()) as {
          attachments: { id: string }[];
        };
        const attachment = detail.attachments[0];
        return attachment ? `/api/v1/attachments/${attachment.id}` : undefined;
      },
      { what: 'the email and its attachment to be synced', timeoutMs: 60_000 },
    );

    // What an HTML injection into the app would do: a script from our own origin, which the CSP allows.
    const outcome = (await page.evaluate(`new Promise((resolve) => {
      const script = document.createElement('script');
      script.src = ${JSON.stringify(attachmentUrl)};
      const settle = (load) => resolve({ load, ran: window.attachmentRan === true });
      script.onload = () => settle('loaded');
      script.onerror = () => settle('refused');
      document.head.append(script);
    })`)) as { load: string; ran: boolean };
    expect(outcome).toEqual({ load: 'refused', ran: false });
    // It is still there to download.
    const download = await page.request.get(`${serve.url}${attachmentUrl}`);
    expect(await download.text()).toBe('window.attachmentRan = true;');
  });
});
