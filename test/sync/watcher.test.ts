import { readdir } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { folderSignatures } from '../../src/mail/sync/folder-signatures.ts';
import { ACTIVE_POLL_MS, FolderWatcher, NOTIFY_BACKSTOP_POLL_MS } from '../../src/mail/sync/watcher.ts';
import { createMailUser, mailServers, otherClient, startMailServers } from '../support/index.ts';
import type { MailServers, MailServersInfo, MailUser } from '../support/index.ts';
import { testOutbound } from '../support/stores.ts';
import { rawMessage } from '../support/sync.ts';

const logger = pino({ level: process.env.TANDEM_TEST_LOG ?? 'silent' });
const HOUR_MS = 3_600_000;

/** Watches INBOX, Drafts and a folder that does not exist yet; records the paths it is told about. */
async function watch(servers: MailServersInfo, user: MailUser, pollMs?: number) {
  const changed: string[] = [];
  const failures: unknown[] = [];
  const settings = {
    host: servers.imap.host,
    port: servers.imap.port,
    security: 'none' as const,
    username: user.username,
    password: user.password,
    outbound: testOutbound,
  };
  const watcher = new FolderWatcher(
    settings,
    ['INBOX', 'Drafts', 'Later'],
    { changed: (path) => changed.push(path), failed: (e) => failures.push(e) },
    logger,
    { qresync: true, ...(pollMs === undefined ? {} : { pollMs }) },
  );
  await watcher.start();
  return { watcher, changed, failures };
}

/** Makes `change` and waits until the watcher reports `path` once more. */
async function expectReported(
  changed: string[],
  path: string,
  change: () => Promise<unknown>,
  timeout = 10_000,
): Promise<void> {
  const reports = () => changed.filter((p) => p === path).length;
  const before = reports();
  await change();
  await expect.poll(reports, { timeout }).toBeGreaterThan(before);
}

/** The IMAP commands `client` sends from now on (its own `exec`, observed, not replaced). */
function recordCommands(client: ImapFlow): string[] {
  const commands: string[] = [];
  const internals = client as unknown as { exec: (command: string, ...rest: unknown[]) => Promise<unknown> };
  const exec = internals.exec.bind(client);
  internals.exec = (command, ...rest) => {
    commands.push(command);
    return exec(command, ...rest);
  };
  return commands;
}

/**
 * Checks the signatures of three folders (one missing), then again after a
 * draft is added; `statusCommands` is how many STATUS the first check sends.
 */
async function expectSignatures(servers: MailServersInfo, user: MailUser, statusCommands: number): Promise<void> {
  const client = await otherClient(servers, user);
  try {
    const commands = recordCommands(client);
    const paths = ['Drafts', 'Archive', 'Later'];
    const before = await folderSignatures(client, paths);
    expect(commands.filter((command) => command === 'STATUS')).toHaveLength(statusCommands);
    if (statusCommands === 0) expect([...commands]).toEqual(['LIST']);
    expect(before.get('Later')).toBe('unavailable');
    expect(before.get('Drafts')).toMatch(/^\d+\/\d+\/0\/0\//);
    await client.append('Drafts', rawMessage('a draft'));
    const after = await folderSignatures(client, paths);
    expect(after.get('Drafts')).not.toBe(before.get('Drafts'));
    expect(after.get('Drafts')).toMatch(/^\d+\/\d+\/1\/1\//);
    expect(after.get('Archive')).toBe(before.get('Archive'));
    expect(after.get('Later')).toBe('unavailable');
  } finally {
    await client.logout();
  }
}

/** Makes each kind of change in turn and waits until the watcher reports it. */
async function changeFolders(servers: MailServersInfo, user: MailUser, changed: string[]): Promise<void> {
  const reported = (path: string, change: () => Promise<unknown>) => expectReported(changed, path, change);
  const other = await otherClient(servers, user);
  try {
    let uid = 0;
    await reported('Drafts', async () => {
      const appended = await other.append('Drafts', rawMessage('a draft'));
      uid = appended ? (appended.uid ?? 0) : 0;
    });
    await other.mailboxOpen('Drafts');
    await reported('Drafts', () => other.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true }));
    await reported('Drafts', () => other.messageDelete(String(uid), { uid: true }));
    await other.mailboxClose();
    await reported('INBOX', () => other.append('INBOX', rawMessage('new mail')));
    await reported('Later', () => other.mailboxCreate('Later'));
  } finally {
    await other.logout();
  }
}

