import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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

  it('stores blocking too, under the same key, and recovers when its folders were removed', async () => {
    const blobs = new BlobStore(mkdtempSync(path.join(os.tmpdir(), 'tandem-blobs-')));
    const content = Buffer.from('Subject: sync\r\n\r\nbody\r\n');
    const key = blobs.putSync(content);
    expect(key).toBe(await blobs.put(Buffer.from(content)));
    expect(readdirSync(path.dirname(blobs.pathOf(key)))).toEqual([key]); // no temp file left
    rmSync(blobs.root, { recursive: true });
    expect(blobs.putSync(content)).toBe(key);
    expect((await blobs.get(key)).equals(content)).toBe(true);
  });

  it('refuses keys that are not hashes', () => {
    const blobs = new BlobStore('/tmp');
    expect(() => blobs.pathOf('../../etc/passwd')).toThrow(/Not a blob key/);
  });
});
