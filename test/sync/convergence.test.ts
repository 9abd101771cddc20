import type { ImapFlow } from 'imapflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliver, otherClient } from '../support/index.ts';
import type { MailServersInfo, MailUser } from '../support/index.ts';
import { connectTestMailbox, rawMessage, storedLocations, useSyncVariant, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

/** A fixed seed in CI; any other with TANDEM_TEST_SEED=n. */
const SEED = Number(process.env.TANDEM_TEST_SEED ?? 20261127);
const FLAGS = ['\\Seen', '\\Flagged', '$Work'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** "folder|subject|flags" for every message in the synced folders, as the other mail app sees them. */
async function serverState(client: ImapFlow, folders: string[]): Promise<string[]> {
  const state: string[] = [];
  for (const folder of folders) {
    await client.mailboxOpen(folder, { readOnly: true });
    for await (const m of client.fetch('1:*', { flags: true, envelope: true })) {
      if (m.flags?.has('\\Deleted')) continue;
      state.push(
        `${folder}|${m.envelope?.subject}|${[...(m.flags ?? [])]
          .filter((f) => f !== '\\Recent')
          .sort()
          .join(' ')}`,
      );
    }
  }
  return state.sort();
}

async function tandemState(api: SyncTestApi, mailboxId: string): Promise<string[]> {
  return (await storedLocations(api, mailboxId)).map((l) => `${l.folder}|${l.subject}|${l.flags.join(' ')}`).sort();
}

const PROFILES = [
  { name: 'Dovecot', profile: null, folders: ['INBOX', 'Archive'] },
  // No CONDSTORE, QRESYNC, MOVE, NOTIFY or SPECIAL-USE; folders under INBOX.
  { name: 'a Courier-like server', profile: 'courier', folders: ['INBOX', 'INBOX.Archive'] },
] as const;

describe.each(PROFILES)(
  `random interleaved changes from Tandem and another app on $name (seed ${SEED})`,
  ({ profile, folders }) => {
    const FOLDERS = [...folders];
    const variant = useSyncVariant(profile ? { profile } : null);
    let servers: MailServersInfo;
    let api: SyncTestApi;
    beforeAll(() => ({ servers, api } = variant));

    it('converge to the same state on both sides', async () => {
      const random = mulberry32(SEED);
      const pick = <T>(items: T[]): T | undefined => items[Math.floor(random() * items.length)];
      const user: MailUser = await createMailUser(servers);
      for (let i = 0; i < 8; i += 1) await deliver(servers, user.username, rawMessage(`message ${i}`));
      const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: '1m', folders: FOLDERS });
      await waitIdle(api, owner.auth, mailbox.id);
      const other = await otherClient(servers, user);
      const log: string[] = [];

      for (let step = 0; step < 40; step += 1) {
        if (random() < 0.5) {
          const target = pick((await storedLocations(api, mailbox.id)).filter((l) => l.uid > 0));
          if (!target) continue;
          const action = random();
          const url = `/api/v1/messages/${target.messageId}`;
          if (action < 0.5) {
            const payload =
              random() < 0.5
                ? { seen: !target.flags.includes('\\Seen') }
                : { flagged: !target.flags.includes('\\Flagged') };
            await api.app.inject({ method: 'PATCH', url, headers: owner.auth, payload });
            log.push(`tandem ${target.subject} ${JSON.stringify(payload)}`);
          } else if (action < 0.85) {
            const folder = FOLDERS.find((f) => f !== target.folder) ?? 'INBOX';
            await api.app.inject({ method: 'PATCH', url, headers: owner.auth, payload: { folder } });
            log.push(`tandem ${target.subject} → ${folder}`);
          } else {
            await api.app.inject({ method: 'DELETE', url, headers: owner.auth });
            log.push(`tandem ${target.subject} deleted`);
          }
        } else {
          const folder = pick(FOLDERS) ?? 'INBOX';
          await other.mailboxOpen(folder);
          const uids = (await other.search({ deleted: false }, { uid: true })) || [];
          const uid = pick(uids);
          if (uid === undefined) continue;
          const action = random();
          if (action < 0.5) {
            const flag = pick(FLAGS) ?? '\\Seen';
            if (random() < 0.5) await other.messageFlagsAdd(String(uid), [flag], { uid: true });
            else await other.messageFlagsRemove(String(uid), [flag], { uid: true });
            log.push(`other ${folder}/${uid} flag ${flag}`);
          } else if (action < 0.85) {
            await other.messageMove(String(uid), FOLDERS.find((f) => f !== folder) ?? 'INBOX', { uid: true });
            log.push(`other ${folder}/${uid} moved`);
          } else {
            await other.messageDelete(String(uid), { uid: true });
            log.push(`other ${folder}/${uid} expunged`);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 200)));
      }

      let last: { server: string[]; tandem: string[] } = { server: [], tandem: [] };
      try {
        await expect
          .poll(
            async () => {
              last = { server: await serverState(other, FOLDERS), tandem: await tandemState(api, mailbox.id) };
              return JSON.stringify(last.tandem) === JSON.stringify(last.server);
            },
            { timeout: 90_000, interval: 500 },
          )
          .toBe(true);
      } catch (error) {
        console.error(
          `seed ${SEED}\n${log.join('\n')}\nserver ${JSON.stringify(last.server, null, 1)}\ntandem ${JSON.stringify(last.tandem, null, 1)}`,
        );
        throw error;
      } finally {
        await other.logout();
      }
    }, 180_000);
  },
);
