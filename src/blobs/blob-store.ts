import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Raw messages and attachments, content-addressed by sha256 under
 * `<dataDir>/blobs/ab/cd/<hash>`. The same bytes are stored once; writes go
 * through a temp file and a rename, so a crash never leaves a partial blob
 * under its final name. Files are 0600 and folders 0700 (mail is private to
 * the owner of the process), whatever the data folder's own mode.
 *
 * Storing bytes that are already there refreshes the file's mtime: the
 * collector (`sweep`) keeps every file younger than its grace period, so a blob
 * a writer has just stored (or found stored) is safe until the row that
 * references it is committed.
 */
export class BlobStore {
  readonly root: string;
  /** Folders known to exist, so a write needs no failed attempt and no mkdir first. */
  #folders = new Set<string>();

  constructor(readonly dataDir: string) {
    this.root = path.join(dataDir, 'blobs');
  }

  /** Stores the bytes and returns their key (hex sha256). */
  async put(content: Buffer): Promise<string> {
    const key = createHash('sha256').update(content).digest('hex');
    const file = this.pathOf(key);
    if (await touched(file)) return key;
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, content, { mode: 0o600 });
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true }); // a full disk must not fill up with empty temp files
      throw error;
    }
    return key;
  }

  /** The same as `put`, blocking: cheaper for the many small blobs of a sync (no trips through libuv's thread pool). */
  putSync(content: Uint8Array): string {
    const key = createHash('sha256').update(content).digest('hex');
    const file = this.pathOf(key);
    if (touchedSync(file)) return key;
    const folder = path.dirname(file);
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      try {
        if (!this.#folders.has(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
        writeFileSync(temp, content, { mode: 0o600 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        mkdirSync(folder, { recursive: true, mode: 0o700 }); // the folder was removed since: once more
        writeFileSync(temp, content, { mode: 0o600 });
      }
      this.#folders.add(folder);
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true }); // a full disk must not fill up with empty temp files
      throw error;
    }
    return key;
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async has(key: string): Promise<boolean> {
    return (await statOrNull(this.pathOf(key))) !== null;
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /**
   * Deletes every blob `keep` refuses whose file is older than `cutoff` (epoch ms), and temp files
   * a crash left behind (`.tmp`, `.gc`). A candidate is first renamed aside, then its mtime read again: a writer that
   * refreshed it before the rename is seen (the file goes back), one that comes after finds no file
   * and writes it anew. So no blob a writer is about to reference is ever lost.
   */
  async sweep(keep: (key: string) => boolean, cutoff: number, dryRun = false): Promise<SweepResult> {
    const result: SweepResult = { kept: 0, keptBytes: 0, deleted: 0, deletedBytes: 0 };
    for (const file of await filesUnder(this.root)) {
      const name = path.basename(file);
      const info = await statOrNull(file);
      if (!info) continue;
      const isBlob = /^[0-9a-f]{64}$/.test(name);
      if (info.mtimeMs >= cutoff || (isBlob && keep(name)) || (!isBlob && !/\.(tmp|gc)$/.test(name))) {
        result.kept++;
        result.keptBytes += info.size;
        continue;
      }
      if (!dryRun && !(await removeIfStale(file, cutoff))) {
        result.kept++;
        result.keptBytes += info.size;
        continue;
      }
      result.deleted++;
      result.deletedBytes += info.size;
    }
    return result;
  }

  pathOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`Not a blob key: ${key}`);
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }
}

export interface SweepResult {
  kept: number;
  keptBytes: number;
  deleted: number;
  deletedBytes: number;
}

/** Refreshes an existing file's mtime; false when there is no such file. */
async function touched(file: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(file, now, now);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function touchedSync(file: string): boolean {
  const now = new Date();
  try {
    utimesSync(file, now, now);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Renames the file aside, then deletes it unless a writer refreshed it meanwhile (then it goes back). */
async function removeIfStale(file: string, cutoff: number): Promise<boolean> {
  const aside = `${file}.${randomBytes(6).toString('hex')}.gc`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if ((await stat(aside)).mtimeMs >= cutoff) {
    await rename(aside, file); // the same bytes, whether or not a writer stored them again meanwhile
    return false;
  }
  await unlink(aside);
  return true;
}

async function statOrNull(file: string) {
  try {
    return await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Every file in the two levels of folders under the root (none when the root does not exist yet). */
async function filesUnder(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && depth < 2) await walk(full, depth + 1);
      else if (entry.isFile() && depth === 2) files.push(full);
    }
  };
  await walk(root, 0);
  return files;
}
