// `npm run bench`: first sync, propagation, API latency, idle cost and a group mailbox of Tandem,
// beside mbsync and the raw-fetch limit, on one generated mailbox, in one run.
// What is measured and the bar: shared/docs/performance.md; results: docs/performance.md.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import { createMailUser, otherClient, startMailServers } from '../test/support/mail-servers.ts';
import type { MailServers, MailUser } from '../test/support/mail-servers.ts';
import { run } from '../test/support/process.ts';
import { DRAFTS, homeOf, Random, SEARCH_TERMS, smallMessage, writeMaildir } from './mailbox.ts';
import { manyIdleMailboxes } from './many-mailboxes.ts';
import type { ManyMailboxes } from './many-mailboxes.ts';
import type { GeneratedMailbox, MailboxPlan } from './mailbox.ts';
import { groupMailboxBench, groupMailboxRows } from './group-mailbox.ts';
import type { GroupMailboxResult } from './group-mailbox.ts';
import { ensureMbsync, runMbsync } from './mbsync.ts';
import type { MbsyncResult } from './mbsync.ts';
import { formatProfile, summarizeProfile } from './profile.ts';
import type { ProfileSummary } from './profile.ts';
import type { RawFetchInput, RawFetchResult } from './raw-fetch.ts';
import { fmt, ratio, table } from './report.ts';
import type { Row } from './report.ts';
import { Api, createUserWithToken, listPath, mailboxBody, startServe, waitMailboxIdle } from './tandem.ts';
import { benchTracking, TRACKING_CONCURRENCY, trackingRows } from './tracking.ts';
import type { TrackingResult } from './tracking.ts';
import type { MailboxView, MessagePage, MessageSummary, Serve } from './tandem.ts';
import {
  Cleanup,
  distribution,
  now,
  pollUntil,
  procCpuMs,
  procMemory,
  quietCost,
  round,
  SETTLE_MS,
  sleep,
} from './util.ts';
import type { Distribution } from './util.ts';
import { workflowRows, workflowsBench } from './workflows.ts';
import type { WorkflowsResult } from './workflows.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_DIR = path.dirname(BENCH_DIR);
const RESULTS_DIR = path.join(BENCH_DIR, 'results');

// ---------------------------------------------------------------- options

interface Options {
  messages: number;
  folders: number;
  seed: number;
  skipMbsync: boolean;
  skipGroup: boolean;
  changes: number;
  idleMailboxes: number;
  profile: boolean;
  /** Flags for node running the first sync's `tandem serve`, e.g. --max-semi-space-size=4. */
  nodeArgs: string[];
  keep: boolean;
  skipWorkflows: boolean;
  skipTracking: boolean;
}

const HELP = `Usage: npm run bench -- [options]

Generates a deterministic mailbox on a private Dovecot and measures, in one run:
the raw-fetch limit, mbsync, Tandem's first sync (\`tandem serve\` as a child
process), propagation both ways, API latency and the cost of idle mailboxes.
Prints one table and writes bench/results/latest.json. Needs root (the private
Dovecot and Postfix of test/support).

Options:
  --messages N        messages in the generated mailbox (default 20000)
  --folders K         folders that carry the mail, INBOX first (default 3);
                      Drafts is always added with a few drafts
  --seed S            seed of the generated mailbox (default 1)
  --quick             smoke run: --messages 2000
  --skip-mbsync       do not run mbsync
  --skip-group        do not measure the group mailbox (2,000 conversations; bench/group-mailbox.ts)
  --changes C         changes per propagation measurement (default 50, min 50 for the report)
  --idle-mailboxes M  small idle mailboxes on one tandem serve (default 1000; 0 skips)
  --profile           run tandem serve under node --cpu-prof and summarize where its time went
  --skip-workflows    do not measure workflows (1,000 records → Send Email, bench/workflows.ts)
  --skip-tracking     do not measure the tracking endpoints (bench/tracking.ts)
  --node-arg A        a flag for node running the first sync's tandem serve (repeatable),
                      e.g. --node-arg=--max-semi-space-size=4 or --node-arg=--trace-gc
  --keep              keep the temp folder (mail, Maildirs, Tandem data) and print its path
  --help              this text
`;

function parseOptions(argv: string[]): Options {
  const options: Options = {
    messages: 20_000,
    folders: 3,
    seed: 1,
    skipMbsync: false,
    skipGroup: false,
    changes: 50,
    idleMailboxes: 1000,
    profile: false,
    nodeArgs: [],
    keep: false,
    skipWorkflows: false,
    skipTracking: false,
  };
  const numberAfter = (i: number, name: string, min: number): number => {
    const value = Number(argv[i + 1]);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} needs an integer ≥ ${min}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg?.startsWith('--node-arg=')) {
      options.nodeArgs.push(arg.slice('--node-arg='.length));
      continue;
    }
    switch (arg) {
      case '--help':
      case '-h':
        console.log(HELP);
        process.exit(0);
        break;
      case '--messages':
        options.messages = numberAfter(i++, arg, 100);
        break;
      case '--folders':
        options.folders = numberAfter(i++, arg, 1);
        break;
      case '--seed':
        options.seed = numberAfter(i++, arg, 0);
        break;
      case '--changes':
        options.changes = numberAfter(i++, arg, 1);
        break;
      case '--idle-mailboxes':
        options.idleMailboxes = numberAfter(i++, arg, 0);
        break;
      case '--quick':
        options.messages = 2000;
        break;
      case '--skip-mbsync':
        options.skipMbsync = true;
        break;
      case '--skip-group':
        options.skipGroup = true;
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--node-arg':
        options.nodeArgs.push(argv[++i] ?? '');
        break;
      case '--keep':
        options.keep = true;
        break;
      case '--skip-workflows':
        options.skipWorkflows = true;
        break;
      case '--skip-tracking':
        options.skipTracking = true;
        break;
      default:
        throw new Error(`unknown option ${arg ?? ''} (see --help)`);
    }
  }
  return options;
}

// ---------------------------------------------------------------- results

