// The group mailbox line of `npm run bench` (skipped with --skip-group), also
// runnable alone: `npx tsx bench/group-mailbox.ts`. A group mailbox on the
// private Dovecot holds 2,000 customers' conversations (email-to-case on, a
// quarter assigned to the member, an eighth to a colleague, an eighth closed);
// it measures the list under each filter through the API, and the time from a
// customer's email accepted by Postfix to its case appearing for a member.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { createMailUser, otherClient, startMailServers } from '../test/support/mail-servers.ts';
import type { MailServersInfo } from '../test/support/mail-servers.ts';
import { fmt, table } from './report.ts';
import type { Row } from './report.ts';
import { Api, mailboxBody, startServe, tandemCli, waitMailboxIdle } from './tandem.ts';
import type { MailboxView } from './tandem.ts';
import type { Answer, ConversationFilter } from '../web/src/contract.ts';
import { Cleanup, distribution, mapLimit, now, pollUntil, round, sleep } from './util.ts';
import type { Distribution } from './util.ts';

const CONVERSATIONS = 2000;
const LIST_SAMPLES = 40;
const ARRIVAL_SAMPLES = 20;
/** The bar of the issue: a customer's email shows as a case within this, p95. */
const ARRIVAL_BAR_MS = 1500;
const FILTERS: ConversationFilter[] = ['all', 'mine', 'unassigned', 'closed'];

type ConversationPage = Answer<'/mailboxes/{id}/conversations', 'get'>;

export interface GroupMailboxResult {
  conversations: number;
  /** From the mailbox's creation to every conversation filed (first sync with email-to-case). */
  firstSyncMs: number;
  /** GET /mailboxes/:id/conversations?filter=… (first page of 50), per filter. */
  list: Record<string, Distribution & { items: number }>;
  /** SMTP accepted by Postfix → the conversation, with its case, first in a member's list. */
  arrivalToCase: Distribution;
}

