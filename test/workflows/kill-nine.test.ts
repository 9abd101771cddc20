// kill -9 at random moments while a workflow sends 50 emails (one per new contact):
// the embedded `tandem serve`, and two `tandem worker`s on PostgreSQL behind
// `tandem web` with one of them killed each time. Then every email is delivered
// at most once (Message-IDs counted in the recipient's INBOX, where Postfix
// delivered them), each Sent copy is filed at most once (counted over IMAP), and
// every run ends `done` (sent) or `uncertain`: none is lost, none left behind.
// The seed is fixed under CI and random otherwise (printed; KILL9_SEED replays one).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.ts';
import type { Store } from '../../src/db/index.ts';
import { cliUserHeaders, connectOverHttp, killNow, startServe, startTandem } from '../support/cli.ts';
import { createMailUser, freshPostgresSchema, mailServers, postgresUrl, serverCopies } from '../support/index.ts';
import type { MailUser } from '../support/index.ts';

const SENDS = 50;
const seed = Number(process.env.KILL9_SEED ?? (process.env.CI ? 20261216 : Math.floor(Math.random() * 2 ** 31)));
console.log(`workflow kill -9: seed ${seed} (KILL9_SEED=${seed} replays it)`);
// No waiting on the send rate: the kills, not the bucket, decide the pace.
const env = { TANDEM_WORKFLOW_SENDS_PER_MINUTE: '10000', TANDEM_LOG_LEVEL: 'warn' };

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

interface Target {
  url: string;
  headers: Record<string, string>;
}

