import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripMboxEnvelope } from '../../src/mail/mime/index.ts';
import { createMailUser, mailServers, otherClient } from '../support/index.ts';
import { connectTestMailbox, startSyncApi, waitIdle } from '../support/sync.ts';
import type { SyncTestApi } from '../support/sync.ts';

const CORPUS = process.env.TANDEM_CORPUS_DIR ?? fileURLToPath(new URL('../../../shared/corpus', import.meta.url));
const present = existsSync(CORPUS);
if (!present) console.warn(`Corpus sync test skipped: ${CORPUS} not found (set TANDEM_CORPUS_DIR)`);

function corpusFiles(): string[] {
  return readdirSync(CORPUS, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => path.join(CORPUS, name));
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
const asciiOnly = (text: string) => collapse(text.replace(/[^\x20-\x7e]/g, ' '));

/**
 * postal-mime is the reference, except where it cannot decode either: 8-bit
 * bytes it turns into U+FFFD or drops (Tandem decodes them with the declared
 * charset), address comments and source routes it keeps, and encoded-words in
 * an address, which RFC 2047 §5 forbids (Tandem reports no address).
 */
function sameSubject(ours: string, theirs: string): boolean {
  if (collapse(ours) === collapse(theirs)) return true;
  return asciiOnly(ours) === asciiOnly(theirs);
}

function sameAddress(ours: string | null, theirs: string): boolean {
  if (theirs.includes('\uFFFD') || theirs.includes('=?')) return true;
  const normalized = theirs
    .replace(/\([^)]*\)/g, '')
    .replace(/\s+/g, '')
    .replace(/^@[^:]+:/, '');
  return (ours ?? '').toLowerCase() === normalized;
}

describe.skipIf(!present)('syncing the whole real-world corpus', () => {
  const servers = mailServers();
  let api: SyncTestApi;
  beforeAll(async () => {
    api = await startSyncApi();
  });
  afterAll(() => api.close());

  it('stores every message the server accepted, subjects and senders decoded', async () => {
    const user = await createMailUser(servers, 'corpus');
    const other = await otherClient(servers, user);
    const appended = new Map<number, Buffer>();
    let refused = 0;
    for (const file of corpusFiles()) {
      const raw = stripMboxEnvelope(readFileSync(file));
      try {
        const result = await other.append('INBOX', raw);
        if (result && result.uid) appended.set(result.uid, raw);
      } catch {
        refused += 1; // e.g. bare NUL bytes: the server refuses the APPEND itself
      }
    }
    await other.logout();
    expect(appended.size).toBeGreaterThan(1800);

    const { owner, mailbox } = await connectTestMailbox(api, servers, user, { syncPeriod: '1m', folders: ['INBOX'] });
    const idle = await waitIdle(api, owner.auth, mailbox.id);
    expect(idle.progress.done).toBe(appended.size);

    const rows = await api.context.store.db
      .selectFrom('message_locations')
      .innerJoin('messages', 'messages.id', 'message_locations.message_id')
      .select([
        'message_locations.uid',
        'message_locations.message_id',
        'messages.subject',
        'messages.from_address',
        'messages.raw_blob',
      ])
      .where('message_locations.mailbox_id', '=', mailbox.id)
      .execute();
    expect(rows).toHaveLength(appended.size);

    // The server may normalize what was appended (line ends); Tandem keeps the server's bytes exactly.
    const reader = await otherClient(servers, user);
    await reader.mailboxOpen('INBOX');
    const onServer = new Map<number, Buffer>();
    for await (const message of reader.fetch('1:*', { uid: true, source: true }))
      if (message.source) onServer.set(message.uid, message.source);
    await reader.logout();

    const perMessage = new Map<number, number>();
    for (const row of rows) perMessage.set(row.message_id, (perMessage.get(row.message_id) ?? 0) + 1);
    const sharedMessages = new Set([...perMessage].filter(([, n]) => n > 1).map(([id]) => id));
    expect(sharedMessages.size).toBeLessThan(10);

    const mismatches: string[] = [];
    for (const row of rows) {
      const raw = onServer.get(row.uid);
      if (!appended.has(row.uid) || !raw) throw new Error(`uid ${row.uid} was not appended`);
      // Two server copies of one email (same Message-ID, date and size) are one Tandem message with two locations.
      if (sharedMessages.has(row.message_id)) continue;
      expect((await api.context.blobs.get(row.raw_blob)).equals(raw)).toBe(true);
      const independent = await PostalMime.parse(raw);
      const subject = independent.subject ?? '';
      if (!sameSubject(row.subject, subject))
        mismatches.push(`uid ${row.uid} subject ${JSON.stringify(row.subject)} vs ${JSON.stringify(subject)}`);
      const from = independent.from?.address?.toLowerCase() ?? '';
      if (from && !sameAddress(row.from_address, from))
        mismatches.push(`uid ${row.uid} from ${row.from_address} vs ${from}`);
    }
    console.info(
      `corpus sync: ${appended.size} stored, ${refused} refused by the server, ${mismatches.length} differences from postal-mime`,
    );
    expect(mismatches.slice(0, 20)).toEqual([]);
  }, 300_000);
});