interface FirstSync {
  /** Until every message is indexed (bodies, full text): the whole first sync. */
  tandemMsgPerSec: number;
  tandemWallMs: number;
  /** Until every message is listed (the header pass): visible, linked, countable. */
  tandemListedMsgPerSec: number;
  tandemListedWallMs: number;
  /** Until every body is indexed (the same figure as tandemMsgPerSec, under its own name). */
  tandemIndexedMsgPerSec: number;
  tandemPeakRssMb: number;
  tandemRssAtStartMb: number;
  tandemCpuMs: number;
  /** From the POST until GET /messages?folder=INBOX&limit=50 shows the 50 newest. */
  newest50Ms: number;
  /** The same, from the POST's answer (the mailbox exists). */
  newest50AfterCreatedMs: number;
  createMs: number;
  tandemMessages: number;
  mbsyncMsgPerSec: number | null;
  mbsyncWallMs: number | null;
  mbsyncPeakRssMb: number | null;
  mbsyncMessages: number | null;
  mbsyncVersion: string | null;
  mbsyncNote: string | null;
  rawMsgPerSec: number;
  rawWallMs: number;
  rawPeakRssMb: number;
  rawCpuMs: number;
  rawMessages: number;
  parseMsgPerSec: number;
  parseWallMs: number;
  parsePeakRssMb: number;
  /** Raw fetch + mailparser's simpleParser alone, one thread. */
  mailparserMsgPerSec: number;
  mailparserPeakRssMb: number;
  /** RSS of tandem serve during the sync: [seconds since the POST, messages done, RSS MB]. */
  rssTimeline: [number, number, number][];
}

interface Propagation {
  inboxToTandemP50Ms: number;
  inboxToTandemP95Ms: number;
  inboxFlagToTandemP50Ms: number;
  inboxFlagToTandemP95Ms: number;
  tandemToServerP50Ms: number;
  tandemToServerP95Ms: number;
  draftsToTandemP50Ms: number;
  draftsToTandemP95Ms: number;
  /** Dovecot → an IDLEing client, without Tandem (the floor of the INBOX rows). */
  idleFloorNewP95Ms?: number;
  idleFloorFlagP95Ms?: number;
  details: Record<string, Distribution>;
}

interface ApiLatency {
  listP50Ms: number;
  listP95Ms: number;
  listDeepP50Ms: number;
  listDeepP95Ms: number;
  openP50Ms: number;
  openP95Ms: number;
  searchP50Ms: number;
  searchP95Ms: number;
  details: Record<string, Distribution & { hits?: number; expected?: number }>;
}

interface IdleCost {
  oneMailbox: { rssMb: number; cpuMsPer10s: number } | null;
  many: ManyMailboxes | null;
}

// ---------------------------------------------------------------- helpers

function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function mailUid(): Promise<{ uid: number; gid: number }> {
  // The harness runs Dovecot's mail processes as nobody (test/support/mail-servers.ts).
  return {
    uid: Number.parseInt((await run('id', ['-u', 'nobody'])).trim(), 10),
    gid: Number.parseInt((await run('id', ['-g', 'nobody'])).trim(), 10),
  };
}

