// Workflows at volume: 1,000 contacts updated in one transaction, each update
// triggering a Send Email → how long until every email is sent (Postfix took it,
// and delivered it), and filed in the sender's Sent folder. `tandem serve` runs
// with the per-mailbox send rate lifted, so the figure is the engine's own pace;
// the rate the default limit allows is stated beside it. Called by bench/run.ts
// (skip it with --skip-workflows); alone: `npx tsx bench/workflows.ts [--records N]`,
// which adds its `workflows` object to bench/results/latest.json.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.ts';
import { changeRecord } from '../src/crm/index.ts';
import { openStore } from '../src/db/index.ts';
import { createMailUser, otherClient, startMailServers } from '../test/support/mail-servers.ts';
import type { MailServers, MailUser } from '../test/support/mail-servers.ts';
import { fmt, table } from './report.ts';
import type { Row } from './report.ts';
import { Api, createUserWithToken, mailboxBody, startServe, waitMailboxIdle } from './tandem.ts';
import { Cleanup, mapLimit, now, pollUntil, round } from './util.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_FILE = path.join(BENCH_DIR, 'results', 'latest.json');

export interface WorkflowsResult {
  records: number;
  /** The one transaction that updates every record (its change events included). */
  transactionMs: number;
  /** From the commit until every send is recorded sent (the SMTP server took it). */
  allSentMs: number;
  /** …until every email is in the recipient's INBOX (Postfix delivered it). */
  allDeliveredMs: number;
  /** …until every Sent copy is on the server. */
  allFiledMs: number;
  /** records ÷ allFiledMs: sent and filed per second, the limit lifted. */
  sendsPerSec: number;
  /** The default per-mailbox limit (setting workflowSendsPerMinute), and how long it would take for these records. */
  defaultLimitPerMinute: number;
  defaultLimitWallMin: number;
}

/** Counts a folder's messages on the server (STATUS), as another mail app sees them. */
async function countIn(servers: MailServers, user: MailUser, folder: string): Promise<number> {
  const client = await otherClient(servers, user);
  try {
    const status = await client.status(folder, { messages: true });
    return status ? (status.messages ?? 0) : 0;
  } catch {
    return 0;
  } finally {
    await client.logout();
  }
}

