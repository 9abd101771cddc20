/**
 * A write failed because the disk (or the database server's disk) is full:
 * Node's ENOSPC / EDQUOT, SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100).
 * Looks through `cause` chains, since callers wrap the error they met.
 */
export function isStorageFull(error: unknown): boolean {
  for (let each = error, depth = 0; each && depth < 5; depth += 1) {
    const code = (each as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || code === '53100') return true;
    each = (each as { cause?: unknown }).cause;
  }
  return false;
}

/** What the user is told when a write found the disk full. */
export const STORAGE_FULL_MESSAGE =
  "Tandem's storage is full: nothing was saved. It carries on by itself once space is freed.";

/**
 * Whether this process last met a full disk on a write, and has not had a
 * whole sync step work since. A full disk usually refuses the very write
 * that would record the mailbox's state, so the state shown is kept here too.
 */
let fullSince: number | null = null;

export const storageStatus = {
  /** Notes a failed write; true when it failed for lack of space. */
  noteFailure(error: unknown): boolean {
    if (!isStorageFull(error)) return false;
    fullSince ??= Date.now();
    return true;
  },
  /** Writes work again. */
  noteWritten(): void {
    fullSince = null;
  },
  isFull(): boolean {
    return fullSince !== null;
  },
};
