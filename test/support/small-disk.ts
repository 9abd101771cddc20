// A small filesystem of its own for a test's data folder, to fill it up: a tmpfs
// mounted for the test (needs root, as tests run here and in CI). Null (the test
// skips, saying why) only where it cannot be mounted — never in CI.
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './process.ts';

export interface SmallDisk {
  dir: string;
  /** Writes a file until the filesystem is full. */
  fill(): void;
  /** Removes what `fill` wrote. */
  free(): void;
  dispose(): Promise<void>;
}

export async function mountSmallDisk(megabytes: number): Promise<SmallDisk | null> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-small-disk-'));
  const filler = path.join(dir, 'filler');
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', dir]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (process.env.CI) throw new Error('cannot mount a tmpfs: CI must run the full-disk test', { cause: error });
    console.warn(`cannot mount a small filesystem (${(error as Error).message}): the full-disk test is skipped`);
    return null;
  }
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        // Fill the last bytes too, a smaller chunk at a time.
        for (let size = 32 * 1024; size >= 512; size /= 2) {
          try {
            for (;;) writeSync(fd, chunk.subarray(0, size));
          } catch {
            // full at this size: try a smaller one
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    async dispose() {
      await run('umount', ['-l', dir]).catch(() => undefined);
      if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
    },
  };
}