function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function customerEmail(i: number, date: Date): string {
  return [
    `From: Customer ${i} <customer-${i}@customers.example>`,
    'To: Support <support@example.test>',
    `Subject: Order ${i} needs help`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <case-${i}-${randomBytes(4).toString('hex')}@customers.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello, my order ${i} has not arrived.`,
    '',
  ].join('\r\n');
}

/** Runs the measurement on running mail servers; `workDir` gets the Tandem data folder. */
export async function groupMailboxBench(
  servers: MailServersInfo,
  workDir: string,
  cleanup: Cleanup,
): Promise<GroupMailboxResult> {
  const support = await createMailUser(servers, 'support');
  log(`group mailbox: appending ${CONVERSATIONS} customers' emails to ${support.address}`);
  const client = await otherClient(servers, support);
  const base = Date.now() - 10 * 24 * 3600_000;
  for (let i = 0; i < CONVERSATIONS; i++) {
    const date = new Date(base + i * 60_000);
    await client.append('INBOX', customerEmail(i, date), [], date);
  }
  await client.logout();

  const dataDir = path.join(workDir, 'group-data');
  await mkdir(dataDir, { recursive: true });
  const password = randomBytes(12).toString('hex');
  await tandemCli(
    ['user', 'add', '--email', 'lead@bench.test', '--admin', '--password-stdin', '--data', dataDir],
    password,
  );
  await tandemCli(['user', 'add', '--email', 'colleague@bench.test', '--password-stdin', '--data', dataDir], password);
  const token = (await tandemCli(['token', 'create', '--user', 'lead@bench.test', '--data', dataDir]))
    .trim()
    .split('\n')
    .at(-1);
  const serve = await startServe(dataDir, path.join(workDir, 'group-serve.log'));
  cleanup.add('stop the group mailbox tandem serve', () => serve.stop());
  const api = new Api(serve.url, token ?? '');
  const users = (await api.call<Answer<'/users', 'get'>>('GET', '/api/v1/users')).items;
  const idOf = (email: string) => users.find((u) => u.email === email)?.id ?? '';
  const me = idOf('lead@bench.test');

  let started = now();
  const mailbox = await api.call<MailboxView>('POST', '/api/v1/mailboxes', {
    ...mailboxBody(support, servers, ['INBOX']),
    syncPeriod: '1m',
    kind: 'group',
    group: {
      name: 'Support',
      members: [{ userId: me, canManage: true }, { userId: idOf('colleague@bench.test') }],
      emailToCase: true,
    },
  });
  await waitMailboxIdle(api, mailbox.id);
  const firstSyncMs = now() - started;
  const listPath = (filter: string, limit = 200, cursor?: string) =>
    `/api/v1/mailboxes/${mailbox.id}/conversations?${new URLSearchParams({
      filter,
      limit: String(limit),
      ...(cursor ? { cursor } : {}),
    }).toString()}`;
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.call<ConversationPage>('GET', listPath('all', 200, cursor));
    ids.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (ids.length !== CONVERSATIONS) throw new Error(`${ids.length} conversations, ${CONVERSATIONS} expected`);
  log(`  ${ids.length} conversations with their cases in ${(firstSyncMs / 1000).toFixed(1)} s; assigning and closing`);
  const colleague = idOf('colleague@bench.test');
  await mapLimit(ids, 4, async (id, i) => {
    const change =
      i % 8 < 2
        ? { assigneeId: me }
        : i % 8 === 2
          ? { assigneeId: colleague }
          : i % 8 === 3
            ? { status: 'closed' }
            : null;
    if (change) await api.call('PATCH', `/api/v1/conversations/${id}`, change);
  });

  const list: GroupMailboxResult['list'] = {};
  for (const filter of FILTERS) {
    const samples: number[] = [];
    let items = 0;
    for (let i = 0; i < LIST_SAMPLES; i++) {
      const { value, ms } = await api.timed<ConversationPage>('GET', listPath(filter, 50));
      samples.push(ms);
      items = value.items.length;
    }
    list[filter] = { ...distribution(samples), items };
    log(`  list ${filter}: p50 ${list[filter].p50Ms} ms, p95 ${list[filter].p95Ms} ms`);
  }

  log(`  ${ARRIVAL_SAMPLES} customers' emails through Postfix → their case for a member`);
  const transport = nodemailer.createTransport({
    host: servers.smtp.host,
    port: servers.smtp.port,
    secure: false,
    ignoreTLS: true,
  });
  const arrivals: number[] = [];
  let timeouts = 0;
  for (let i = 0; i < ARRIVAL_SAMPLES; i++) {
    const subject = `Urgent ${i} ${randomBytes(3).toString('hex')}`;
    await transport.sendMail({
      from: `Late Customer ${i} <late-${i}@customers.example>`,
      to: support.address,
      subject,
      text: 'Where is it?',
    });
    started = now();
    try {
      await pollUntil(
        async () => {
          const [first] = (await api.call<ConversationPage>('GET', listPath('unassigned', 1))).items;
          return first?.subject === subject && first.caseId !== null ? first : undefined;
        },
        { intervalMs: 20, timeoutMs: 10_000, what: `the case of "${subject}"` },
      );
      arrivals.push(now() - started);
    } catch {
      timeouts += 1;
      arrivals.push(10_000);
    }
    await sleep(200);
  }
  transport.close();
  await serve.stop();
  const arrivalToCase = distribution(arrivals, timeouts);
  log(`  email → case p50 ${arrivalToCase.p50Ms} ms, p95 ${arrivalToCase.p95Ms} ms`);
  return { conversations: CONVERSATIONS, firstSyncMs: round(firstSyncMs), list, arrivalToCase };
}

export function groupMailboxRows(r: GroupMailboxResult): Row[] {
  const n = r.conversations.toLocaleString('en-US');
  return [
    ...FILTERS.map((filter) => {
      const d = r.list[filter];
      return {
        what: `group mailbox (${n} conversations): list "${filter}", p50 / p95`,
        tandem: d ? `${fmt(d.p50Ms, 1, ' ms')} / ${fmt(d.p95Ms, 1, ' ms')}` : '—',
      };
    }),
    {
      what: 'group mailbox: customer email (SMTP) → case for a member, p50 / p95',
      tandem: `${fmt(r.arrivalToCase.p50Ms, 0, ' ms')} / ${fmt(r.arrivalToCase.p95Ms, 0, ' ms')}`,
      bar: 'p95 ≤ 1.5 s',
      met: r.arrivalToCase.p95Ms <= ARRIVAL_BAR_MS && r.arrivalToCase.timeouts === 0,
    },
  ];
}

/** Alone: its own mail servers; prints its rows and sets `groupMailbox` in bench/results/latest.json. */
async function main(): Promise<void> {
  const cleanup = new Cleanup();
  try {
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-bench-group-'));
    cleanup.add('remove the temp folder', () => rm(workDir, { recursive: true, force: true }));
    const servers = await startMailServers();
    cleanup.add('stop the mail servers', () => servers.stop());
    const result = await groupMailboxBench(servers, workDir, cleanup);
    console.log(`\n${table(groupMailboxRows(result))}`);
    const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
    await mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, 'latest.json');
    const latest = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, unknown>;
    await writeFile(file, `${JSON.stringify({ ...latest, groupMailbox: result }, null, 2)}\n`);
    console.log(`\nset groupMailbox in ${path.relative(process.cwd(), file)}`);
  } finally {
    await cleanup.run();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
