import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobStore } from './index.ts';

describe('BlobStore', () => {
  it('stores content once under its sha256', async () => {
    const blobs = new BlobStore(mkdtempSync(path.join(os.tmpdir(), 'tandem-blobs-')));
    const content = Buffer.from('Subject: hi\r\n\r\nbody\r\n');
    const key = await blobs.put(content);
    expect(key).toBe(createHash('sha256').update(content).digest('hex'));
    expect(await blobs.put(Buffer.from(content))).toBe(key);
    expect((await blobs.get(key)).equals(content)).toBe(true);
    expect(blobs.pathOf(key)).toBe(path.join(blobs.root, key.slice(0, 2), key.slice(2, 4), key));
    expect(readdirSync(path.dirname(blobs.pathOf(key)))).toEqual([key]);
    await blobs.delete(key);
    expect(await blobs.has(key)).toBe(false);
  });

  it('refuses keys that are not hashes', () => {
    const blobs = new BlobStore('/tmp');
    expect(() => blobs.pathOf('../../etc/passwd')).toThrow(/Not a blob key/);
  });
});