/** Runs bench/raw-fetch.ts in its own node process (so its peak RSS is its own). */
function rawFetch(input: RawFetchInput): Promise<RawFetchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(BENCH_DIR, 'raw-fetch.ts'), JSON.stringify(input)],
      { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`raw fetch exited ${code}: ${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as RawFetchResult);
      } catch {
        reject(new Error(`raw fetch printed no result: ${stdout} ${stderr}`));
      }
    });
  });
}

/**
 * First login: Dovecot indexes the Maildirs (untimed, so no tool pays for it),
 * checks the counts, and tells whether UIDs follow the dates as in a real mailbox.
 */
async function warmUp(
  servers: MailServers,
  user: MailUser,
  generated: GeneratedMailbox,
): Promise<{ uidOrderInversions: number }> {
  const client = await otherClient(servers, user);
  let inversions = 0;
  try {
    for (const folder of generated.folders) {
      const box = await client.mailboxOpen(folder, { readOnly: true });
      const expected = generated.perFolder[folder] ?? 0;
      if (box.exists !== expected)
        throw new Error(`${folder}: the server has ${box.exists} messages, ${expected} were written`);
      if (box.exists === 0) continue;
      const rows: { uid: number; date: number }[] = [];
      for await (const m of client.fetch('1:*', { uid: true, internalDate: true, size: true, flags: true })) {
        rows.push({ uid: m.uid, date: m.internalDate ? new Date(m.internalDate).getTime() : 0 });
      }
      rows.sort((a, b) => a.uid - b.uid);
      for (let i = 1; i < rows.length; i++) if ((rows[i]?.date ?? 0) < (rows[i - 1]?.date ?? 0)) inversions += 1;
    }
  } finally {
    await client.logout();
  }
  return { uidOrderInversions: inversions };
}

// ---------------------------------------------------------------- measurements

async function tandemFirstSync(
  api: Api,
  serve: Serve,
  servers: MailServers,
  user: MailUser,
  generated: GeneratedMailbox,
): Promise<{
  mailboxId: string;
  result: Pick<
    FirstSync,
    | 'tandemMsgPerSec'
    | 'tandemWallMs'
    | 'tandemListedMsgPerSec'
    | 'tandemListedWallMs'
    | 'tandemIndexedMsgPerSec'
    | 'tandemPeakRssMb'
    | 'tandemRssAtStartMb'
    | 'tandemCpuMs'
    | 'newest50Ms'
    | 'newest50AfterCreatedMs'
    | 'createMs'
    | 'tandemMessages'
    | 'rssTimeline'
  >;
}> {
  const inbox = generated.messages
    .filter((m) => m.folder === 'INBOX')
    .sort((a, b) => b.date.getTime() - a.date.getTime());
  const newest = new Set(inbox.slice(0, 50).map((m) => m.messageId));
  const expectedNewest = Math.min(50, inbox.length);
  const startMemory = await procMemory(serve.pid);
  const cpuBefore = (await procCpuMs(serve.pid)) ?? 0;
  let done = false;
  let newest50Ms = Number.NaN;
  let createdAt = Number.NaN;
  let progressDone = 0;
  const timeline: [number, number, number][] = [];
  let peak = startMemory?.hwmMb ?? 0;
  const started = now();

  // Newest 50 of INBOX: polled from the moment the mailbox is added (the user sees an empty list until then).
  const newestPoll = (async () => {
    while (!done && Number.isNaN(newest50Ms)) {
      try {
        const page = await api.call<MessagePage>('GET', `/api/v1/messages?folder=INBOX&limit=50`);
        const ids = page.items.map((i) => i.messageId ?? '');
        // Visible with their snippets: listed by the header pass and their bodies read by the indexer.
        const shown = ids.every((id) => newest.has(id)) && page.items.every((i) => i.snippet !== '');
        if (ids.length === expectedNewest && shown) newest50Ms = now() - started;
      } catch {
        // the store may be busy: try again
      }
      await sleep(25);
    }
  })();
  const memoryPoll = (async () => {
    while (!done) {
      const memory = await procMemory(serve.pid);
      if (memory) {
        peak = Math.max(peak, memory.hwmMb);
        const last = timeline.at(-1);
        if (!last || now() - started - last[0] * 1000 >= 1000)
          timeline.push([round((now() - started) / 1000, 1), progressDone, round(memory.rssMb, 1)]);
      }
      await sleep(100);
    }
  })();

  try {
    const created = await api.timed<MailboxView>(
      'POST',
      '/api/v1/mailboxes',
      mailboxBody(user, servers, generated.folders),
    );
    createdAt = now();
    const mailboxId = created.value.id;
    let lastLog = now();
    const view = await pollUntil(
      async () => {
        const v = await api.call<MailboxView>('GET', `/api/v1/mailboxes/${mailboxId}`);
        progressDone = v.progress.done;
        if (v.state === 'error') throw new Error(`mailbox error: ${v.error ?? ''}`);
        if (now() - lastLog > 10_000) {
          lastLog = now();
          log(
            `  … ${v.progress.done}/${v.progress.total} (${Math.round(v.progress.done / ((now() - started) / 1000))} msg/s)`,
          );
        }
        return v.state === 'idle' &&
          v.folders.every((f) => !f.enabled || f.firstSyncDone) &&
          v.progress.done === v.progress.total
          ? v
          : undefined;
      },
      { intervalMs: 100, timeoutMs: 60 * 60_000, what: 'the first sync to finish' },
    );
    const listedWallMs = now() - started;
    log(`  listed after ${(listedWallMs / 1000).toFixed(1)} s; indexing the bodies…`);
    const indexingPath = `/api/v1/messages?mailboxId=${mailboxId}&q=${SEARCH_TERMS.needle.word}&limit=1`;
    await pollUntil(async () => ((await api.call<MessagePage>('GET', indexingPath)).indexing ? undefined : true), {
      intervalMs: 100,
      timeoutMs: 60 * 60_000,
      what: 'every body to be indexed',
    });
    const wallMs = now() - started;
    const cpuAfter = (await procCpuMs(serve.pid)) ?? 0;
    const endMemory = await procMemory(serve.pid);
    peak = Math.max(peak, endMemory?.hwmMb ?? 0);
    // Finished before the poll saw the newest 50 (a tiny mailbox, or they never show): look a little longer.
    const giveUp = now() + 10_000;
    while (Number.isNaN(newest50Ms) && now() < giveUp) await sleep(50);
    if (Number.isNaN(newest50Ms)) log('  warning: the newest 50 of INBOX never showed as expected');
    done = true;
    await Promise.all([newestPoll, memoryPoll]);
    if (view.progress.done !== generated.messages.length) {
      log(`  warning: Tandem holds ${view.progress.done} messages, ${generated.messages.length} were generated`);
    }
    return {
      mailboxId,
      result: {
        tandemMsgPerSec: view.progress.done / (wallMs / 1000),
        tandemWallMs: wallMs,
        tandemListedMsgPerSec: view.progress.done / (listedWallMs / 1000),
        tandemListedWallMs: listedWallMs,
        tandemIndexedMsgPerSec: view.progress.done / (wallMs / 1000),
        tandemPeakRssMb: peak,
        tandemRssAtStartMb: startMemory?.rssMb ?? Number.NaN,
        tandemCpuMs: cpuAfter - cpuBefore,
        newest50Ms,
        newest50AfterCreatedMs: newest50Ms - (createdAt - started),
        createMs: created.ms,
        tandemMessages: view.progress.done,
        rssTimeline: timeline,
      },
    };
  } finally {
    done = true;
    await Promise.allSettled([newestPoll, memoryPoll]);
  }
}

async function apiLatency(
  api: Api,
  mailboxId: string,
  seed: number,
  termCounts: GeneratedMailbox['termCounts'],
): Promise<ApiLatency> {
  const random = new Random(seed + 7);
  const first = listPath(mailboxId, 'INBOX', 50);
  for (let i = 0; i < 10; i++) await api.call('GET', first); // warm-up
  const list: number[] = [];
  for (let i = 0; i < 100; i++) list.push((await api.timed('GET', first)).ms);

  // Deeper pages, walking the cursor; collects ids to open.
  const deep: number[] = [];
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const path: string = listPath(mailboxId, 'INBOX', 50, cursor ? { cursor } : {});
    const { value, ms }: { value: MessagePage; ms: number } = await api.timed<MessagePage>('GET', path);
    deep.push(ms);
    ids.push(...value.items.map((i) => i.id));
    cursor = value.nextCursor;
    if (!cursor) break;
  }
  const open: number[] = [];
  for (let i = 0; i < 200 && ids.length > 0; i++)
    open.push((await api.timed('GET', `/api/v1/messages/${random.pick(ids)}`)).ms);

  const details: ApiLatency['details'] = {};
  const allSearch: number[] = [];
  const queries: [string, string, number | undefined][] = [
    ['search needle (~10 messages)', SEARCH_TERMS.needle.word, termCounts.needle],
    ['search rare word (0.3%)', SEARCH_TERMS.rare.word, termCounts.rare],
    ['search medium word (5%)', SEARCH_TERMS.medium.word, termCounts.medium],
    ['search common word (40%)', SEARCH_TERMS.common.word, termCounts.common],
    ['search two words', `${SEARCH_TERMS.common.word} ${SEARCH_TERMS.medium.word}`, undefined],
    ['search subject prefix', 'propos', undefined],
  ];
  for (const [name, q, expected] of queries) {
    const path = `/api/v1/messages?${new URLSearchParams({ mailboxId, q, limit: '50' }).toString()}`;
    const hits = (await api.call<MessagePage>('GET', path)).items.length;
    const samples: number[] = [];
    for (let i = 0; i < 40; i++) samples.push((await api.timed('GET', path)).ms);
    allSearch.push(...samples);
    details[name] = {
      ...distribution(samples),
      hits,
      ...(expected !== undefined ? { expected: Math.min(50, expected) } : {}),
    };
  }
  const listD = distribution(list);
  const deepD = distribution(deep);
  const openD = distribution(open);
  const searchD = distribution(allSearch);
  details['list first page'] = listD;
  details['list deep pages'] = deepD;
  details['open a message'] = openD;
  details['search (all queries)'] = searchD;
  return {
    listP50Ms: listD.p50Ms,
    listP95Ms: listD.p95Ms,
    listDeepP50Ms: deepD.p50Ms,
    listDeepP95Ms: deepD.p95Ms,
    openP50Ms: openD.p50Ms,
    openP95Ms: openD.p95Ms,
    searchP50Ms: searchD.p50Ms,
    searchP95Ms: searchD.p95Ms,
    details,
  };
}

const CHANGE_TIMEOUT_MS = 30_000;

/** Times `count` changes: `make` starts one (returns a probe that is true once it shows), waiting `gap` ms before each. */
async function timeChanges(
  count: number,
  gap: () => number,
  make: (i: number) => Promise<() => Promise<boolean>>,
  intervalMs: number,
): Promise<Distribution> {
  const samples: number[] = [];
  let timeouts = 0;
  for (let i = 0; i < count; i++) {
    await sleep(gap());
    const started = now();
    const probe = await make(i);
    for (;;) {
      if (await probe()) {
        samples.push(now() - started);
        break;
      }
      if (now() - started > CHANGE_TIMEOUT_MS) {
        samples.push(CHANGE_TIMEOUT_MS);
        timeouts += 1;
        break;
      }
      await sleep(intervalMs);
    }
  }
  return distribution(samples, timeouts);
}

async function propagation(
  api: Api,
  mailboxId: string,
  other: ImapFlow,
  count: number,
  seed: number,
): Promise<Propagation> {
  const random = new Random(seed + 11);
  const tag = randomBytes(3).toString('hex');
  const shortGap = () => random.int(50, 300);
  const seen = async (folder: string, messageId: string) => {
    const page = await api.call<MessagePage>('GET', listPath(mailboxId, folder, 10));
    return page.items.some((i) => i.messageId === messageId);
  };

  log(`  (a) new message in INBOX from another client → Tandem, ${count}×`);
  const inboxNew = await timeChanges(
    count,
    shortGap,
    async (i) => {
      const messageId = `prop-inbox-${tag}-${i}@bench.test`;
      await other.append('INBOX', smallMessage(`Propagation INBOX ${i}`, messageId), []);
      return () => seen('INBOX', messageId);
    },
    20,
  );

  await other.mailboxOpen('INBOX');
  const targets = (await api.call<MessagePage>('GET', listPath(mailboxId, 'INBOX', 50))).items.filter((m) => m.uid > 0);
  if (targets.length === 0) throw new Error('no INBOX messages to change');
  const state = new Map<string, MessageSummary>(targets.map((t) => [t.id, { ...t }]));

  log(`  (b) flag changed in INBOX by another client → Tandem, ${count}×`);
  const inboxFlag = await timeChanges(
    count,
    shortGap,
    async (i) => {
      const target = state.get(targets[i % targets.length]?.id ?? '') as MessageSummary;
      const flagged = !target.flagged;
      target.flagged = flagged;
      if (flagged) await other.messageFlagsAdd(String(target.uid), ['\\Flagged'], { uid: true });
      else await other.messageFlagsRemove(String(target.uid), ['\\Flagged'], { uid: true });
      return async () => (await api.call<MessageSummary>('GET', `/api/v1/messages/${target.id}`)).flagged === flagged;
    },
    20,
  );

  log(`  (c) change through Tandem's API → on the server, ${count}×`);
  const toServer = await timeChanges(
    count,
    shortGap,
    async (i) => {
      const target = state.get(targets[(i + 7) % targets.length]?.id ?? '') as MessageSummary;
      const seenNow = !target.seen;
      target.seen = seenNow;
      await api.call('PATCH', `/api/v1/messages/${target.id}`, { seen: seenNow });
      return async () => {
        const message = await other.fetchOne(String(target.uid), { uid: true, flags: true }, { uid: true });
        return message !== false && (message.flags?.has('\\Seen') ?? false) === seenNow;
      };
    },
    10,
  );

  log(
    `  (d) new message in ${DRAFTS} from another client → Tandem, ${count}× (random 0–2 s gaps: the phase of a STATUS poll, on servers without NOTIFY)`,
  );
  const draftsNew = await timeChanges(
    count,
    () => random.int(0, 2000),
    async (i) => {
      const messageId = `prop-drafts-${tag}-${i}@bench.test`;
      await other.append(DRAFTS, smallMessage(`Propagation draft ${i}`, messageId), ['\\Draft', '\\Seen']);
      return () => seen(DRAFTS, messageId);
    },
    20,
  );

  return {
    inboxToTandemP50Ms: inboxNew.p50Ms,
    inboxToTandemP95Ms: inboxNew.p95Ms,
    inboxFlagToTandemP50Ms: inboxFlag.p50Ms,
    inboxFlagToTandemP95Ms: inboxFlag.p95Ms,
    tandemToServerP50Ms: toServer.p50Ms,
    tandemToServerP95Ms: toServer.p95Ms,
    draftsToTandemP50Ms: draftsNew.p50Ms,
    draftsToTandemP95Ms: draftsNew.p95Ms,
    details: {
      'INBOX new message → Tandem': inboxNew,
      'INBOX flag → Tandem': inboxFlag,
      'Tandem → server (seen)': toServer,
      'Drafts new message → Tandem': draftsNew,
    },
  };
}

