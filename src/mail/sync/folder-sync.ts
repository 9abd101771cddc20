import type { ExpungeEvent, ImapFlow, MailboxObject } from 'imapflow';
import { publishMailEvent } from '../../events/index.ts';
import { searchUids } from '../imap/index.ts';
import { countStored, flagColumns, removeLocations } from '../messages/write.ts';
import { fetchPrepared, storeBatch } from './ingest.ts';
import { uidSet } from './uid-set.ts';
import { advanceCursor, afterFirstSyncBatch, resetCursor, startCursor, writeCursor } from '../run/index.ts';
import type { FolderRow, MailboxRun } from '../run/index.ts';

/** The first batch is a screenful, so the newest mail shows within a moment; later ones are larger. */
export const FIRST_BATCH = 25;
export const BATCH = 200;
const DAY_MS = 24 * 3600 * 1000;

async function select(run: MailboxRun, path: string): Promise<MailboxObject> {
  const current = run.client.mailbox;
  if (current && current.path === path) return current;
  return run.client.mailboxOpen(path, { readOnly: true });
}

/**
 * The folder's UIDNEXT. RFC 3501 §6.3.1 requires it in the answer to SELECT and
 * EXAMINE, but Courier IMAP leaves it out there and only gives it to STATUS.
 */
async function uidNextOf(run: MailboxRun, box: MailboxObject): Promise<number> {
  if (typeof box.uidNext === 'number') return box.uidNext;
  const status = await run.client.status(box.path, { uidNext: true });
  if (!status || typeof status.uidNext !== 'number') throw new Error(`The server gave no UIDNEXT for ${box.path}`);
  return status.uidNext;
}

async function reload(run: MailboxRun, folderId: number): Promise<FolderRow> {
  return run.db.selectFrom('folders').selectAll().where('id', '=', folderId).executeTakeFirstOrThrow();
}

/**
 * Brings one folder up to date with the server: UIDVALIDITY check, new
 * messages, flag changes and expunges. The cursor (uid_next, highest_modseq)
 * moves in the same transaction as the changes it covers.
 */
export async function syncFolderChanges(run: MailboxRun, folderId: number): Promise<void> {
  let folder = await reload(run, folderId);
  const { box, vanished } = await selectWithChanges(run, folder);
  const uidValidity = Number(box.uidValidity);
  if (folder.uid_validity !== null && folder.uid_validity !== uidValidity) {
    run.logger.warn(
      { folder: folder.path, was: folder.uid_validity, now: uidValidity },
      'UIDVALIDITY changed: resyncing the folder',
    );
    await resetFolder(run, folder);
    folder = await reload(run, folderId);
  }
  const uidNext = await uidNextOf(run, box);
  if (folder.uid_validity === null) folder = await startFolder(run, folder, box, uidNext);
  await syncNew(run, folder, uidNext);
  const condstore = run.condstore && !box.noModseq && box.highestModseq !== undefined;
  await syncKnown(run, await reload(run, folderId), {
    uidValidity,
    condstore,
    highestModseq: box.highestModseq ?? null,
    vanished,
  });
}

/** A folder the watching connection keeps selected (read-only, QRESYNC enabled) and tells about. */
export interface WatchedFolder {
  client: ImapFlow;
  path: string;
  /** UIDs the server reported expunged (VANISHED) while the connection waited; each is handed out once. */
  takeVanished(): number[];
}

/**
 * The same pass on the connection that was told of the change: the folder is
 * selected there and the server has just brought it up to date, so no EXAMINE
 * is needed (on a large Maildir an EXAMINE re-reads the whole folder: 250 ms at
 * 70,000 messages, against 1–5 ms for the commands here). New UIDs come from
 * a UID SEARCH, flags and expunges from UID FETCH (CHANGEDSINCE … VANISHED).
 * Returns false, having done nothing, when the folder needs the full pass
 * (never synced yet, UIDVALIDITY changed, no mod-sequences).
 */
