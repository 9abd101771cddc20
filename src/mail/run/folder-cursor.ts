import type { Kysely } from 'kysely';
import type { Database, Flag } from '../../db/index.ts';

/**
 * How far a folder's sync has got. Every change of it is one of the
 * transitions below, written by `writeCursor` in the transaction that stores
 * (or forgets) the data it covers, so it never runs ahead of that data
 * (docs/sync.md invariant 4).
 */
export interface FolderCursor {
  /** The UIDVALIDITY the other columns belong to; null until the folder is first seen (or after a reset). */
  uid_validity: number | null;
  /** Every UID below it is stored (or was outside the sync period when the first sync looked). */
  uid_next: number | null;
  /** Every flag change up to this MODSEQ is applied; null when unknown (the next pass reads every flag). */
  highest_modseq: string | null;
  /** Lowest UID the newest-first first sync has reached. */
  first_sync_low_uid: number | null;
  first_sync_done: Flag;
}

/** The counts users see (the first sync's progress) and when flags were last checked, written with the cursor move they belong to. */
export interface FolderProgress {
  server_total: number;
  synced_count: number;
  last_full_check_at: number;
}

/** The columns one transition writes; only those it names change. */
export type CursorChange = Partial<FolderCursor & FolderProgress> & { period_start_uid?: null };

/** What an EXAMINE (or SELECT) told of a folder. */
export interface ServerFolderState {
  uidValidity: number;
  uidNext: number;
  /** Null when the folder has no mod-sequences (NOMODSEQ, or no CONDSTORE). */
  highestModseq: bigint | null;
}

/**
 * A folder seen for the first time (or again after a reset): new mail is
 * whatever arrives from today's UIDNEXT, older mail is left to the
 * newest-first first sync below it. Trash is never part of a first sync: only
 * what lands there from now on is synced.
 */
export function startCursor(
  server: ServerFolderState,
  isTrash: boolean,
): FolderCursor & Pick<FolderProgress, 'server_total'> {
  return {
    uid_validity: server.uidValidity,
    uid_next: server.uidNext,
    highest_modseq: server.highestModseq?.toString() ?? null,
    first_sync_low_uid: server.uidNext,
    first_sync_done: isTrash ? 1 : 0,
    server_total: 0,
  };
}

/** Why a folder's cursor starts over. */
export type ResetCause = 'uidvalidity-changed' | 'folder-disabled';

/**
 * Forgets how far the folder got: its next pass starts it again (`startCursor`).
 * After a UIDVALIDITY change the UIDNEXT at Save (`period_start_uid`) is a UID
 * of the old UIDVALIDITY too, so from then on the dates alone decide; a folder
 * merely disabled keeps it.
 */
export function resetCursor(cause: ResetCause): FolderCursor & CursorChange {
  const reset: FolderCursor & CursorChange = {
    uid_validity: null,
    uid_next: null,
    highest_modseq: null,
    first_sync_low_uid: null,
    first_sync_done: 0,
    server_total: 0,
    synced_count: 0,
  };
  return cause === 'uidvalidity-changed' ? { ...reset, period_start_uid: null } : reset;
}

/** What a pass has stored or applied, all of it in the transaction that writes the move. */
export interface CursorAdvance {
  /** Every UID below it is now stored. */
  uidNext?: number;
  /**
   * The MODSEQ up to which every flag change and expunge has been applied: the
   * folder's HIGHESTMODSEQ from the EXAMINE the pass worked from, or the
   * highest MODSEQ it fetched; null when the folder has no mod-sequences.
   */
  highestModseq?: bigint | null;
}

/**
 * Moves the cursor past what a pass stored. UIDNEXT never moves backwards. The
 * MODSEQ is exactly what the pass covered, never more: should a server report
 * a lower HIGHESTMODSEQ than before, the lower value is kept, which only makes
 * the next pass ask for more (RFC 7162 has mod-sequences only grow, but a
 * cursor past the server's would miss every change below it).
 */
export function advanceCursor(cursor: Pick<FolderCursor, 'uid_next'>, advance: CursorAdvance): CursorChange {
  const change: CursorChange = {};
  if (advance.uidNext !== undefined) change.uid_next = Math.max(cursor.uid_next ?? 1, advance.uidNext);
  if (advance.highestModseq !== undefined) change.highest_modseq = advance.highestModseq?.toString() ?? null;
  return change;
}

/**
 * After one batch of the newest-first first sync: the low mark moves down to
 * the lowest UID fetched (never up), and the first sync is done once nothing
 * is left (and stays done).
 */
export function afterFirstSyncBatch(
  cursor: Pick<FolderCursor, 'first_sync_low_uid' | 'first_sync_done'>,
  lowestFetched: number | undefined,
  done: boolean,
): CursorChange {
  const low = cursor.first_sync_low_uid;
  return {
    first_sync_low_uid: lowestFetched === undefined ? (low ?? 1) : Math.min(low ?? lowestFetched, lowestFetched),
    first_sync_done: cursor.first_sync_done === 1 || done ? 1 : 0,
  };
}

/** A location's flags became unknown (a failed move put it back): the next pass reads every flag of the folder. */
export function forgetModseq(): CursorChange {
  return { highest_modseq: null };
}

/** The one writer of a folder's cursor: call it inside the transaction that holds the data the change covers. */
export async function writeCursor(trx: Kysely<Database>, folderId: number, change: CursorChange): Promise<void> {
  if (Object.keys(change).length === 0) return;
  await trx.updateTable('folders').set(change).where('id', '=', folderId).execute();
}
