import { describe, expect, it } from 'vitest';
import { advanceCursor, afterFirstSyncBatch, forgetModseq, resetCursor, startCursor } from './folder-cursor.ts';
import type { CursorChange, FolderCursor } from './folder-cursor.ts';

const server = { uidValidity: 7, uidNext: 500, highestModseq: 9000n };

/** The cursor a folder has after a change is applied to it. */
function apply(cursor: FolderCursor, change: CursorChange): FolderCursor {
  return { ...cursor, ...change };
}

describe('the folder cursor', () => {
  it('starts at the server’s UIDNEXT and HIGHESTMODSEQ, the first sync still to do below it', () => {
    expect(startCursor(server, false)).toEqual({
      uid_validity: 7,
      uid_next: 500,
      highest_modseq: '9000',
      first_sync_low_uid: 500,
      first_sync_done: 0,
      server_total: 0,
    });
  });

  it('starts Trash with its first sync done: only what lands there from now on is synced', () => {
    expect(startCursor(server, true)).toMatchObject({ uid_next: 500, first_sync_low_uid: 500, first_sync_done: 1 });
  });

  it('starts without a MODSEQ on a folder that has none', () => {
    expect(startCursor({ ...server, highestModseq: null }, false).highest_modseq).toBeNull();
  });

  it('moves UIDNEXT forward past what a pass stored', () => {
    expect(advanceCursor({ uid_next: 500 }, { uidNext: 512 })).toEqual({ uid_next: 512 });
    expect(advanceCursor({ uid_next: null }, { uidNext: 3 })).toEqual({ uid_next: 3 });
  });

  it('never moves UIDNEXT backwards', () => {
    expect(advanceCursor({ uid_next: 500 }, { uidNext: 420 })).toEqual({ uid_next: 500 });
  });

  it('leaves the MODSEQ alone when a pass only stored new mail', () => {
    expect(advanceCursor({ uid_next: 500 }, { uidNext: 501 })).not.toHaveProperty('highest_modseq');
  });

  it('saves exactly the MODSEQ the pass covered, never the stored one when the server’s is lower', () => {
    expect(advanceCursor({ uid_next: 500 }, { highestModseq: 9100n })).toEqual({ highest_modseq: '9100' });
    // A server that lost mod-sequences: the lower value only makes the next pass ask for more.
    expect(advanceCursor({ uid_next: 500 }, { highestModseq: 12n })).toEqual({ highest_modseq: '12' });
    expect(advanceCursor({ uid_next: 500 }, { highestModseq: null })).toEqual({ highest_modseq: null });
  });

  it('starts over after a UIDVALIDITY change, forgetting the UIDNEXT at Save as well', () => {
    const synced = apply(startCursor(server, false), { first_sync_done: 1 });
    const reset = resetCursor('uidvalidity-changed');
    expect(apply(synced, reset)).toEqual({
      uid_validity: null,
      uid_next: null,
      highest_modseq: null,
      first_sync_low_uid: null,
      first_sync_done: 0,
      server_total: 0,
      synced_count: 0,
      period_start_uid: null,
    });
    // The next pass starts it at the new UIDVALIDITY.
    expect(startCursor({ ...server, uidValidity: 8, uidNext: 3 }, false)).toMatchObject({
      uid_validity: 8,
      uid_next: 3,
      first_sync_low_uid: 3,
      first_sync_done: 0,
    });
  });

  it('starts over a disabled folder the same way, keeping its UIDNEXT at Save (the UIDVALIDITY is the same)', () => {
    const { period_start_uid, ...rest } = resetCursor('uidvalidity-changed');
    expect(period_start_uid).toBeNull();
    expect(resetCursor('folder-disabled')).toEqual(rest);
    expect(resetCursor('folder-disabled')).not.toHaveProperty('period_start_uid');
  });

  it('moves the first sync’s low mark down batch by batch until it is done', () => {
    let cursor: FolderCursor = startCursor(server, false);
    cursor = apply(cursor, afterFirstSyncBatch(cursor, 470, false));
    expect(cursor).toMatchObject({ first_sync_low_uid: 470, first_sync_done: 0 });
    cursor = apply(cursor, afterFirstSyncBatch(cursor, 12, true));
    expect(cursor).toMatchObject({ first_sync_low_uid: 12, first_sync_done: 1, uid_next: 500 });
  });

  it('never moves the low mark up, and a done first sync stays done', () => {
    const cursor = { first_sync_low_uid: 100, first_sync_done: 1 } as const;
    expect(afterFirstSyncBatch(cursor, 300, false)).toEqual({ first_sync_low_uid: 100, first_sync_done: 1 });
  });

  it('keeps the low mark when a batch fetched nothing, and ends an empty first sync', () => {
    expect(afterFirstSyncBatch({ first_sync_low_uid: 500, first_sync_done: 0 }, undefined, true)).toEqual({
      first_sync_low_uid: 500,
      first_sync_done: 1,
    });
  });

  it('forgets only the MODSEQ when flags became unknown', () => {
    expect(forgetModseq()).toEqual({ highest_modseq: null });
  });
});