export async function syncWatchedFolderChanges(
  run: MailboxRun,
  folderId: number,
  watched: WatchedFolder,
): Promise<boolean> {
  const box = watched.client.mailbox;
  const folder = await reload(run, folderId);
  if (
    !box ||
    box.path !== watched.path ||
    box.noModseq ||
    folder.uid_validity === null ||
    folder.highest_modseq === null
  )
    return false;
  if (folder.uid_validity !== Number(box.uidValidity)) return false;
  const onWatcher = { ...run, client: watched.client };
  const vanished = watched.takeVanished();
  await syncNew(onWatcher, folder, null);
  await syncKnown(onWatcher, await reload(run, folderId), {
    uidValidity: folder.uid_validity,
    condstore: true,
    highestModseq: null,
    vanished,
  });
  return true;
}

/**
 * EXAMINE, with QRESYNC (RFC 7162 §3.2.5) when it is enabled and the folder
 * has a cursor: the server then lists what was expunged since as VANISHED
 * (EARLIER), collected here. `vanished` is null when QRESYNC did not apply
 * (the caller then compares UIDs itself).
 */
async function selectWithChanges(
  run: MailboxRun,
  folder: FolderRow,
): Promise<{ box: MailboxObject; vanished: number[] | null }> {
  const known = run.qresync && folder.highest_modseq !== null && folder.uid_validity !== null;
  // Always a fresh EXAMINE, never the current selection: only it reports today's UIDNEXT and HIGHESTMODSEQ
  // (a folder an outbox op selected read-write has had APPENDs since). It also ends a read-write selection
  // without the expunge a CLOSE would do to other apps' \Deleted messages (docs/sync.md invariant 7).
  if (!known) return { box: await run.client.mailboxOpen(folder.path, { readOnly: true }), vanished: null };
  const vanished: number[] = [];
  const collect = (event: ExpungeEvent) => {
    if (event.path === folder.path && event.vanished && event.uid) vanished.push(event.uid);
  };
  run.client.on('expunge', collect);
  try {
    const box = await run.client.mailboxOpen(folder.path, {
      readOnly: true,
      changedSince: folder.highest_modseq ?? undefined,
      uidValidity: folder.uid_validity ?? undefined,
    });
    // ImapFlow clears `qresync` when the answer cannot be trusted (UIDVALIDITY changed, NOMODSEQ).
    const trusted = (box as MailboxObject & { qresync?: boolean }).qresync === true;
    return { box, vanished: trusted ? vanished : null };
  } finally {
    run.client.off('expunge', collect);
  }
}

/** A folder seen for the first time (or after a reset): its cursor starts at today's UIDNEXT (`startCursor`). */
async function startFolder(
  run: MailboxRun,
  folder: FolderRow,
  box: MailboxObject,
  uidNext: number,
): Promise<FolderRow> {
  const isTrash = folder.special_use === '\\Trash';
  const server = { uidValidity: Number(box.uidValidity), uidNext, highestModseq: box.highestModseq ?? null };
  await run.write(async (trx) => {
    await writeCursor(trx, folder.id, {
      ...startCursor(server, isTrash),
      synced_count: await countStored(trx, folder.id),
    });
  });
  run.pending.delete(folder.id);
  return reload(run, folder.id);
}

/** Forgets every location of a folder (messages become orphans and re-attach by stable identity). */
async function resetFolder(run: MailboxRun, folder: FolderRow): Promise<void> {
  await run.write(async (trx) => {
    const rows = await trx.selectFrom('message_locations').select('uid').where('folder_id', '=', folder.id).execute();
    await removeLocations(
      trx,
      folder.id,
      rows.map((r) => r.uid),
    );
    await writeCursor(trx, folder.id, resetCursor('uidvalidity-changed'));
  });
  run.pending.delete(folder.id);
}

/**
 * Messages that arrived since the cursor (UID ≥ uid_next), oldest first, in
 * batches. `uidNext` is the server's UIDNEXT when it was asked, else null (the
 * cursor then moves past the last UID found).
 */