export async function workflowsBench(
  servers: MailServers,
  workDir: string,
  cleanup: Cleanup,
  records = 1000,
): Promise<WorkflowsResult> {
  const sender = await createMailUser(servers, 'flows');
  const customer = await createMailUser(servers, 'flowsto');
  const dataDir = path.join(workDir, 'tandem-workflows');
  await mkdir(dataDir, { recursive: true });
  const token = await createUserWithToken(dataDir, 'flows@bench.test', randomBytes(12).toString('hex'));
  const serve = await startServe(dataDir, path.join(workDir, 'serve-workflows.log'), [], {
    env: { TANDEM_WORKFLOW_SENDS_PER_MINUTE: '10000' },
  });
  cleanup.add('stop the workflows tandem serve', () => serve.stop());
  const api = new Api(serve.url, token);
  const mailbox = await api.call<{ id: string }>('POST', '/api/v1/mailboxes', {
    ...mailboxBody(sender, servers),
    syncPeriod: 'now',
  });
  await waitMailboxIdle(api, mailbox.id, 5 * 60_000);
  const contacts = await mapLimit(
    Array.from({ length: records }, (_, i) => i),
    8,
    (i) => api.call<{ id: string }>('POST', '/api/v1/contacts', { firstName: `Buyer${i}`, jobTitle: 'lead' }),
  );
  await api.call('POST', '/api/v1/workflows', {
    name: 'Welcome each customer',
    trigger: { type: 'record_updated', recordType: 'contact', field: 'jobTitle', to: 'customer' },
    actions: [
      {
        type: 'send_email',
        to: [{ type: 'address', address: customer.address }],
        template: { subject: 'Welcome {{contact.firstName}}', text: 'Dear {{contact.firstName}}, welcome aboard.' },
      },
    ],
  });

  const store = openStore({ dataDir });
  cleanup.add('close the bench’s store', () => store.close());
  const user = await store.db.selectFrom('users').select(['id', 'is_admin']).executeTakeFirstOrThrow();
  const viewer = { id: user.id, isAdmin: user.is_admin === 1 };
  const started = now();
  await store.db.transaction().execute(async (trx) => {
    for (const contact of contacts) await changeRecord(trx, viewer, 'contact', contact.id, { jobTitle: 'customer' });
  });
  const committed = now();

  const elapsed = { sent: 0, delivered: 0, filed: 0 };
  await pollUntil(
    async () => {
      const sent = await store.db
        .selectFrom('sends')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('mailbox_id', '=', mailbox.id)
        .where('state', '=', 'sent')
        .executeTakeFirstOrThrow();
      const at = now() - committed;
      if (!elapsed.sent && Number(sent.n) >= records) elapsed.sent = at;
      if (!elapsed.delivered && (await countIn(servers, customer, 'INBOX')) >= records) elapsed.delivered = at;
      if (!elapsed.filed && (await countIn(servers, sender, 'Sent')) >= records) elapsed.filed = at;
      return elapsed.sent && elapsed.delivered && elapsed.filed ? true : undefined;
    },
    { intervalMs: 250, timeoutMs: 30 * 60_000, what: `${records} workflow emails sent and filed` },
  );
  await serve.stop();
  const limit = loadConfig({ env: { TANDEM_DATA_DIR: dataDir } }).workflowSendsPerMinute;
  return {
    records,
    transactionMs: round(committed - started),
    allSentMs: round(elapsed.sent),
    allDeliveredMs: round(elapsed.delivered),
    allFiledMs: round(elapsed.filed),
    sendsPerSec: round(records / (elapsed.filed / 1000), 1),
    defaultLimitPerMinute: limit,
    // The bucket starts full (one minute's worth), then refills at the limit.
    defaultLimitWallMin: round(Math.max(0, records - limit) / limit, 1),
  };
}

export function workflowRows(w: WorkflowsResult): Row[] {
  const s = (ms: number) => fmt(ms / 1000, 1, ' s');
  return [
    { what: `Workflows: ${w.records} records updated in one transaction`, tandem: s(w.transactionMs) },
    { what: '  → every Send Email sent (SMTP took it), limit lifted', tandem: s(w.allSentMs) },
    { what: '  → every email delivered by Postfix', tandem: s(w.allDeliveredMs) },
    { what: '  → every Sent copy filed', tandem: s(w.allFiledMs) },
    { what: '  sent and filed per second, limit lifted', tandem: fmt(w.sendsPerSec, 1, '/s') },
    {
      what: `  at the default per-mailbox limit (${w.defaultLimitPerMinute}/min)`,
      tandem: `${fmt(w.defaultLimitPerMinute / 60, 2, '/s')}: ${fmt(w.defaultLimitWallMin, 1, ' min')} for ${w.records}`,
    },
  ];
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--records');
  const records = at >= 0 ? Number(process.argv[at + 1]) : 1000;
  if (!Number.isInteger(records) || records < 1) throw new Error('--records needs a positive integer');
  const cleanup = new Cleanup();
  try {
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'tandem-bench-workflows-'));
    cleanup.add('remove the temp folder', () => rm(workDir, { recursive: true, force: true }));
    const servers = await startMailServers();
    cleanup.add('stop the mail servers', () => servers.stop());
    const result = await workflowsBench(servers, workDir, cleanup, records);
    console.log(table(workflowRows(result)));
    const latest = JSON.parse(await readFile(RESULTS_FILE, 'utf8').catch(() => '{}')) as Record<string, unknown>;
    await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify({ ...latest, workflows: result }, null, 2)}\n`);
    console.log(`\nwrote the workflows object into ${path.relative(process.cwd(), RESULTS_FILE)}`);
  } finally {
    await cleanup.run();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
