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