async function syncNew(run: MailboxRun, folder: FolderRow, uidNext: number | null): Promise<void> {
  const from = folder.uid_next ?? 1;
  if (uidNext !== null && uidNext <= from) return;
  const uids = (await searchUids(run.client, { uid: `${from}:*` })).filter((uid) => uid >= from).sort((a, b) => a - b);
  for (let i = 0; i < uids.length; i += BATCH) {
    const batch = uids.slice(i, i + BATCH);
    const messages = await fetchPrepared(run, batch);
    const last = i + BATCH >= uids.length;
    const next = Math.max(last ? (uidNext ?? 0) : 0, (batch.at(-1) ?? 0) + 1);
    await storeBatch(run, folder, folder.uid_validity ?? 0, messages, async (trx) => {
      const synced = await countStored(trx, folder.id);
      await writeCursor(trx, folder.id, { ...advanceCursor(folder, { uidNext: next }), synced_count: synced });
    });
  }
  if (uids.length === 0 && uidNext !== null) {
    await run.write(async (trx) => {
      await writeCursor(trx, folder.id, advanceCursor(folder, { uidNext }));
    });
  }
}

/** What the server said of a folder, for the flags-and-expunges part of a pass. */
interface FolderView {
  uidValidity: number;
  /** CONDSTORE works in this folder: CHANGEDSINCE may be asked. */
  condstore: boolean;
  /** The folder's HIGHESTMODSEQ from an EXAMINE; null when not asked (the highest MODSEQ fetched is used). */
  highestModseq: bigint | null;
  /** UIDs QRESYNC reported expunged; null when QRESYNC did not apply (UIDs are then compared). */
  vanished: number[] | null;
}

/**
 * Flag changes and expunges of the messages we hold. With CONDSTORE an
 * unchanged HIGHESTMODSEQ means nothing changed: no command, no write; and a
 * change reads only the rows the server names (CHANGEDSINCE, VANISHED), so
 * its cost does not grow with the folder.
 */
async function syncKnown(run: MailboxRun, folder: FolderRow, view: FolderView): Promise<void> {
  const stored = view.condstore && folder.highest_modseq !== null ? BigInt(folder.highest_modseq) : undefined;
  if (stored !== undefined && stored === view.highestModseq) return;

  const { uidValidity } = view;
  const lowest = await lowestKnownUid(run, folder.id, uidValidity);
  const since = stored;
  let highestSeen = since ?? 0n;
  const flagUpdates: { uid: number; flags: string[]; modseq: string | null }[] = [];
  const vanished: number[] = [];
  if (lowest !== null) {
    const onServer = new Map<number, { flags: string[]; modseq: string | null }>();
    const options = since !== undefined ? { uid: true, changedSince: since } : { uid: true };
    // With QRESYNC enabled, a UID FETCH … CHANGEDSINCE also lists what was expunged since (VANISHED (EARLIER)).
    const reported = view.vanished === null ? null : [...view.vanished];
    const collect = (event: ExpungeEvent) => {
      if (reported && event.path === folder.path && event.vanished && event.uid) reported.push(event.uid);
    };
    run.client.on('expunge', collect);
    try {
      for await (const message of run.client.fetch(`${lowest}:*`, { uid: true, flags: true }, options)) {
        onServer.set(message.uid, { flags: [...(message.flags ?? [])], modseq: message.modseq?.toString() ?? null });
        if (message.modseq !== undefined && message.modseq > highestSeen) highestSeen = message.modseq;
      }
    } finally {
      run.client.off('expunge', collect);
    }
    // Without CHANGEDSINCE the answer covers every message, so every row is needed anyway.
    const named = since !== undefined ? [...new Set([...onServer.keys(), ...(reported ?? [])])] : null;
    const known = await knownLocations(run, folder.id, uidValidity, reported === null ? null : named);
    // A pending local change is never undone by a stale server read (docs/sync.md invariant 12).
    const pending = await pendingLocations(run);
    for (const row of known) {
      const server = onServer.get(row.uid);
      if (server && !pending.has(row.id) && row.flags !== flagColumns(server.flags).flags)
        flagUpdates.push({ uid: row.uid, ...server });
    }
    if (reported) {
      // QRESYNC told us exactly which UIDs went away.
      const held = new Set(known.map((k) => k.uid));
      vanished.push(...new Set(reported.filter((uid) => held.has(uid))));
    } else {
      const present = new Set(await searchUids(run.client, { uid: `${lowest}:*` }));
      for (const row of known) if (!present.has(row.uid)) vanished.push(row.uid);
    }
  }
  // Without HIGHESTMODSEQ from an EXAMINE, the highest fetched: every change up to it was in the answer.
  const newModseq = !view.condstore ? null : (view.highestModseq ?? highestSeen);
  const modseqMoved = (newModseq?.toString() ?? null) !== folder.highest_modseq;
  if (flagUpdates.length === 0 && vanished.length === 0 && !modseqMoved) return;

  await run.write(async (trx) => {
    for (const update of flagUpdates) {
      await trx
        .updateTable('message_locations')
        .set({ ...flagColumns(update.flags), modseq: update.modseq })
        .where('folder_id', '=', folder.id)
        .where('uid', '=', update.uid)
        .execute();
    }
    await removeLocations(trx, folder.id, vanished);
    const synced = vanished.length > 0 ? await countStored(trx, folder.id) : folder.synced_count;
    await writeCursor(trx, folder.id, {
      ...advanceCursor(folder, { highestModseq: newModseq }),
      synced_count: synced,
      last_full_check_at: Date.now(),
    });
  });
  if (flagUpdates.length > 0)
    publishMailEvent({ type: 'messages.changed', mailboxId: run.mailbox.id, folder: folder.path });
  if (vanished.length > 0) {
    publishMailEvent({ type: 'messages.removed', mailboxId: run.mailbox.id, folder: folder.path });
    const pending = run.pending.get(folder.id);
    const gone = new Set(vanished);
    if (pending)
      run.pending.set(
        folder.id,
        pending.filter((uid) => !gone.has(uid)),
      );
  }
}

