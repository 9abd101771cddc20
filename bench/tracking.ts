// The tracking endpoints under load: `tandem serve` (SQLite) sends one tracked email through the private
// Postfix; its open pixel and click redirects, taken from the copy Dovecot received, are then requested
// with 200 in flight. Reports the latency distribution and the server's RSS and CPU meanwhile.
// Called from bench/run.ts (unless --skip-tracking); alone: `npx tsx bench/tracking.ts` (root, as run.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMailUser, serverCopies, startMailServers } from '../test/support/mail-servers.ts';
import type { MailServersInfo } from '../test/support/mail-servers.ts';
import { freePorts } from '../test/support/process.ts';
import { fmt } from './report.ts';
import type { Row } from './report.ts';
import { Api, createUserWithToken, mailboxBody, startServe, waitMailboxIdle } from './tandem.ts';
import type { MailboxView } from './tandem.ts';
import { Cleanup, distribution, mapLimit, now, pollUntil, procCpuMs, procMemory, round } from './util.ts';
import type { Distribution } from './util.ts';

export const TRACKING_CONCURRENCY = 200;
const REQUESTS = 6000;
/** The bar: a pixel or a redirect answered within this at p95, 200 in flight (docs/performance.md). */
export const TRACKING_P95_BAR_MS = 200;

export interface TrackingResult {
  requests: number;
  concurrency: number;
  opens: Distribution;
  clicks: Distribution;
  all: Distribution;
  requestsPerSec: number;
  /** Answers other than 200 (pixel) and 302 (redirect). */
  unexpected: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  /** The server's CPU time over the load's wall time (1.0 = one core busy). */
  cpuCores: number;
  /** The server's CPU time per request: what the machine's other load does not change much. */
  cpuMsPerRequest: number;
  /** The machine's 1-minute load average when the load began (latency means little on a busy machine). */
  loadAverage: number;
}

/** Sends a tracked email with Tandem and loads its marks; `servers` are the private Dovecot and Postfix. */
export async function benchTracking(
  servers: MailServersInfo,
  workDir: string,
  cleanup: Cleanup,
): Promise<TrackingResult> {
  const dataDir = path.join(workDir, 'tracking-data');
  const [port = 0] = await freePorts(1);
  const publicUrl = `http://127.0.0.1:${port}`;
  const token = await createUserWithToken(dataDir, 'tracker@example.test', 'tracking-bench-password');
  const serve = await startServe(dataDir, path.join(workDir, 'tracking-serve.log'), [], {
    port,
    // Every request comes from one loopback address here: the per-address limit would measure itself.
    env: { TANDEM_PUBLIC_URL: publicUrl, TANDEM_TRACKING_REQUESTS_PER_MINUTE: '1000000' },
  });
  cleanup.add('stop the tracking bench’s tandem serve', () => serve.stop());
  const api = new Api(serve.url, token);
  const sender = await createMailUser(servers, 'tracksender');
  const reader = await createMailUser(servers, 'trackreader');
  const mailbox = await api.call<MailboxView>('POST', '/api/v1/mailboxes', mailboxBody(sender, servers, ['INBOX']));
  await waitMailboxIdle(api, mailbox.id);
  const links = Array.from({ length: 5 }, (_, i) => `<a href="https://example.com/page/${i}">link ${i}</a>`);
  await api.call('POST', '/api/v1/messages/send', {
    mailboxId: mailbox.id,
    to: [reader.address],
    subject: 'Tracked',
    html: `<p>Hello</p><p>${links.join(' ')}</p>`,
    track: true,
  });
  const received = await pollUntil(async () => (await serverCopies(servers, reader, 'INBOX'))[0]?.source.toString(), {
    intervalMs: 200,
    timeoutMs: 60_000,
    what: 'the tracked email to arrive',
  });
  const unfolded = received.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const marks = [...new Set([...unfolded.matchAll(/\/t\/[oc]\/[A-Za-z0-9_-]+(?:\.gif)?/g)].map((m) => m[0]))];
  const pixel = marks.find((m) => m.startsWith('/t/o/'));
  const redirects = marks.filter((m) => m.startsWith('/t/c/'));
  if (!pixel || redirects.length === 0) throw new Error('the tracked email carries no marks');

  const urls = Array.from({ length: REQUESTS }, (_, i) =>
    i % 2 === 0 ? pixel : (redirects[i % redirects.length] as string),
  );
  const rssBefore = (await procMemory(serve.pid))?.rssMb ?? Number.NaN;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    void procMemory(serve.pid).then((m) => m && (rssPeak = Math.max(rssPeak, m.rssMb)));
  }, 100);
  const cpuBefore = (await procCpuMs(serve.pid)) ?? Number.NaN;
  const loadAverage = os.loadavg()[0] ?? Number.NaN;
  const started = now();
  let unexpected = 0;
  const timings = await mapLimit(urls, TRACKING_CONCURRENCY, async (url) => {
    const t0 = now();
    const response = await fetch(`${serve.url}${url}`, { redirect: 'manual' });
    await response.arrayBuffer();
    if (response.status !== (url.startsWith('/t/o/') ? 200 : 302)) unexpected += 1;
    return { open: url.startsWith('/t/o/'), ms: now() - t0 };
  });
  const wallMs = now() - started;
  const cpuMs = ((await procCpuMs(serve.pid)) ?? Number.NaN) - cpuBefore;
  clearInterval(sampler);
  return {
    requests: REQUESTS,
    concurrency: TRACKING_CONCURRENCY,
    opens: distribution(timings.filter((t) => t.open).map((t) => t.ms)),
    clicks: distribution(timings.filter((t) => !t.open).map((t) => t.ms)),
    all: distribution(timings.map((t) => t.ms)),
    requestsPerSec: round(REQUESTS / (wallMs / 1000)),
    unexpected,
    rssBeforeMb: round(rssBefore, 1),
    rssPeakMb: round(rssPeak, 1),
    cpuCores: round(cpuMs / wallMs, 2),
    cpuMsPerRequest: round(cpuMs / REQUESTS, 2),
    loadAverage: round(loadAverage, 1),
  };
}

