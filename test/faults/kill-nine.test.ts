// kill -9 at random moments, 50 times, across a first sync, sends, draft edits
// and outbox drains: the embedded `tandem serve`, and two `tandem worker`s on
// PostgreSQL (one of them killed each time) behind `tandem web`. Then every
// folder's UIDs and flags must match Dovecot's, no email may be delivered or filed
// in Sent twice, and every send must be accounted for (sent, or uncertain).
// The seed is fixed under CI and random otherwise (printed; KILL9_SEED replays one).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.ts';
import type { Store } from '../../src/db/index.ts';
import { cliUserHeaders, connectOverHttp, killNow, startServe, startTandem } from '../support/cli.ts';
import {
  createMailUser,
  freshPostgresSchema,
  mailServers,
  otherClient,
  postgresUrl,
  serverSubjects,
} from '../support/index.ts';
import type { MailUser } from '../support/index.ts';
import { rawMessage } from '../support/sync.ts';

// 50 kills in all; KILL9_RUNS=embedded,workers changes the split (e.g. a quick 3,2 while working on it).
const [EMBEDDED_RUNS = 30, WORKER_RUNS = 20] = (process.env.KILL9_RUNS ?? '30,20').split(',').map(Number);
// Each kill is followed by a restart (a few seconds; far more on a loaded machine): the time allowed grows with the runs.
const timeoutFor = (runs: number) => 240_000 + runs * 30_000;
const seed = Number(process.env.KILL9_SEED ?? (process.env.CI ? 20261202 : Math.floor(Math.random() * 2 ** 31)));
console.log(`kill -9 suite: seed ${seed} (KILL9_SEED=${seed} replays it)`);

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function generator(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const servers = mailServers();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where the actions go: the API of the process(es) under test. */
interface Target {
  url: () => string;
  headers: Record<string, string>;
  mailboxId: string;
}

/** What the runs did, for the final comparison. */
interface Ledger {
  sends: number;
  drafts: string[];
  draftEdits: number;
  flagChanges: number;
  answeredSendIds: Set<string>;
}

async function api(target: Target, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${target.url()}/api/v1${route}`, {
    method,
    headers: target.headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  });
}

/** Starts one to three random actions (not awaited: the kill lands while they run). */
function startActions(target: Target, self: MailUser, ledger: Ledger, random: () => number): Promise<unknown>[] {
  const actions: Promise<unknown>[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i += 1) {
    const pick = random();
    if (pick < 0.35) {
      const n = (ledger.sends += 1);
      actions.push(
        api(target, 'POST', '/messages/send', {
          mailboxId: target.mailboxId,
          to: [self.address],
          subject: `k9 send ${n}`,
          text: `send ${n}`,
        }).then(async (r) => {
          const id = ((await r.json()) as { id?: string }).id;
          if (r.status === 202 && id) ledger.answeredSendIds.add(id);
        }),
      );
    } else if (pick < 0.65) {
      const existing =
        ledger.drafts.length > 0 && random() < 0.7 ? ledger.drafts[Math.floor(random() * ledger.drafts.length)] : null;
      const version = (ledger.draftEdits += 1);
      if (existing) {
        actions.push(
          api(target, 'PUT', `/drafts/${existing}`, {
            subject: `k9 draft ${existing} v${version}`,
            text: `v${version}`,
          }),
        );
      } else {
        actions.push(
          api(target, 'POST', '/drafts', { mailboxId: target.mailboxId, subject: 'k9 draft new', text: 'first' }).then(
            async (r) => {
              if (r.status !== 201) return;
              const id = ((await r.json()) as { id: string }).id;
              ledger.drafts.push(id);
            },
          ),
        );
      }
    } else {
      // Every random draw happens now, in order, so a seed replays the same runs.
      const offset = Math.floor(random() * 40);
      const change = { flagged: random() < 0.5, seen: random() < 0.5 };
      actions.push(
        api(target, 'GET', `/messages?mailboxId=${target.mailboxId}&folder=INBOX&limit=50`).then(async (r) => {
          const items = ((await r.json()) as { items?: { id: string }[] }).items ?? [];
          const message = items[offset % Math.max(1, items.length)];
          if (!message) return;
          ledger.flagChanges += 1;
          await api(target, 'PATCH', `/messages/${message.id}`, change);
        }),
      );
    }
  }
  return actions.map((a) => a.catch(() => undefined));
}

interface Comparison {
  /** UIDs present on one side only, or with different flags, over every synced folder. */
  differences: number;
  folders: number;
  uids: number;
  settled: boolean;
}

/** Every enabled folder's UIDs and flags in Tandem's store against Dovecot's. */
async function compareFolders(store: Store, mailboxId: string, user: MailUser): Promise<Comparison> {
  const db = store.db;
  const mailbox = await db.selectFrom('mailboxes').select('state').where('id', '=', mailboxId).executeTakeFirst();
  const folders = await db
    .selectFrom('folders')
    .select(['id', 'path', 'uid_validity', 'first_sync_done'])
    .where('mailbox_id', '=', mailboxId)
    .where('enabled', '=', 1)
    .execute();
  const pendingOps = await db
    .selectFrom('outbox_ops')
    .select('id')
    .where('mailbox_id', '=', mailboxId)
    .where('state', '=', 'pending')
    .execute();
  let differences = 0;
  let uids = 0;
  const client = await otherClient(servers, user);
  try {
    for (const folder of folders) {
      const rows = await db
        .selectFrom('message_locations')
        .select(['uid', 'flags'])
        .where('folder_id', '=', folder.id)
        .where('uid_validity', '=', folder.uid_validity ?? -1)
        .where('uid', '>', 0)
        .execute();
      const ours = new Map(rows.map((r) => [r.uid, flagKey(JSON.parse(r.flags) as string[])]));
      const theirs = new Map<number, string>();
      const box = await client.mailboxOpen(folder.path, { readOnly: true });
      if (Number(box.uidValidity) !== folder.uid_validity) differences += 1;
      if (box.exists > 0) {
        for await (const m of client.fetch('1:*', { uid: true, flags: true }))
          theirs.set(m.uid, flagKey([...(m.flags ?? [])]));
      }
      uids += theirs.size;
      for (const [uid, flags] of theirs) if (ours.get(uid) !== flags) differences += 1;
      for (const uid of ours.keys()) if (!theirs.has(uid)) differences += 1;
    }
  } finally {
    await client.logout();
  }
  const settled = mailbox?.state === 'idle' && folders.every((f) => f.first_sync_done === 1) && pendingOps.length === 0;
  return { differences, folders: folders.length, uids, settled };
}

const flagKey = (flags: string[]) =>
  flags
    .filter((f) => f !== '\\Recent')
    .sort()
    .join(' ');

interface SendFigures {
  sends: number;
  sent: number;
  uncertain: number;
  failed: number;
  doubleDeliveries: number;
  doubleSentCopies: number;
  /** Delivered emails no send row accounts for, answered sends with no row, rows left 'attempted', sent ones not filed. */
  lost: number;
}

async function sendFigures(store: Store, mailboxId: string, user: MailUser, ledger: Ledger): Promise<SendFigures> {
  const rows = await store.db
    .selectFrom('sends')
    .select(['id', 'state', 'subject'])
    .where('mailbox_id', '=', mailboxId)
    .execute();
  const delivered = (await serverSubjects(servers, user, 'INBOX')).filter((s) => s.startsWith('k9 send'));
  const filed = (await serverSubjects(servers, user, 'Sent')).filter((s) => s.startsWith('k9 send'));
  const count = (list: string[], subject: string | null) => list.filter((s) => s === subject).length;
  const subjects = new Set(rows.map((r) => r.subject));
  const ids = new Set(rows.map((r) => r.id));
  let lost = delivered.filter((s) => !subjects.has(s)).length;
  lost += [...ledger.answeredSendIds].filter((id) => !ids.has(id)).length;
  lost += rows.filter((r) => r.state === 'attempted').length;
  lost += rows.filter((r) => r.state === 'sent' && count(filed, r.subject) !== 1).length;
  lost += rows.filter((r) => r.state === 'failed' && count(delivered, r.subject) > 0).length;
  return {
    sends: rows.length,
    sent: rows.filter((r) => r.state === 'sent').length,
    uncertain: rows.filter((r) => r.state === 'uncertain').length,
    failed: rows.filter((r) => r.state === 'failed').length,
    doubleDeliveries: rows.filter((r) => count(delivered, r.subject) > 1).length,
    doubleSentCopies:
      rows.filter((r) => count(filed, r.subject) > 1).length +
      rows.filter((r) => r.state === 'uncertain' && count(filed, r.subject) > 0).length,
    lost,
  };
}

/** Each draft on the server at most once (its versions replace one another). */
async function doubleDrafts(user: MailUser, ledger: Ledger): Promise<number> {
  const onServer = await serverSubjects(servers, user, 'Drafts');
  return ledger.drafts.filter((id) => onServer.filter((s) => s.startsWith(`k9 draft ${id} `)).length > 1).length;
}

/** Waits for the store to settle and match the server, then gives the figures. */
async function finalFigures(store: Store, mailboxId: string, user: MailUser, ledger: Ledger) {
  let folders: Comparison = { differences: -1, folders: 0, uids: 0, settled: false };
  let sends = await sendFigures(store, mailboxId, user, ledger);
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    folders = await compareFolders(store, mailboxId, user);
    sends = await sendFigures(store, mailboxId, user, ledger);
    if (folders.settled && folders.differences === 0 && sends.lost === 0) break;
    await sleep(1000);
  }
  return { folders, sends, doubleDrafts: await doubleDrafts(user, ledger) };
}

/** Fills INBOX with enough mail that the first sync takes several batches (and several kills). */
async function fillInbox(user: MailUser, count: number): Promise<void> {
  const client = await otherClient(servers, user);
  try {
    for (let i = 0; i < count; i += 1) {
      await client.append('INBOX', rawMessage(`k9 mail ${i}`, { to: user.address, body: `mail ${i} `.repeat(200) }));
    }
  } finally {
    await client.logout();
  }
}

function report(mode: string, runs: number, ledger: Ledger, figures: Awaited<ReturnType<typeof finalFigures>>): void {
  const { folders, sends } = figures;
  console.log(
    `kill -9 (${mode}, seed ${seed}): ${runs} runs; asked for ${ledger.sends} sends, ${ledger.drafts.length} drafts ` +
      `(${ledger.draftEdits} edits), ${ledger.flagChanges} flag changes; ` +
      `${folders.folders} folders, ${folders.uids} UIDs compared, ` +
      `${folders.differences} differences; ${sends.sends} sends (${sends.sent} sent, ${sends.uncertain} uncertain, ` +
      `${sends.failed} failed), doubles: ${sends.doubleDeliveries} deliveries, ${sends.doubleSentCopies} Sent copies, ` +
      `${figures.doubleDrafts} drafts; lost: ${sends.lost}`,
  );
}

function expectClean(figures: Awaited<ReturnType<typeof finalFigures>>): void {
  expect(figures.folders.settled).toBe(true);
  expect(figures.folders.differences).toBe(0);
  expect(figures.sends).toMatchObject({ doubleDeliveries: 0, doubleSentCopies: 0, lost: 0 });
  expect(figures.doubleDrafts).toBe(0);
}

describe('kill -9 at random points', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

  it('the embedded server: nothing lost, nothing twice', { timeout: timeoutFor(EMBEDDED_RUNS) }, async () => {
    const random = generator(seed);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-kill9-'));
    const user = await createMailUser(servers, 'kill9');
    await fillInbox(user, 400);
    const headers = await cliUserHeaders(dataDir, 'kill9@example.test');
    let serve = await startServe(['--data', dataDir]);
    children.push(serve.child);
    const created = await connectOverHttp(serve.url, headers, servers, user, { syncPeriod: '1m' });
    expect(created.status).toBe(201);
    const mailboxId = ((await created.json()) as { id: string }).id;
    const target: Target = { url: () => serve.url, headers, mailboxId };
    const ledger: Ledger = { sends: 0, drafts: [], draftEdits: 0, flagChanges: 0, answeredSendIds: new Set() };

    for (let run = 0; run < EMBEDDED_RUNS; run += 1) {
      const actions = startActions(target, user, ledger, random);
      await sleep(Math.floor(random() * 1200));
      await killNow(serve.child);
      await Promise.all(actions);
      serve = await startServe(['--data', dataDir]);
      children.push(serve.child);
    }

    const store = openStore({ dataDir });
    try {
      const figures = await finalFigures(store, mailboxId, user, ledger);
      report('embedded', EMBEDDED_RUNS, ledger, figures);
      expectClean(figures);
    } finally {
      await store.close();
    }
  });

  it.skipIf(postgresUrl() === null)(
    'two workers on PostgreSQL, one killed each time: nothing lost, nothing twice',
    { timeout: timeoutFor(WORKER_RUNS) },
    async () => {
      const random = generator(seed + 1);
      const schema = await freshPostgresSchema();
      const env = { DATABASE_URL: schema.url, TANDEM_LOG_LEVEL: 'warn' };
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-kill9-pg-'));
      const startWorker = async () => {
        const worker = await startTandem(['worker', '--data', dataDir], env, /Tandem worker (\S+) is running/);
        children.push(worker.child);
        return worker;
      };
      try {
        const user = await createMailUser(servers, 'kill9pg');
        await fillInbox(user, 400);
        const web = await startTandem(
          ['web', '--port', '0', '--data', dataDir],
          env,
          /Tandem is running at (http:\/\/\S+)/,
        );
        children.push(web.child);
        const workers = [await startWorker(), await startWorker()];
        const headers = await cliUserHeaders(dataDir, 'kill9pg@example.test', env);
        const created = await connectOverHttp(web.printed, headers, servers, user, { syncPeriod: '1m' });
        expect(created.status).toBe(201);
        const mailboxId = ((await created.json()) as { id: string }).id;
        const target: Target = { url: () => web.printed, headers, mailboxId };
        const ledger: Ledger = { sends: 0, drafts: [], draftEdits: 0, flagChanges: 0, answeredSendIds: new Set() };

        for (let run = 0; run < WORKER_RUNS; run += 1) {
          const actions = startActions(target, user, ledger, random);
          await sleep(Math.floor(random() * 1500));
          const victim = Math.floor(random() * workers.length);
          await killNow(workers[victim]!.child);
          workers[victim] = await startWorker();
          await Promise.all(actions);
        }

        const store = openStore({ databaseUrl: schema.url, dataDir });
        try {
          const figures = await finalFigures(store, mailboxId, user, ledger);
          report('two workers', WORKER_RUNS, ledger, figures);
          expectClean(figures);
        } finally {
          await store.close();
        }
      } finally {
        children.forEach((c) => c.kill('SIGKILL'));
        await schema.drop();
      }
    },
  );
});