/** The main thread's profile of the run (node writes one per thread: tsx's loader hooks run on their own). */
async function mainThreadProfile(dir: string): Promise<string | null> {
  try {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
    const dated = await Promise.all(
      files.map(async (f) => ({
        f,
        t: (await stat(path.join(dir, f))).mtimeMs,
        main: /\.0\.\d+\.cpuprofile$/.test(f),
      })),
    );
    const newest = dated.sort((a, b) => Number(b.main) - Number(a.main) || b.t - a.t)[0];
    return newest ? path.join(dir, newest.f) : null;
  } catch {
    return null;
  }
}

/**
 * The floor of INBOX propagation, without Tandem: how long Dovecot takes to tell
 * an IDLEing client (ImapFlow, as Tandem's watcher) about a new message and a flag change.
 */
async function idleFloor(
  servers: MailServers,
  user: MailUser,
  other: ImapFlow,
  count: number,
): Promise<{ newMessage: Distribution; flag: Distribution }> {
  const idler = new ImapFlow({
    host: servers.imap.host,
    port: servers.imap.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: user.username, pass: user.password },
    logger: false,
    autoIdleDelay: 50,
  });
  idler.on('error', () => undefined);
  await idler.connect();
  try {
    await idler.mailboxOpen('INBOX');
    let signal: (() => void) | null = null;
    idler.on('exists', () => signal?.());
    idler.on('flags', () => signal?.());
    const waitSignal = () => new Promise<void>((resolve) => (signal = resolve));
    const measure = async (change: (i: number) => Promise<void>) => {
      const samples: number[] = [];
      let timeouts = 0;
      for (let i = 0; i < count; i++) {
        await sleep(300); // IDLE has started again (auto-IDLE after 50 ms)
        const signalled = waitSignal();
        const started = now();
        await change(i);
        const ok = await Promise.race([signalled.then(() => true), sleep(10_000).then(() => false)]);
        samples.push(now() - started);
        if (!ok) timeouts += 1;
      }
      return distribution(samples, timeouts);
    };
    const tag = randomBytes(3).toString('hex');
    let lastUid = 0;
    const newMessage = await measure(async (i) => {
      const appended = await other.append(
        'INBOX',
        smallMessage(`IDLE floor ${i}`, `idle-floor-${tag}-${i}@bench.test`),
        ['\\Seen'],
      );
      if (appended && appended.uid) lastUid = appended.uid;
    });
    await other.mailboxOpen('INBOX');
    const flag = await measure(async (i) => {
      if (i % 2 === 0) await other.messageFlagsAdd(String(lastUid), ['\\Flagged'], { uid: true });
      else await other.messageFlagsRemove(String(lastUid), ['\\Flagged'], { uid: true });
    });
    return { newMessage, flag };
  } finally {
    await idler.logout().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (process.getuid?.() !== 0)
    throw new Error('the benchmark needs root: it starts a private Dovecot and Postfix (test/support/mail-servers.ts)');
  const cleanup = new Cleanup();
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping everything…`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const machine = {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
    dovecot: '',
  };
  try {
    await mkdir(RESULTS_DIR, { recursive: true });
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-bench-'));
    cleanup.add('remove the temp folder', async () => {
      if (options.keep) console.log(`kept ${workDir}`);
      else await rm(workDir, { recursive: true, force: true });
    });
    machine.dovecot = (await run('dovecot', ['--version']).catch(() => '?')).trim();
    log(
      `machine: ${machine.cpus} × ${machine.model}, ${machine.memoryGb} GB, node ${machine.node}, Dovecot ${machine.dovecot}`,
    );

    log('starting a private Dovecot + Postfix');
    // Two IMAP connections per idle mailbox, and room for the others.
    const servers = await startMailServers({ maxConnections: 2 * options.idleMailboxes + 200 });
    cleanup.add('stop the mail servers', () => servers.stop());
    const user = await createMailUser(servers, 'bench');
    const owner = await mailUid();

    log(`writing ${options.messages} messages into ${user.username}'s Maildir (seed ${options.seed})`);
    const plan: MailboxPlan = {
      messages: options.messages,
      folders: options.folders,
      seed: options.seed,
      owner: user.address,
    };
    let t = now();
    const generated = await writeMaildir(homeOf(servers, user), plan, owner);
    const populateMs = now() - t;
    log(
      `  ${(generated.totalBytes / 1e6).toFixed(1)} MB, ${generated.attachments} with attachments, folders ${JSON.stringify(generated.perFolder)} in ${(populateMs / 1000).toFixed(1)} s`,
    );
    t = now();
    const { uidOrderInversions } = await warmUp(servers, user, generated);
    const indexMs = now() - t;
    log(
      `  first login (Dovecot indexes, untimed): ${(indexMs / 1000).toFixed(1)} s; UIDs out of date order: ${uidOrderInversions}`,
    );

    const connection = {
      host: servers.imap.host,
      port: servers.imap.port,
      user: user.username,
      pass: user.password,
      folders: generated.folders,
    };
    log('raw-fetch limit: one ImapFlow connection, every source, own process');
    const raw = await rawFetch({ ...connection, parse: 'none' });
    log(
      `  ${raw.messages} in ${(raw.wallMs / 1000).toFixed(2)} s = ${Math.round(raw.messages / (raw.wallMs / 1000))} msg/s, peak RSS ${raw.maxRssMb.toFixed(0)} MB`,
    );
    log("parse limit: the same + Tandem's parseMessage on one thread");
    const parsed = await rawFetch({ ...connection, parse: 'tandem' });
    log(
      `  ${parsed.messages} in ${(parsed.wallMs / 1000).toFixed(2)} s = ${Math.round(parsed.messages / (parsed.wallMs / 1000))} msg/s, peak RSS ${parsed.maxRssMb.toFixed(0)} MB`,
    );
    log("the same with mailparser's simpleParser alone");
    const mailparser = await rawFetch({ ...connection, parse: 'mailparser' });
    log(
      `  ${mailparser.messages} in ${(mailparser.wallMs / 1000).toFixed(2)} s = ${Math.round(mailparser.messages / (mailparser.wallMs / 1000))} msg/s, peak RSS ${mailparser.maxRssMb.toFixed(0)} MB`,
    );

    let mbsync: MbsyncResult | null = null;
    let mbsyncNote: string | null = null;
    if (options.skipMbsync) {
      mbsyncNote = 'skipped (--skip-mbsync)';
    } else {
      const found = await ensureMbsync();
      if ('skipped' in found) {
        mbsyncNote = found.skipped;
      } else {
        log('mbsync: pull every folder into a temp Maildir');
        mbsync = await runMbsync(found.path, workDir, connection);
        log(
          `  ${mbsync.messages} in ${(mbsync.wallMs / 1000).toFixed(2)} s = ${Math.round(mbsync.messages / (mbsync.wallMs / 1000))} msg/s, peak RSS ${mbsync.peakRssMb.toFixed(0)} MB`,
        );
        if (mbsync.messages !== generated.messages.length)
          mbsyncNote = `mbsync stored ${mbsync.messages} of ${generated.messages.length}`;
      }
      if (mbsyncNote) log(`  mbsync: ${mbsyncNote}`);
    }

    log('Tandem: user and token with the CLI, then `tandem serve` on a fresh data folder');
    const dataDir = path.join(workDir, 'tandem-data');
    await mkdir(dataDir, { recursive: true });
    const token = await createUserWithToken(dataDir, 'bench@bench.test', randomBytes(12).toString('hex'));
    const profileDir = path.join(RESULTS_DIR, 'profile');
    if (options.profile) await mkdir(profileDir, { recursive: true });
    const serve = await startServe(dataDir, path.join(RESULTS_DIR, 'serve.log'), [
      ...options.nodeArgs,
      ...(options.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
    ]);
    cleanup.add('stop tandem serve', () => serve.stop());
    const api = new Api(serve.url, token);
    await sleep(1000);
    log(`  first sync of every folder (period 6m), ${serve.url}, pid ${serve.pid}`);
    const { mailboxId, result: tandem } = await tandemFirstSync(api, serve, servers, user, generated);
    log(
      `  ${tandem.tandemMessages} in ${(tandem.tandemWallMs / 1000).toFixed(1)} s = ${Math.round(tandem.tandemMsgPerSec)} msg/s, peak RSS ${tandem.tandemPeakRssMb.toFixed(0)} MB, newest 50 after ${(tandem.newest50Ms / 1000).toFixed(2)} s`,
    );

    let apiResult: ApiLatency | null = null;
    let propagationResult: Propagation | null = null;
    let oneMailbox: IdleCost['oneMailbox'] = null;
    if (options.profile) {
      // The profile is of the first sync alone: stop here, so nothing else is mixed into it.
      log('--profile: stopping tandem serve after the first sync (the other measurements are skipped)');
    } else {
      log('API latency at N messages');
      apiResult = await apiLatency(api, mailboxId, options.seed, generated.termCounts);
      log(
        `  list p95 ${apiResult.listP95Ms} ms, open p95 ${apiResult.openP95Ms} ms, search p95 ${apiResult.searchP95Ms} ms`,
      );

      log('propagation');
      const other = await otherClient(servers, user);
      cleanup.add('log out the other client', () => other.logout().catch(() => undefined));
      propagationResult = await propagation(api, mailboxId, other, options.changes, options.seed);
      log('  the floor: Dovecot telling an IDLEing ImapFlow client (no Tandem), 20× each');
      const floor = await idleFloor(servers, user, other, 20);
      propagationResult.details['floor: IDLE notice of a new message'] = floor.newMessage;
      propagationResult.details['floor: IDLE notice of a flag change'] = floor.flag;
      propagationResult.idleFloorNewP95Ms = floor.newMessage.p95Ms;
      propagationResult.idleFloorFlagP95Ms = floor.flag.p95Ms;
      log(
        `  IDLE floor p50/p95: new message ${floor.newMessage.p50Ms}/${floor.newMessage.p95Ms} ms, flag ${floor.flag.p50Ms}/${floor.flag.p95Ms} ms`,
      );
      await other.logout().catch(() => undefined);

      log('idle cost of one mailbox (10 s, after 15 s quiet)');
      await waitMailboxIdle(api, mailboxId, 5 * 60_000);
      await sleep(SETTLE_MS);
      oneMailbox = await quietCost(serve.pid);
      log(`  RSS ${oneMailbox.rssMb.toFixed(0)} MB, CPU ${oneMailbox.cpuMsPer10s.toFixed(0)} ms per 10 s`);
    }
    await serve.stop();

    let profile: ProfileSummary | null = null;
    if (options.profile) {
      const file = await mainThreadProfile(profileDir);
      if (file) {
        profile = await summarizeProfile(file, 20);
        console.log(formatProfile(profile));
      }
    }

    let many: IdleCost['many'] = null;
    if (options.idleMailboxes > 0 && !options.profile) {
      log(`idle cost of ${options.idleMailboxes} small mailboxes on a fresh tandem serve`);
      const { idleMailboxes, seed } = options;
      many = await manyIdleMailboxes(servers, workDir, RESULTS_DIR, idleMailboxes, seed, owner, cleanup);
      log(
        `  RSS with 0 / 1 / ${many.mailboxes} mailboxes: ${many.noneRssMb.toFixed(0)} / ${many.oneRssMb.toFixed(0)} / ${many.rssMb.toFixed(0)} MB (${many.perMailboxRssMb.toFixed(2)} MB each); CPU per 10 s: ${many.noneCpuMsPer10s.toFixed(0)} / ${many.oneCpuMsPer10s.toFixed(0)} / ${many.cpuMsPer10s.toFixed(0)} ms; ${many.imapConnections} IMAP connections; new INBOX message p50/p95 ${many.inboxToTandem.p50Ms}/${many.inboxToTandem.p95Ms} ms`,
      );
    }

    let group: GroupMailboxResult | null = null;
    if (!options.skipGroup && !options.profile) group = await groupMailboxBench(servers, workDir, cleanup);
    let workflows: WorkflowsResult | null = null;
    if (!options.skipWorkflows && !options.profile) {
      log('workflows: 1,000 records updated in one transaction, each sending an email');
      workflows = await workflowsBench(servers, workDir, cleanup);
      log(
        `  all sent in ${(workflows.allSentMs / 1000).toFixed(1)} s, filed in ${(workflows.allFiledMs / 1000).toFixed(1)} s (${workflows.sendsPerSec}/s)`,
      );
    }

    let tracking: TrackingResult | null = null;
    if (!options.skipTracking) {
      log(`tracking endpoints: ${TRACKING_CONCURRENCY} requests in flight on a fresh tandem serve`);
      tracking = await benchTracking(servers, workDir, cleanup);
      log(
        `  p95 pixel ${tracking.opens.p95Ms} ms, redirect ${tracking.clicks.p95Ms} ms; CPU ${tracking.cpuCores} cores`,
      );
    }

    const firstSync: FirstSync = {
      ...tandem,
      mbsyncMsgPerSec: mbsync ? mbsync.messages / (mbsync.wallMs / 1000) : null,
      mbsyncWallMs: mbsync?.wallMs ?? null,
      mbsyncPeakRssMb: mbsync?.peakRssMb ?? null,
      mbsyncMessages: mbsync?.messages ?? null,
      mbsyncVersion: mbsync?.version ?? null,
      mbsyncNote,
      rawMsgPerSec: raw.messages / (raw.wallMs / 1000),
      rawWallMs: raw.wallMs,
      rawPeakRssMb: raw.maxRssMb,
      rawCpuMs: raw.cpuMs,
      rawMessages: raw.messages,
      parseMsgPerSec: parsed.messages / (parsed.wallMs / 1000),
      parseWallMs: parsed.wallMs,
      parsePeakRssMb: parsed.maxRssMb,
      mailparserMsgPerSec: mailparser.messages / (mailparser.wallMs / 1000),
      mailparserPeakRssMb: mailparser.maxRssMb,
    };
    const idle: IdleCost = { oneMailbox, many };
    const rows = [
      ...buildRows(firstSync, propagationResult, apiResult, idle, generated.messages.length),
      ...(group ? groupMailboxRows(group) : []),
      ...(workflows ? workflowRows(workflows) : []),
      ...(tracking ? trackingRows(tracking) : []),
    ];
    const output = table(rows);
    console.log(
      `\nTandem vs mbsync vs the raw-fetch limit — ${generated.messages.length} messages (${(generated.totalBytes / 1e6).toFixed(1)} MB, ${generated.attachments} with attachments), ${machine.cpus} × ${machine.model}\n`,
    );
    console.log(output);
    if (mbsyncNote) console.log(`\nmbsync: ${mbsyncNote}`);

    const json = {
      messages: generated.messages.length,
      options,
      machine,
      mailbox: {
        bytes: generated.totalBytes,
        attachments: generated.attachments,
        perFolder: generated.perFolder,
        searchTermCounts: generated.termCounts,
        populateMs: round(populateMs),
        dovecotIndexMs: round(indexMs),
        uidOrderInversions,
      },
      firstSync: roundAll(firstSync),
      propagation: propagationResult,
      api: apiResult,
      idle: roundAll({ ...idle, perMailboxRssMb: many?.perMailboxRssMb ?? null }),
      manyMailboxes: roundAll(many),
      groupMailbox: group,
      workflows,
      tracking,
      profile,
      table: output,
    };
    const file = path.join(RESULTS_DIR, 'latest.json');
    await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(PROJECT_DIR, file)}`);
  } finally {
    await cleanup.run();
  }
}

/** Rounds every number of a plain object to 0.1 (1 for large ones). */
function roundAll<T>(value: T): T {
  if (typeof value === 'number') return (Math.abs(value) >= 100 ? round(value) : round(value, 2)) as T;
  if (Array.isArray(value)) return value.map(roundAll) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundAll(v)])) as T;
  return value;
}

function floorOf(p: Propagation, key: string): string {
  const d = p.details[key];
  return d ? `${fmt(d.p50Ms, 0)} / ${fmt(d.p95Ms, 0, ' ms')}` : '—';
}

function buildRows(f: FirstSync, p: Propagation | null, a: ApiLatency | null, idle: IdleCost, n: number): Row[] {
  const ms = (v: number) => fmt(v, v < 10 ? 1 : 0, ' ms');
  const pair = (p50: number, p95: number) => `${ms(p50)} / ${ms(p95)}`;
  const rows: Row[] = [
    {
      what: 'first sync rate, all listed (msg/s)',
      tandem: fmt(f.tandemListedMsgPerSec),
      mbsync: fmt(f.mbsyncMsgPerSec),
      raw: fmt(f.rawMsgPerSec),
      vsMbsync: ratio(f.tandemListedMsgPerSec, f.mbsyncMsgPerSec),
      vsRaw: ratio(f.tandemListedMsgPerSec, f.rawMsgPerSec),
      bar: '≥ 2× mbsync',
      met: f.mbsyncMsgPerSec === null ? null : f.tandemListedMsgPerSec >= 2 * f.mbsyncMsgPerSec,
    },
    {
      what: 'first sync rate, all indexed (msg/s)',
      tandem: fmt(f.tandemIndexedMsgPerSec),
      mbsync: fmt(f.mbsyncMsgPerSec),
      raw: fmt(f.rawMsgPerSec),
      vsMbsync: ratio(f.tandemIndexedMsgPerSec, f.mbsyncMsgPerSec),
      vsRaw: ratio(f.tandemIndexedMsgPerSec, f.rawMsgPerSec),
      bar: '≥ 1× mbsync',
      met: f.mbsyncMsgPerSec === null ? null : f.tandemIndexedMsgPerSec >= f.mbsyncMsgPerSec,
    },
    {
      what: 'first sync wall time',
      tandem: fmt(f.tandemWallMs / 1000, 1, ' s'),
      mbsync: f.mbsyncWallMs === null ? '—' : fmt(f.mbsyncWallMs / 1000, 1, ' s'),
      raw: fmt(f.rawWallMs / 1000, 1, ' s'),
      vsMbsync: ratio(f.tandemWallMs, f.mbsyncWallMs),
      vsRaw: ratio(f.tandemWallMs, f.rawWallMs),
    },
    {
      what: 'first sync peak RSS',
      tandem: fmt(f.tandemPeakRssMb, 0, ' MB'),
      mbsync: fmt(f.mbsyncPeakRssMb, 0, ' MB'),
      raw: fmt(f.rawPeakRssMb, 0, ' MB'),
      vsMbsync: ratio(f.tandemPeakRssMb, f.mbsyncPeakRssMb),
      vsRaw: ratio(f.tandemPeakRssMb, f.rawPeakRssMb),
      bar: '≤ 250 MB',
      met: f.tandemPeakRssMb <= 250,
    },
    {
      what: 'parse limit: raw fetch + Tandem parser, 1 thread (msg/s)',
      tandem: fmt(f.tandemMsgPerSec),
      raw: fmt(f.parseMsgPerSec),
      vsRaw: ratio(f.tandemMsgPerSec, f.parseMsgPerSec),
    },
    {
      what: 'raw fetch + mailparser simpleParser alone, 1 thread (msg/s)',
      tandem: fmt(f.tandemMsgPerSec),
      raw: fmt(f.mailparserMsgPerSec),
      vsRaw: ratio(f.tandemMsgPerSec, f.mailparserMsgPerSec),
    },
    {
      what: 'newest 50 of INBOX visible, after the mailbox is added',
      tandem: fmt(f.newest50Ms / 1000, 2, ' s'),
      bar: '≤ 2 s',
      met: f.newest50Ms <= 2000,
    },
    {
      what: 'tandem serve RSS before the mailbox is added',
      tandem: fmt(f.tandemRssAtStartMb, 0, ' MB'),
    },
  ];
  if (p) {
    rows.push(
      {
        what: 'INBOX: new message → Tandem, p50 / p95 (raw: IDLE notice)',
        tandem: pair(p.inboxToTandemP50Ms, p.inboxToTandemP95Ms),
        raw: floorOf(p, 'floor: IDLE notice of a new message'),
        vsRaw: ratio(p.inboxToTandemP95Ms, p.details['floor: IDLE notice of a new message']?.p95Ms),
        bar: 'p95 ≤ 1 s',
        met: p.inboxToTandemP95Ms <= 1000,
      },
      {
        what: 'INBOX: flag changed elsewhere → Tandem, p50 / p95 (raw: IDLE notice)',
        tandem: pair(p.inboxFlagToTandemP50Ms, p.inboxFlagToTandemP95Ms),
        raw: floorOf(p, 'floor: IDLE notice of a flag change'),
        vsRaw: ratio(p.inboxFlagToTandemP95Ms, p.details['floor: IDLE notice of a flag change']?.p95Ms),
        bar: 'p95 ≤ 1 s',
        met: p.inboxFlagToTandemP95Ms <= 1000,
      },
      {
        what: 'INBOX: change in Tandem → server, p50 / p95',
        tandem: pair(p.tandemToServerP50Ms, p.tandemToServerP95Ms),
        bar: 'p95 ≤ 1 s',
        met: p.tandemToServerP95Ms <= 1000,
      },
      {
        what: 'Drafts: new message → Tandem, p50 / p95',
        tandem: pair(p.draftsToTandemP50Ms, p.draftsToTandemP95Ms),
        bar: 'p95 ≤ 5 s',
        met: p.draftsToTandemP95Ms <= 5000,
      },
    );
  }
  if (a) {
    rows.push(
      { what: `API: list a folder page (50), p50 / p95`, tandem: pair(a.listP50Ms, a.listP95Ms) },
      { what: 'API: list deeper pages (cursor), p50 / p95', tandem: pair(a.listDeepP50Ms, a.listDeepP95Ms) },
      { what: 'API: open a message, p50 / p95', tandem: pair(a.openP50Ms, a.openP95Ms) },
      {
        what: `API: full-text search, p50 / p95 (at ${n.toLocaleString('en-US')})`,
        tandem: pair(a.searchP50Ms, a.searchP95Ms),
        bar: 'p95 ≤ 50 ms at 100k',
        met: a.searchP95Ms > 50 ? false : n >= 100_000 ? true : `yes at ${Math.round(n / 1000)}k`,
      },
    );
  }
  if (idle.oneMailbox) {
    rows.push({
      what: `idle: the synced mailbox above, RSS / CPU per 10 s`,
      tandem: `${fmt(idle.oneMailbox.rssMb, 0, ' MB')} / ${fmt(idle.oneMailbox.cpuMsPer10s, 0, ' ms')}`,
      bar: 'no CPU between changes',
      // /proc counts CPU in 10 ms ticks: "none" is no tick in 10 s.
      met: idle.oneMailbox.cpuMsPer10s < 5,
    });
  }
  if (idle.many) {
    rows.push({
      what: `idle: per mailbox (${idle.many.mailboxes} idle), RSS / CPU per 10 s`,
      tandem: `${fmt(idle.many.perMailboxRssMb, 2, ' MB')} / ${fmt(idle.many.perMailboxCpuMsPer10s, 1, ' ms')}`,
      bar: '≤ 1 MB, no CPU',
      met: idle.many.perMailboxRssMb <= 1 && idle.many.perMailboxCpuMsPer10s <= 1,
    });
  }
  return rows;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
