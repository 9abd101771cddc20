import type { ChildProcess } from 'node:child_process';
import SQLite from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliUserHeaders, connectOverHttp, killNow, startServe } from '../support/cli.ts';
import { createMailUser, mailServers, otherClient, waitFor } from '../support/index.ts';
import { rawMessage } from '../support/sync.ts';

interface Progress {
  state: string;
  progress: { done: number; total: number };
}

/** Kills `tandem serve` with SIGKILL at several moments of a first sync; the end result must be exactly the server's set. */
describe('a first sync killed mid-way', () => {
  const servers = mailServers();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-crash-'));
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

  it('resumes without loss or duplicates', async () => {
    const user = await createMailUser(servers);
    const other = await otherClient(servers, user);
    const start = Date.now() - 3600_000;
    for (let i = 0; i < 1500; i += 1) {
      const body = `Message ${i}\r\n${'lorem ipsum dolor sit amet '.repeat(40 + (i % 200))}`;
      await other.append(
        'INBOX',
        rawMessage(`bulk ${i}`, { body, date: new Date(start + i * 1000) }),
        [],
        new Date(start + i * 1000),
      );
    }
    await other.mailboxOpen('INBOX');
    const serverUids = ((await other.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
    await other.logout();

    const auth = await cliUserHeaders(dataDir, 'crash@example.test');

    let serve = await startServe(['--data', dataDir]);
    children.push(serve.child);
    const created = await connectOverHttp(serve.url, auth, servers, user, { syncPeriod: '1m', folders: ['INBOX'] });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const progress = async (url: string) =>
      (await (await fetch(`${url}/api/v1/mailboxes/${id}`, { headers: auth })).json()) as Progress;

    let kills = 0;
    for (const threshold of [1, 400, 1000]) {
      const url = serve.url;
      const seen = await waitFor(
        async () => {
          const p = await progress(url);
          return p.progress.done >= threshold || p.state === 'idle' ? p : undefined;
        },
        { intervalMs: 5, what: `progress past ${threshold}` },
      );
      if (seen.state === 'idle') break;
      await killNow(serve.child);
      kills += 1;
      serve = await startServe(['--data', dataDir]);
      children.push(serve.child);
    }
    expect(kills).toBeGreaterThan(0);

    // The indexer reads the bodies behind the header pass: killed while it has some left, it resumes too.
    const indexing = async (base: string) =>
      (
        (await (await fetch(`${base}/api/v1/messages?mailboxId=${id}&q=lorem&limit=1`, { headers: auth })).json()) as {
          indexing: { done: number; total: number } | null;
        }
      ).indexing;
    const pending = await waitFor(
      async () => {
        const now = await indexing(serve.url);
        return now === null || now.done > 0 ? { now } : undefined;
      },
      { intervalMs: 5, what: 'the indexer to start' },
    );
    if (pending.now !== null) {
      await killNow(serve.child);
      kills += 1;
      serve = await startServe(['--data', dataDir]);
      children.push(serve.child);
    }

    const url = serve.url;
    const final = await waitFor(
      async () => {
        const p = await progress(url);
        return p.state === 'idle' ? p : undefined;
      },
      { timeoutMs: 120_000, what: 'the first sync to finish' },
    );
    expect(final.progress).toEqual({ done: serverUids.length, total: serverUids.length });

    const uids: number[] = [];
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const query: string = `mailboxId=${id}&folder=INBOX&limit=200${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await fetch(`${url}/api/v1/messages?${query}`, { headers: auth })).json()) as {
        items: { id: string; uid: number }[];
        nextCursor: string | null;
      };
      for (const item of page.items) {
        uids.push(item.uid);
        ids.add(item.id);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(uids.sort((a, b) => a - b)).toEqual(serverUids);
    expect(ids.size).toBe(serverUids.length);

    // Every body indexed once: searchable, with its snippet, one full-text entry per message.
    await waitFor(async () => ((await indexing(url)) === null ? true : undefined), {
      timeoutMs: 120_000,
      what: 'every body indexed',
    });
    const found = (await (
      await fetch(`${url}/api/v1/messages?mailboxId=${id}&q=lorem&limit=200`, { headers: auth })
    ).json()) as { items: { snippet: string }[] };
    expect(found.items).toHaveLength(200);
    expect(found.items.every((m) => m.snippet.startsWith('Message '))).toBe(true);
    const db = new SQLite(path.join(dataDir, 'tandem.sqlite'), { readonly: true });
    try {
      const count = (table: string) => (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
      expect(count('messages')).toBe(serverUids.length);
      expect(count('messages_fts')).toBe(serverUids.length);
      expect(count('messages where indexed = 0')).toBe(0);
    } finally {
      db.close();
    }
  }, 300_000);
});
