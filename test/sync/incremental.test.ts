import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMailUser, deliver, doveadm, otherClient, startMailServers } from '../support/index.ts';
import type { MailServers, MailServersInfo } from '../support/index.ts';
import {
  useSyncVariant,
  connectTestMailbox,
  mailboxState,
  rawMessage,
  startSyncApi,
  storedLocations,
  subjectsIn,
  waitIdle,
} from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const run = promisify(execFile);

/** The daemon keeps inherited pipes open: start it detached from ours and wait for the launcher. */
function startDovecotAgain(config: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('dovecot', ['-c', config], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dovecot exited with ${code}`))));
  });
}
const poll = { timeout: 30_000, interval: 100 };

const variants: { name: string; disable: string[] | null }[] = [
  { name: 'a server with CONDSTORE and QRESYNC', disable: null },
  { name: 'a server without CONDSTORE, QRESYNC or NOTIFY', disable: ['CONDSTORE', 'QRESYNC', 'NOTIFY'] },
];

describe.each(variants)('changes from another mail app on $name', ({ disable }) => {
  const variant = useSyncVariant(disable ? { disableCapabilities: disable } : null);
  let servers: MailServersInfo;
  let api: SyncTestApi;
  beforeAll(() => ({ servers, api } = variant));

  async function setUp() {
    const user = await createMailUser(servers);
    await deliver(servers, user.username, rawMessage('first'));
    await deliver(servers, user.username, rawMessage('archived'), { folder: 'Archive' });
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: '1m' });
    await waitIdle(api, owner.auth, mailbox.id);
    return { user, owner, mailbox };
  }

  it('shows new mail in INBOX and in another folder', async () => {
    const { user, mailbox } = await setUp();
    await deliver(servers, user.username, rawMessage('new in inbox'));
    await deliver(servers, user.username, rawMessage('new in archive'), { folder: 'Archive' });
    await expect.poll(() => subjectsIn(api, mailbox.id, 'INBOX'), poll).toEqual(['first', 'new in inbox']);
    await expect.poll(() => subjectsIn(api, mailbox.id, 'Archive'), poll).toEqual(['archived', 'new in archive']);
  });

  it('follows flag changes, moves and expunges', async () => {
    const { user, mailbox } = await setUp();
    const before = await storedLocations(api, mailbox.id);
    const first = before.find((l) => l.subject === 'first');
    const archived = before.find((l) => l.subject === 'archived');
    if (!first || !archived) throw new Error('first sync incomplete');

    await doveadm(servers, [
      'flags',
      'add',
      '-u',
      user.username,
      '\\Seen \\Flagged $Important',
      'mailbox',
      'INBOX',
      'uid',
      String(first.uid),
    ]);
    await doveadm(servers, [
      'flags',
      'add',
      '-u',
      user.username,
      '\\Seen',
      'mailbox',
      'Archive',
      'uid',
      String(archived.uid),
    ]);
    const flagsOf = async (subject: string) =>
      (await storedLocations(api, mailbox.id)).find((l) => l.subject === subject)?.flags;
    await expect.poll(() => flagsOf('first'), poll).toEqual(['$Important', '\\Flagged', '\\Seen']);
    await expect.poll(() => flagsOf('archived'), poll).toEqual(['\\Seen']);
    await doveadm(servers, [
      'flags',
      'remove',
      '-u',
      user.username,
      '\\Flagged',
      'mailbox',
      'INBOX',
      'uid',
      String(first.uid),
    ]);
    await expect.poll(() => flagsOf('first'), poll).toEqual(['$Important', '\\Seen']);

    // Moved in the other app: same Tandem message, now in Archive.
    const other = await otherClient(servers, user);
    await other.mailboxOpen('INBOX');
    await other.messageMove(String(first.uid), 'Archive', { uid: true });
    await other.logout();
    await expect
      .poll(
        async () =>
          (await storedLocations(api, mailbox.id))
            .filter((l) => l.subject === 'first')
            .map((l) => [l.folder, l.messageId]),
        poll,
      )
      .toEqual([['Archive', first.messageId]]);

    // Expunged in the other app: gone from Tandem's folder.
    await doveadm(servers, ['expunge', '-u', user.username, 'mailbox', 'Archive', 'subject', 'archived']);
    await expect.poll(() => subjectsIn(api, mailbox.id, 'Archive'), poll).toEqual(['first']);
  });

  it('applies INBOX changes on the connection that was told of them, without selecting INBOX again (QRESYNC)', async () => {
    const { user, mailbox } = await setUp();
    const opens = vi.spyOn(ImapFlow.prototype, 'mailboxOpen');
    const inboxOpens = () =>
      opens.mock.calls.filter(
        (call, i) =>
          call[0] === 'INBOX' &&
          (opens.mock.contexts[i] as unknown as { options: { auth: { user: string } } }).options.auth.user ===
            user.username,
      ).length;
    try {
      const uid = await deliver(servers, user.username, rawMessage('new in inbox'));
      await expect.poll(() => subjectsIn(api, mailbox.id, 'INBOX'), poll).toEqual(['first', 'new in inbox']);
      await doveadm(servers, [
        'flags',
        'add',
        '-u',
        user.username,
        '\\Flagged',
        'mailbox',
        'INBOX',
        'uid',
        String(uid),
      ]);
      const flagsOf = async () =>
        (await storedLocations(api, mailbox.id)).find((l) => l.subject === 'new in inbox')?.flags;
      await expect.poll(flagsOf, poll).toEqual(['\\Flagged']);
      await doveadm(servers, ['expunge', '-u', user.username, 'mailbox', 'INBOX', 'uid', String(uid)]);
      await expect.poll(() => subjectsIn(api, mailbox.id, 'INBOX'), poll).toEqual(['first']);
      // Without QRESYNC an expunge names no UID, so each change is looked at after a fresh EXAMINE.
      if (disable === null) expect(inboxOpens()).toBe(0);
      else expect(inboxOpens()).toBeGreaterThanOrEqual(3);
    } finally {
      opens.mockRestore();
    }
  });

  it('keeps Tandem ids across a UIDVALIDITY change', async () => {
    const { user, mailbox } = await setUp();
    const before = (await storedLocations(api, mailbox.id)).find((l) => l.folder === 'Archive');
    const status = await doveadm(servers, [
      '-f',
      'flow',
      'mailbox',
      'status',
      '-u',
      user.username,
      'uidvalidity',
      'Archive',
    ]);
    const uidValidity = Number(/uidvalidity=(\d+)/.exec(status)?.[1]);
    await doveadm(servers, [
      'mailbox',
      'update',
      '-u',
      user.username,
      '--uid-validity',
      String(uidValidity + 1000),
      'Archive',
    ]);
    await deliver(servers, user.username, rawMessage('after reset'), { folder: 'Archive' });
    await expect.poll(() => subjectsIn(api, mailbox.id, 'Archive'), poll).toEqual(['after reset', 'archived']);
    const after = (await storedLocations(api, mailbox.id)).find((l) => l.subject === 'archived');
    expect(after?.messageId).toBe(before?.messageId);
  });
});

describe('a server that restarts', () => {
  let servers: MailServers;
  let api: SyncTestApi;
  beforeAll(async () => {
    servers = await startMailServers();
    api = await startSyncApi();
  });
  afterAll(async () => {
    await api.close();
    await servers.stop();
  });

  it('reconnects by itself and catches up', async () => {
    const user = await createMailUser(servers);
    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: 'now' });
    await waitIdle(api, owner.auth, mailbox.id);
    // Stop the server and its IMAP processes (they would otherwise linger, serving the old connections).
    const master = (await readFile(path.join(servers.dir, 'dovecot', 'run', 'master.pid'), 'utf8')).trim();
    const children = (await run('pgrep', ['-P', master]).catch(() => ({ stdout: '' }))).stdout
      .split(/\s+/)
      .filter(Boolean);
    await run('doveadm', ['-c', servers.dovecotConfig, 'stop']);
    for (const pid of children) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await expect
      .poll(async () => (await mailboxState(api, owner.auth, mailbox.id)).state, { timeout: 30_000 })
      .toBe('error');
    await startDovecotAgain(servers.dovecotConfig);
    await deliver(servers, user.username, rawMessage('after the restart'));
    // Dovecot's old IMAP processes linger a while after a stop: allow for their goodbye and our backoff.
    await expect
      .poll(() => subjectsIn(api, mailbox.id, 'INBOX'), { timeout: 100_000, interval: 200 })
      .toEqual(['after the restart']);
    await waitIdle(api, owner.auth, mailbox.id);
  }, 150_000);
});
