// The bench's many idle mailboxes: M small mailboxes (one user each) on one
// fresh `tandem serve` against the private Dovecot. Measures RSS and CPU with
// 0, 1 and M mailboxes, the IMAP connections the process holds, and how long a
// new INBOX message in a random one of them takes to be listed by the API.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createMailUser, otherClient } from '../test/support/mail-servers.ts';
import type { MailServers, MailUser } from '../test/support/mail-servers.ts';
import { run } from '../test/support/process.ts';
import { homeOf, Random, smallMessage, writeMaildir } from './mailbox.ts';
import { Api, listPath, mailboxBody, startServe, waitMailboxIdle } from './tandem.ts';
import type { MailboxView, MessagePage } from './tandem.ts';
import { distribution, mapLimit, now, quietCost, SETTLE_MS, sleep } from './util.ts';
import type { Cleanup, Distribution } from './util.ts';

export interface ManyMailboxes {
  mailboxes: number;
  messagesEach: number;
  /** Wall time to add the M mailboxes (4 at a time, each until its first sync is done). */
  addAllMs: number;
  /** The fresh process with no mailbox. */
  noneRssMb: number;
  noneCpuMsPer10s: number;
  /** One small idle mailbox. */
  oneRssMb: number;
  oneCpuMsPer10s: number;
  /** M small idle mailboxes. */
  rssMb: number;
  cpuMsPer10s: number;
  /** cpuMsPer10s as a share of one core. */
  cpuPercentOfCore: number;
  /** (M − 1) → M: the step from one to M idle mailboxes, divided by M − 1. */
  perMailboxRssMb: number;
  perMailboxCpuMsPer10s: number;
  /** Established TCP connections from the serve process to Dovecot's IMAP port, with M idle. */
  imapConnections: number;
  /** A new INBOX message (APPEND by another client) in a random mailbox → listed by the API. */
  inboxToTandem: Distribution;
}

const MESSAGES_EACH = 20;
const PROPAGATION_SAMPLES = 20;
const CHANGE_TIMEOUT_MS = 30_000;

/** Established connections of process `pid` to local port `port`, from `ss`. */
async function connectionsTo(pid: number, port: number): Promise<number> {
  const out = await run('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`]);
  return out.split('\n').filter((line) => line.includes(`pid=${pid},`)).length;
}

/** M users and tokens straight through the users module (2×M CLI runs would take ~2.7 s each). */
async function createUsersDirect(dataDir: string, count: number): Promise<string[]> {
  const { loadConfig } = await import('../src/config/index.ts');
  const { openContext } = await import('../src/context/index.ts');
  const { createApiToken, createUser } = await import('../src/users/index.ts');
  const { pino } = await import('pino');
  const context = await openContext(loadConfig({ env: {}, overrides: { dataDir } }), {
    logger: pino({ level: 'warn' }),
  });
  try {
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      const user = await createUser(context.store.db, {
        email: `idle${i}@bench.test`,
        password: randomBytes(12).toString('hex'),
      });
      tokens.push((await createApiToken(context.store.db, user.id, 'bench')).token);
    }
    return tokens;
  } finally {
    await context.close();
  }
}

interface Added {
  account: MailUser;
  api: Api;
  mailboxId: string;
}

/** APPENDs to the INBOX of a random mailbox and times until the API lists it, `samples` times. */
async function inboxPropagation(servers: MailServers, added: Added[], seed: number): Promise<Distribution> {
  const random = new Random(seed + 23);
  const tag = randomBytes(3).toString('hex');
  const samples: number[] = [];
  let timeouts = 0;
  for (let i = 0; i < PROPAGATION_SAMPLES; i++) {
    const target = added[random.int(0, added.length - 1)] as Added;
    const other = await otherClient(servers, target.account);
    try {
      await sleep(random.int(200, 1000));
      const messageId = `many-${tag}-${i}@bench.test`;
      const started = now();
      await other.append('INBOX', smallMessage(`Many mailboxes ${i}`, messageId), []);
      for (;;) {
        const page = await target.api.call<MessagePage>('GET', listPath(target.mailboxId, 'INBOX', 10));
        if (page.items.some((item) => item.messageId === messageId)) break;
        if (now() - started > CHANGE_TIMEOUT_MS) {
          timeouts += 1;
          break;
        }
        await sleep(20);
      }
      samples.push(now() - started);
    } finally {
      await other.logout().catch(() => undefined);
    }
  }
  return distribution(samples, timeouts);
}

/**
 * A fresh `tandem serve` holding M small idle mailboxes. The per-mailbox cost
 * is the step from 1 to M idle mailboxes, so both sides have run the sync code
 * once (JIT, caches, first-sync garbage). `servers` must hold 2 IMAP
 * connections per mailbox (see `maxConnections` of startMailServers).
 */
export async function manyIdleMailboxes(
  servers: MailServers,
  workDir: string,
  resultsDir: string,
  count: number,
  seed: number,
  owner: { uid: number; gid: number },
  cleanup: Cleanup,
): Promise<ManyMailboxes> {
  const dataDir = path.join(workDir, 'tandem-many');
  await mkdir(dataDir, { recursive: true });
  const accounts: MailUser[] = [];
  for (let i = 0; i < count; i++) {
    const user = await createMailUser(servers, `idle${i}`);
    const plan = { messages: MESSAGES_EACH, folders: 3, seed: seed + 1000 + i, owner: user.address };
    await writeMaildir(homeOf(servers, user), plan, owner);
    accounts.push(user);
  }
  const tokens = await createUsersDirect(dataDir, count);
  const serve = await startServe(dataDir, path.join(resultsDir, 'serve-idle.log'));
  cleanup.add('stop tandem serve (idle mailboxes)', () => serve.stop());
  const added: Added[] = [];
  const add = (from: number, to: number) =>
    mapLimit(accounts.slice(from, to), 4, async (account, i) => {
      const api = new Api(serve.url, tokens[from + i] ?? '');
      const created = await api.call<MailboxView>('POST', '/api/v1/mailboxes', mailboxBody(account, servers));
      await waitMailboxIdle(api, created.id, 10 * 60_000);
      added.push({ account, api, mailboxId: created.id });
    });
  try {
    await sleep(SETTLE_MS);
    const none = await quietCost(serve.pid);
    await add(0, 1);
    await sleep(SETTLE_MS);
    const one = await quietCost(serve.pid);
    const started = now();
    await add(1, count);
    const addAllMs = now() - started;
    await sleep(SETTLE_MS);
    const all = await quietCost(serve.pid);
    const imapConnections = await connectionsTo(serve.pid, servers.imap.port);
    const inboxToTandem = await inboxPropagation(servers, added, seed);
    const step = Math.max(count - 1, 1);
    return {
      mailboxes: count,
      messagesEach: MESSAGES_EACH,
      addAllMs,
      noneRssMb: none.rssMb,
      noneCpuMsPer10s: none.cpuMsPer10s,
      oneRssMb: one.rssMb,
      oneCpuMsPer10s: one.cpuMsPer10s,
      rssMb: all.rssMb,
      cpuMsPer10s: all.cpuMsPer10s,
      cpuPercentOfCore: all.cpuMsPer10s / 100,
      perMailboxRssMb: (all.rssMb - one.rssMb) / step,
      perMailboxCpuMsPer10s: (all.cpuMsPer10s - one.cpuMsPer10s) / step,
      imapConnections,
      inboxToTandem,
    };
  } finally {
    await serve.stop();
  }
}
