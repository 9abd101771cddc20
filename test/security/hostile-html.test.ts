// The hostile-HTML corpus: emails built to run script or reach the network from the
// reading pane (script tags, event handlers, javascript: URLs, SVG, CSS imports, fonts,
// backgrounds and expressions, meta refresh, base href, forms, frames, objects, srcset,
// media, mutation tricks). Each is appended to Dovecot over IMAP, synced by the real
// `tandem serve`, and opened in Chromium. Every remote reference points at a local
// listener that counts its hits: none may come, and no script may run, until the reader
// asks for remote images — and then only images load.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { openBrowser, signInAndConnect } from '../support/browser.ts';
import type { TestBrowser } from '../support/browser.ts';
import { runTandem, startServe } from '../support/cli.ts';
import { waitFor } from '../support/wait-for.ts';
import { PNG } from './fixture.ts';

const servers = mailServers();
const USER = { email: 'reader@example.test', password: 'a long reader password' };

/** Set by any script that runs, in the frame or the app. */
const PWN = (name: string) => `top.__pwned='${name}';document.title='pwned'`;

/** Each case: its name and the HTML body, where R is the listener's origin. */
const CORPUS: [string, (R: string) => string][] = [
  ['script tag', (R) => `<script>${PWN('script')};fetch('${R}/script-ran')</script>`],
  ['external script', (R) => `<script src="${R}/script.js"></script>`],
  ['img onerror', (R) => `<img src="x" onerror="${PWN('onerror')};new Image().src='${R}/onerror'">`],
  ['body onload', () => `<body onload="${PWN('onload')}"><p>hi</p></body>`],
  ['svg onload', () => `<svg onload="${PWN('svg-onload')}"><circle r="5"/></svg>`],
  ['svg script', () => `<svg><script>${PWN('svg-script')}</script></svg>`],
  ['javascript: link', () => `<a href="javascript:${PWN('js-link')}">open</a>`],
  ['javascript: entity-encoded', () => `<a href="jav&#x61;script&#58;${PWN('js-entity')}">open</a>`],
  ['iframe', (R) => `<iframe src="${R}/iframe"></iframe>`],
  ['iframe srcdoc', () => `<iframe srcdoc="<script>${PWN('srcdoc')}</script>"></iframe>`],
  ['iframe data: URL', () => `<iframe src="data:text/html,<script>${PWN('data-iframe')}</script>"></iframe>`],
  ['object', (R) => `<object data="${R}/object.swf"></object>`],
  ['embed', (R) => `<embed src="${R}/embed.swf">`],
  ['meta refresh', (R) => `<meta http-equiv="refresh" content="0;url=${R}/refresh">`],
  ['base href', (R) => `<base href="${R}/base/"><img src="relative.png"><a href="rel">rel</a>`],
  [
    'form action',
    (R) =>
      `<form action="${R}/form" method="post"><input name="q"><input type="image" src="${R}/input-image.png"></form>`,
  ],
  ['remote image', (R) => `<img alt="tracker" src="${R}/tracker.png" width="1" height="1">`],
  ['srcset', (R) => `<img src="cid:none" srcset="${R}/srcset-1x.png 1x, ${R}/srcset-2x.png 2x">`],
  ['picture source', (R) => `<picture><source srcset="${R}/picture.png"><img alt="p"></picture>`],
  ['table background', (R) => `<table background="${R}/table-bg.png"><tr><td>cell</td></tr></table>`],
  ['body background', (R) => `<body background="${R}/body-bg.png"><p>body</p></body>`],
  ['inline style url', (R) => `<div style="background:url(${R}/style-bg.png)">styled</div>`],
  ['escaped style url', (R) => `<div style="background-image:u\\72l(${R}/escaped-bg.png)">escaped</div>`],
  ['style @import', (R) => `<style>@import url(${R}/import.css);</style>`],
  ['style @font-face', (R) => `<style>@font-face{font-family:x;src:url(${R}/font.woff)}p{font-family:x}</style>`],
  [
    'style list and cursor',
    (R) => `<ul style="list-style-image:url(${R}/bullet.png);cursor:url(${R}/cursor.cur),auto"><li>a</li></ul>`,
  ],
  ['css expression', () => `<div style="width:expression(${PWN('expression')})">expr</div>`],
  ['link stylesheet', (R) => `<link rel="stylesheet" href="${R}/link.css">`],
  ['link prefetch', (R) => `<link rel="prefetch" href="${R}/prefetch"><link rel="dns-prefetch" href="${R}">`],
  ['video poster', (R) => `<video poster="${R}/poster.png" src="${R}/video.mp4" autoplay></video>`],
  ['audio', (R) => `<audio src="${R}/audio.mp3" autoplay></audio>`],
  ['svg image', (R) => `<svg><image href="${R}/svg-image.png" width="5" height="5"/></svg>`],
  ['svg use', (R) => `<svg><use href="${R}/sprite.svg#a"/></svg>`],
  ['math xlink', () => `<math><mtext><a xlink:href="javascript:${PWN('math')}">m</a></mtext></math>`],
  ['noscript mutation', () => `<noscript><p title="</noscript><img src=x onerror=${PWN('mxss')}>"></p></noscript>`],
  ['mouse handler', () => `<div onmouseover="${PWN('hover')}" style="height:200px">hover here</div>`],
  ['ping link', (R) => `<a ping="${R}/ping" href="https://example.com/">link</a>`],
];