async function lowestKnownUid(run: MailboxRun, folderId: number, uidValidity: number): Promise<number | null> {
  const row = await run.db
    .selectFrom('message_locations')
    .select((eb) => eb.fn.min<number>('uid').as('lowest'))
    .where('folder_id', '=', folderId)
    .where('uid_validity', '=', uidValidity)
    .where('uid', '>', 0) // placeholders of moves still in the outbox
    .executeTakeFirst();
  return row?.lowest ?? null;
}

/** The folder's locations: all of them, or those of the given UIDs. */
async function knownLocations(
  run: MailboxRun,
  folderId: number,
  uidValidity: number,
  uids: number[] | null,
): Promise<{ id: number; uid: number; flags: string }[]> {
  const query = run.db
    .selectFrom('message_locations')
    .select(['id', 'uid', 'flags'])
    .where('folder_id', '=', folderId)
    .where('uid_validity', '=', uidValidity)
    .where('uid', '>', 0);
  if (uids === null) return query.execute();
  const rows: { id: number; uid: number; flags: string }[] = [];
  for (let i = 0; i < uids.length; i += 500)
    rows.push(...(await query.where('uid', 'in', uids.slice(i, i + 500)).execute()));
  return rows;
}

async function pendingLocations(run: MailboxRun): Promise<Set<number | null>> {
  const ops = await run.db
    .selectFrom('outbox_ops')
    .select('location_id')
    .where('mailbox_id', '=', run.mailbox.id)
    .where('state', 'in', ['pending', 'running'])
    .execute();
  return new Set(ops.map((o) => o.location_id));
}

/** How many messages the folder's next first-sync batch fetches: a screenful first, then BATCH, never above `limit`. */
export function firstSyncBatchSize(folder: Pick<FolderRow, 'synced_count'>, limit = BATCH): number {
  return Math.max(1, Math.min(folder.synced_count === 0 ? FIRST_BATCH : BATCH, limit));
}

/**
 * One batch of the newest-first first sync: the newest UIDs below the low
 * mark that fall inside the sync period. Returns true while more remain.
 */