describe('the folder watcher', () => {
  let watcher: FolderWatcher | null = null;
  afterEach(async () => {
    await watcher?.stop();
    watcher = null;
  });

  it('is told of changes in every watched folder by the server (NOTIFY), without polling', async () => {
    const servers = mailServers();
    const user = await createMailUser(servers);
    // Polling once an hour: only the server's own notices can report these changes in time.
    const watched = await watch(servers, user, HOUR_MS);
    watcher = watched.watcher;
    await changeFolders(servers, user, watched.changed);
    expect(watched.failures).toEqual([]);
  });

  it('checks every folder with one LIST-STATUS command', async () => {
    const servers = mailServers();
    await expectSignatures(servers, await createMailUser(servers), 0);
  });

  it('still finds changes once Dovecot stops sending NOTIFY events (its list index log rotated)', async () => {
    const servers = mailServers();
    const user = await createMailUser(servers);
    const watched = await watch(servers, user); // the default periods
    watcher = watched.watcher;
    const other = await otherClient(servers, user);
    try {
      // A few hundred changes (in a folder not watched) make Dovecot rotate dovecot.list.index.log; its NOTIFY then falls silent for 30 s at a time.
      for (let i = 0; i < 400; i++) await other.append('Archive', rawMessage(`filler ${i}`));
      const maildir = path.join(servers.dir, 'dovecot', 'mail', user.username, 'Maildir');
      expect((await readdir(maildir)).filter((name) => name.startsWith('dovecot.list.index.log.'))).not.toEqual([]);
      // The first draft waits for the 30 s check (or Dovecot's own 30 s report)…
      const first = () => other.append('Drafts', rawMessage('a draft after the rotation'));
      await expectReported(watched.changed, 'Drafts', first, NOTIFY_BACKSTOP_POLL_MS + 15_000);
      // …the next, right behind it, is found by the 4 s check a change brings on.
      const next = () => other.append('Drafts', rawMessage('the next draft'));
      await expectReported(watched.changed, 'Drafts', next, ACTIVE_POLL_MS + 4_000);
    } finally {
      await other.logout();
    }
    expect(watched.failures).toEqual([]);
  }, 120_000);

  describe('on a server without NOTIFY or LIST-STATUS', () => {
    let own: MailServers;
    beforeAll(async () => {
      own = await startMailServers({ disableCapabilities: ['NOTIFY', 'LIST-STATUS'] });
    });
    afterAll(async () => {
      await own.stop();
    });

    it('checks each folder with its own STATUS command', async () => {
      await expectSignatures(own, await createMailUser(own), 3);
    });

    it('finds the same changes by polling STATUS', async () => {
      const user = await createMailUser(own);
      const watched = await watch(own, user, 200);
      watcher = watched.watcher;
      await changeFolders(own, user, watched.changed);
      expect(watched.failures).toEqual([]);
    });

    it('does not see other folders change without polling', async () => {
      const user = await createMailUser(own);
      const watched = await watch(own, user, HOUR_MS);
      watcher = watched.watcher;
      const other = await otherClient(own, user);
      await other.append('Drafts', rawMessage('a draft'));
      await other.append('INBOX', rawMessage('new mail'));
      await other.logout();
      await expect.poll(() => watched.changed.includes('INBOX'), { timeout: 10_000 }).toBe(true);
      // INBOX is told through IDLE; Drafts would wait for the next poll.
      expect(watched.changed).not.toContain('Drafts');
    });
  });
});