export function trackingRows(t: TrackingResult): Row[] {
  const pair = (d: Distribution) => `${fmt(d.p50Ms, 1, ' ms')} / ${fmt(d.p95Ms, 1, ' ms')}`;
  return [
    {
      what: `tracking pixel p50 / p95 (${t.concurrency} in flight)`,
      tandem: pair(t.opens),
      bar: `p95 < ${TRACKING_P95_BAR_MS} ms`,
      met: t.opens.p95Ms < TRACKING_P95_BAR_MS && t.unexpected === 0,
    },
    {
      what: `tracking redirect p50 / p95 (${t.concurrency} in flight)`,
      tandem: pair(t.clicks),
      bar: `p95 < ${TRACKING_P95_BAR_MS} ms`,
      met: t.clicks.p95Ms < TRACKING_P95_BAR_MS && t.unexpected === 0,
    },
    {
      what: 'tracking: requests/s, server CPU (cores; ms per request), RSS before → peak, load average',
      tandem: `${fmt(t.requestsPerSec)} /s, ${fmt(t.cpuCores, 2)} (${fmt(t.cpuMsPerRequest, 2, ' ms')}), ${fmt(t.rssBeforeMb)} → ${fmt(t.rssPeakMb, 0, ' MB')}, ${fmt(t.loadAverage, 1)}`,
    },
  ];
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root: it starts a private Dovecot and Postfix');
  const cleanup = new Cleanup();
  try {
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-bench-tracking-'));
    cleanup.add('remove the temp folder', () => rm(workDir, { recursive: true, force: true }));
    const servers = await startMailServers();
    cleanup.add('stop the mail servers', () => servers.stop());
    const result = await benchTracking(servers, workDir, cleanup);
    for (const row of trackingRows(result))
      console.log(`${row.what}: ${row.tandem}${row.bar ? ` (bar ${row.bar}: ${row.met ? 'met' : 'NOT met'})` : ''}`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await cleanup.run();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
