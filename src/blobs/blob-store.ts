import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Raw messages and attachments, content-addressed by sha256 under
 * `<dataDir>/blobs/ab/cd/<hash>`. The same bytes are stored once; writes go
 * through a temp file and a rename, so a crash never leaves a partial blob
 * under its final name. Files are 0600 and folders 0700 (mail is private to
 * the owner of the process), whatever the data folder's own mode.
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
    if (await exists(file)) return key;
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, content, { mode: 0o600 });
    await rename(temp, file);
    return key;
  }

  /** The same as `put`, blocking: cheaper for the many small blobs of a sync (no trips through libuv's thread pool). */
  putSync(content: Uint8Array): string {
    const key = createHash('sha256').update(content).digest('hex');
    const file = this.pathOf(key);
    if (existsSync(file)) return key;
    const folder = path.dirname(file);
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
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
    return key;
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async has(key: string): Promise<boolean> {
    return exists(this.pathOf(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  pathOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`Not a blob key: ${key}`);
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
