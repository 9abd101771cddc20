import { chmodSync, closeSync, mkdtempSync, openSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobStore } from '../../src/blobs/index.ts';
import { migrateToLatest, openStore } from '../../src/db/index.ts';

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

/**
 * The data folder holds every email: its files are the owner's alone even when the
 * folder itself was made readable by others (a mounted volume, `mkdir` with a loose umask).
 */
describe('files in the data folder', () => {
  it('are 0600 and folders 0700, whatever the data folder’s mode', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-modes-'));
    chmodSync(dataDir, 0o755);
    const store = openStore({ dataDir });
    try {
      await migrateToLatest(store);
      await store.db.selectFrom('users').select('id').execute();
      for (const file of ['tandem.sqlite', 'tandem.sqlite-wal', 'tandem.sqlite-shm'])
        expect([file, mode(path.join(dataDir, file))]).toEqual([file, '600']);
    } finally {
      await store.close();
    }
    const blobs = new BlobStore(dataDir);
    const key = blobs.putSync(Buffer.from('Subject: a\r\n\r\nb\r\n'));
    const other = await blobs.put(Buffer.from('Subject: c\r\n\r\nd\r\n'));
    for (const blob of [key, other]) {
      const file = blobs.pathOf(blob);
      expect(mode(file)).toBe('600');
      expect([mode(path.dirname(file)), mode(path.dirname(path.dirname(file))), mode(blobs.root)]).toEqual([
        '700',
        '700',
        '700',
      ]);
    }
  });

  it('sets a database an older version left 0644 to 0600', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-modes-'));
    const file = path.join(dataDir, 'tandem.sqlite');
    closeSync(openSync(file, 'w', 0o644));
    chmodSync(file, 0o644);
    const store = openStore({ dataDir });
    try {
      await migrateToLatest(store);
      expect(mode(file)).toBe('600');
    } finally {
      await store.close();
    }
  });
});