function hostileEmail(to: string, n: number, name: string, html: string): string {
  return [
    'From: Mallory <mallory@example.test>',
    `To: ${to}`,
    `Subject: Hostile ${n}: ${name}`,
    `Date: ${new Date(Date.now() - n * 60_000).toUTCString()}`,
    `Message-ID: <hostile-${n}-${Date.now()}@example.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    `<p>case-${n}</p>${html}`,
    '',
  ].join('\r\n');
}

/** Where every remote reference points: counts each request. */
async function startListener() {
  const hits: string[] = [];
  const server = http.createServer((request, response) => {
    hits.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(PNG);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** What the frame holds that could run or load: must all be empty. */
function frameDangers(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const doc = document.querySelector('.mail-body iframe')?.contentDocument;
    if (!doc) return ['no mail frame'];
    const found = [];
    for (const el of doc.body.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      if (['script', 'iframe', 'object', 'embed', 'form', 'base', 'meta', 'link', 'video', 'audio', 'frame'].includes(tag))
        found.push('<' + tag + '>');
      for (const attr of el.attributes) {
        if (attr.name.startsWith('on')) found.push(tag + ' ' + attr.name);
        if (/^\\s*(javascript|data|vbscript):/i.test(attr.value) && attr.name !== 'src') found.push(tag + ' ' + attr.name + '=' + attr.value);
      }
    }
    return found;
  })()`);
}

describe('the hostile-HTML corpus, opened in Chromium', () => {
  let dataDir: string;
  let serve: { url: string; child: ChildProcess };
  let browser: TestBrowser;
  let listener: Awaited<ReturnType<typeof startListener>>;
  let mail: MailUser;
  const dialogs: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-hostile-'));
    await runTandem(['user', 'add', '--email', USER.email, '--password-stdin', '--data', dataDir], {
      stdin: USER.password,
    });
    listener = await startListener();
    mail = await createMailUser(servers, 'hostile');
    const imap = await otherClient(servers, mail);
    try {
      for (const [i, [name, html]] of CORPUS.entries())
        await imap.append('INBOX', hostileEmail(mail.address, i + 1, name, html(listener.origin)));
    } finally {
      await imap.logout();
    }
    serve = await startServe(['--data', dataDir]);
    browser = await openBrowser();
    browser.page.on('dialog', (dialog) => dialogs.push(dialog.message()));
  });

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill('SIGTERM');
    await listener?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(`opens all ${CORPUS.length} without running a script or reaching the network`, async () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
    const { page } = browser;
    const connected = await signInAndConnect(page, serve.url, USER, { servers, mail, folders: ['INBOX'] });
    expect(connected.status()).toBe(201);
    await page.getByRole('button', { name: 'Inbox' }).click();
    const problems: string[] = [];
    for (const [i, [name]] of CORPUS.entries()) {
      const n = i + 1;
      const row = page.locator('.message-row', { hasText: `Hostile ${n}: ${name}` });
      await row.waitFor({ timeout: 60_000 });
      await row.click();
      await expect
        .poll(() =>
          page.evaluate(
            `document.querySelector('.mail-body iframe')?.contentDocument?.body?.textContent?.includes('case-${n}') ?? false`,
          ),
        )
        .toBe(true);
      const frame = page.locator('.mail-body iframe');
      await frame.hover(); // for mouse handlers
      await page.waitForTimeout(200); // let anything that would load or run start
      for (const danger of await frameDangers(page)) problems.push(`${name}: ${danger}`);
    }
    await page.waitForTimeout(500);
    expect(problems).toEqual([]);
    expect(listener.hits).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.title()).toBe('Tandem');
    expect(await page.evaluate('window.__pwned ?? null')).toBeNull();
  }, 240_000);

  it('loads remote images only once the reader asks, and nothing else', async () => {
    const { page } = browser;
    const n = CORPUS.findIndex(([name]) => name === 'remote image') + 1;
    await page.locator('.message-row', { hasText: `Hostile ${n}: remote image` }).click();
    await page.getByText('Remote images are blocked').waitFor();
    expect(listener.hits).toEqual([]);
    await page.getByRole('button', { name: 'Show images' }).click();
    await waitFor(() => listener.hits.includes('/tracker.png'), { what: 'the remote image, once asked for' });
    await page.waitForTimeout(300);
    expect(listener.hits).toEqual(['/tracker.png']);
    expect(await page.title()).toBe('Tandem');
  });
});