async function post(target: Target, route: string, body: unknown): Promise<Response> {
  return fetch(`${target.url}/api/v1${route}`, {
    method: 'POST',
    headers: target.headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
}

/** A workflow that emails `to` when a contact is created; the subject names the contact. */
async function createWorkflow(target: Target, to: MailUser): Promise<string> {
  const response = await post(target, '/workflows', {
    name: 'Welcome each new contact',
    trigger: { type: 'record_created', recordType: 'contact' },
    mode: 'first_save',
    actions: [
      {
        type: 'send_email',
        to: [{ type: 'address', address: to.address }],
        template: { subject: 'k9 welcome {{contact.firstName}}', text: 'Hello {{contact.firstName}}' },
      },
    ],
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Asks for `count` new contacts at once (not awaited: the kill lands while they are made or sent). */
function createContacts(target: Target, first: number, count: number): Promise<number>[] {
  return Array.from({ length: count }, (_, i) =>
    post(target, '/contacts', { firstName: `c${first + i}` })
      .then((r) => (r.status === 201 ? 1 : 0))
      .catch(() => 0),
  );
}

const messageIdOf = (source: Buffer) => /^Message-ID:\s*<([^>]+)>/im.exec(source.toString())?.[1] ?? '';

async function messageIds(user: MailUser, folder: string): Promise<string[]> {
  return (await serverCopies(servers, user, folder)).map((c) => messageIdOf(c.source));
}

interface Figures {
  contacts: number;
  runs: number;
  done: number;
  uncertain: number;
  /** Runs not ended, ended otherwise, or a contact with no run. */
  unfinished: number;
  delivered: number;
  doubleDeliveries: number;
  filed: number;
  doubleSentCopies: number;
  /** A done run whose email is not delivered once and filed once; an email no run sent. */
  lost: number;
}

async function figuresOf(store: Store, workflowId: string, sender: MailUser, customer: MailUser): Promise<Figures> {
  const { db } = store;
  const contacts = await db.selectFrom('records').select('id').where('kind', '=', 'contact').execute();
  const runs = await db
    .selectFrom('workflow_runs')
    .leftJoin('workflow_steps', 'workflow_steps.run_id', 'workflow_runs.id')
    .leftJoin('sends', 'sends.id', 'workflow_steps.send_id')
    .select(['workflow_runs.state', 'sends.message_id'])
    .where('workflow_runs.workflow_id', '=', workflowId)
    .execute();
  const delivered = await messageIds(customer, 'INBOX');
  const filed = await messageIds(sender, 'Sent');
  const count = (list: string[], id: string | null) => list.filter((m) => m === id).length;
  const ours = new Set(runs.map((r) => r.message_id));
  const done = runs.filter((r) => r.state === 'done');
  const uncertain = runs.filter((r) => r.state === 'uncertain');
  return {
    contacts: contacts.length,
    runs: runs.length,
    done: done.length,
    uncertain: uncertain.length,
    unfinished: runs.length - done.length - uncertain.length + Math.max(0, contacts.length - runs.length),
    delivered: delivered.length,
    doubleDeliveries: new Set(delivered.filter((m) => count(delivered, m) > 1)).size,
    filed: filed.length,
    doubleSentCopies: new Set(filed.filter((m) => count(filed, m) > 1)).size,
    lost:
      done.filter((r) => count(delivered, r.message_id) !== 1 || count(filed, r.message_id) !== 1).length +
      delivered.filter((m) => !ours.has(m)).length,
  };
}

/** Waits until every run has ended and every sent email is filed, then gives the figures. */
async function settledFigures(store: Store, workflowId: string, sender: MailUser, customer: MailUser) {
  const deadline = Date.now() + 120_000;
  let figures = await figuresOf(store, workflowId, sender, customer);
  while (Date.now() < deadline && (figures.unfinished > 0 || figures.lost > 0)) {
    await sleep(1000);
    figures = await figuresOf(store, workflowId, sender, customer);
  }
  return figures;
}

function report(mode: string, kills: number, figures: Figures): void {
  console.log(
    `workflow kill -9 (${mode}, seed ${seed}): ${kills} kills; ${figures.contacts} contacts, ${figures.runs} runs ` +
      `(${figures.done} sent, ${figures.uncertain} uncertain, ${figures.unfinished} unfinished); ` +
      `${figures.delivered} delivered, ${figures.filed} Sent copies; doubles: ${figures.doubleDeliveries} deliveries, ` +
      `${figures.doubleSentCopies} Sent copies; lost: ${figures.lost}`,
  );
}

function expectClean(figures: Figures): void {
  expect(figures.contacts).toBeGreaterThanOrEqual(SENDS);
  expect(figures.runs).toBe(figures.contacts);
  expect(figures).toMatchObject({ unfinished: 0, doubleDeliveries: 0, doubleSentCopies: 0, lost: 0 });
  expect(figures.done + figures.uncertain).toBe(figures.runs);
}

async function mailUsers(name: string) {
  return { sender: await createMailUser(servers, name), customer: await createMailUser(servers, `${name}c`) };
}

describe('workflow sends under kill -9', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

  it('the embedded server: each email delivered and filed at most once, every run accounted for', async () => {
    const random = generator(seed);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-flow-kill9-'));
    const { sender, customer } = await mailUsers('flowk9');
    const headers = await cliUserHeaders(dataDir, 'flowk9@example.test');
    let serve = await startServe(['--data', dataDir], env);
    children.push(serve.child);
    const connected = await connectOverHttp(serve.url, headers, servers, sender, { syncPeriod: 'now' });
    expect(connected.status).toBe(201);
    const workflowId = await createWorkflow({ url: serve.url, headers }, customer);

    let created = 0;
    let kills = 0;
    while (created < SENDS) {
      const requests = createContacts({ url: serve.url, headers }, created + kills * 100, 3 + Math.floor(random() * 8));
      await sleep(Math.floor(random() * 2500));
      await killNow(serve.child);
      kills += 1;
      created += (await Promise.all(requests)).reduce((a, b) => a + b, 0);
      serve = await startServe(['--data', dataDir], env);
      children.push(serve.child);
    }

    const store = openStore({ dataDir });
    try {
      const figures = await settledFigures(store, workflowId, sender, customer);
      report('embedded', kills, figures);
      expectClean(figures);
    } finally {
      await store.close();
    }
  }, 240_000);

  it.skipIf(postgresUrl() === null)(
    'two workers on PostgreSQL, one killed each time: each email delivered and filed at most once',
    async () => {
      const random = generator(seed + 1);
      const schema = await freshPostgresSchema();
      const pgEnv = { ...env, DATABASE_URL: schema.url };
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-flow-kill9-pg-'));
      const startWorker = async () => {
        const worker = await startTandem(['worker', '--data', dataDir], pgEnv, /Tandem worker (\S+) is running/);
        children.push(worker.child);
        return worker;
      };
      try {
        const { sender, customer } = await mailUsers('flowk9pg');
        const web = await startTandem(
          ['web', '--port', '0', '--data', dataDir],
          pgEnv,
          /Tandem is running at (http:\/\/\S+)/,
        );
        children.push(web.child);
        const workers = [await startWorker(), await startWorker()];
        const headers = await cliUserHeaders(dataDir, 'flowk9pg@example.test', pgEnv);
        const target = { url: web.printed, headers };
        const connected = await connectOverHttp(web.printed, headers, servers, sender, { syncPeriod: 'now' });
        expect(connected.status).toBe(201);
        const workflowId = await createWorkflow(target, customer);

        let created = 0;
        let kills = 0;
        while (created < SENDS) {
          const requests = createContacts(target, created, 3 + Math.floor(random() * 8));
          await sleep(Math.floor(random() * 2500));
          const victim = Math.floor(random() * workers.length);
          await killNow(workers[victim]!.child);
          kills += 1;
          workers[victim] = await startWorker();
          created += (await Promise.all(requests)).reduce((a, b) => a + b, 0);
        }

        const store = openStore({ databaseUrl: schema.url, dataDir });
        try {
          const figures = await settledFigures(store, workflowId, sender, customer);
          report('two workers', kills, figures);
          expectClean(figures);
        } finally {
          await store.close();
        }
      } finally {
        children.forEach((c) => c.kill('SIGKILL'));
        await schema.drop();
      }
    },
    240_000,
  );
});