export async function firstSyncBatch(run: MailboxRun, folderId: number, size?: number): Promise<boolean> {
  const folder = await reload(run, folderId);
  if (folder.first_sync_done === 1 || folder.uid_validity === null) return false;
  const box = await select(run, folder.path);
  if (Number(box.uidValidity) !== folder.uid_validity) {
    // Reset now: returning with nothing done would have the loop pick this folder again at
    // once, without a command to the server, and spin (a selection an outbox op made
    // read-write can show the new UIDVALIDITY before any change pass has seen it).
    await syncFolderChanges(run, folderId);
    return true;
  }

  let pending = run.pending.get(folder.id);
  if (!pending) {
    pending = await pendingFirstSync(run, folder);
    run.pending.set(folder.id, pending);
    const total = pending.length;
    await run.write(async (trx) => {
      const stored = await countStored(trx, folder.id);
      await writeCursor(trx, folder.id, { server_total: stored + total, synced_count: stored });
    });
  }
  const take = size ?? firstSyncBatchSize(folder);
  const batch = pending.slice(0, take);
  const rest = pending.slice(take);
  // The header pass: listed now, bodies indexed behind it (indexer.ts). A group mailbox reads
  // them at once: filing its conversations tells delivery reports by their parts.
  const messages = await fetchPrepared(run, batch, run.mailbox.group_id === null ? 'listed' : 'whole');
  await storeBatch(run, folder, folder.uid_validity, messages, async (trx) => {
    await writeCursor(trx, folder.id, {
      ...afterFirstSyncBatch(folder, batch.at(-1), rest.length === 0), // batches run newest first
      synced_count: await countStored(trx, folder.id),
    });
  });
  run.pending.set(folder.id, rest);
  return rest.length > 0;
}

/** UIDs below the low mark, inside the sync period, not yet stored; newest first. */
async function pendingFirstSync(run: MailboxRun, folder: FolderRow): Promise<number[]> {
  const low = folder.first_sync_low_uid ?? 1;
  if (low <= 1) return [];
  const inPeriod = new Set(await arrivedSinceSaved(run, folder, low));
  // "now" is exactly what arrived after Save, where the folder's UIDNEXT at Save is known.
  const byUidOnly = run.mailbox.sync_period === 'now' && folder.period_start_uid !== null;
  if (!byUidOnly) for (const uid of await datedInPeriod(run, low, inPeriod)) inPeriod.add(uid);
  const stored = new Set(
    (
      await run.db
        .selectFrom('message_locations')
        .select('uid')
        .where('folder_id', '=', folder.id)
        .where('uid_validity', '=', folder.uid_validity ?? 0)
        .execute()
    ).map((r) => r.uid),
  );
  return [...inPeriod].filter((uid) => !stored.has(uid)).sort((a, b) => b - a);
}

/** UIDs below the low mark (and not in `known`) whose INTERNALDATE is inside the sync period. */
async function datedInPeriod(run: MailboxRun, low: number, known: Set<number>): Promise<number[]> {
  const range = `1:${low - 1}`;
  const inPeriod: number[] = [];
  // INTERNALDATE has whole seconds (RFC 3501 date-time): a message of the period's first second is in.
  const since = Math.floor(run.mailbox.sync_since / 1000) * 1000;
  // SEARCH SINCE compares calendar days in the server's time zone: ask with days of margin each
  // side, and read INTERNALDATE only for the UIDs in between (a FETCH of every UID is slow at 100k).
  const utcDay = Math.floor(since / DAY_MS) * DAY_MS;
  const candidates = (await searchUids(run.client, { uid: range, since: new Date(utcDay - DAY_MS) })).filter(
    (uid) => uid < low && !known.has(uid),
  );
  if (candidates.length === 0) return [];
  const surely = new Set(await searchUids(run.client, { uid: range, since: new Date(utcDay + 3 * DAY_MS) }));
  const unsure = candidates.filter((uid) => !surely.has(uid));
  inPeriod.push(...candidates.filter((uid) => surely.has(uid)));
  if (unsure.length > 0) {
    for await (const message of run.client.fetch(uidSet(unsure), { uid: true, internalDate: true }, { uid: true })) {
      const date = message.internalDate ? new Date(message.internalDate).getTime() : Date.now();
      if (date >= since) inPeriod.push(message.uid);
    }
  }
  return inPeriod;
}

/**
 * UIDs below the low mark from the folder's UIDNEXT when the mailbox was saved:
 * they arrived after Save was pressed, so they are in the period whatever date
 * they carry (a second-precision INTERNALDATE, a server clock behind, an old
 * message moved in by another app).
 */
async function arrivedSinceSaved(run: MailboxRun, folder: FolderRow, low: number): Promise<number[]> {
  const start = folder.period_start_uid;
  if (start === null || start >= low) return [];
  return (await searchUids(run.client, { uid: `${start}:${low - 1}` })).filter((uid) => uid >= start && uid < low);
}
