import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox, loadSecretKey } from './index.ts';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never shows the plaintext', () => {
    const sealed = box.seal('imap-password-123');
    expect(sealed).not.toContain('imap-password-123');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed)).toBe('imap-password-123');
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses tampered text and another key', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(/cannot be decrypted/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/cannot be decrypted/);
    expect(() => box.open('plain text')).toThrow(/Not a sealed secret/);
  });
});

describe('loadSecretKey', () => {
  it('generates a key file once with mode 0600 and reuses it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-key-'));
    const first = loadSecretKey(undefined, dir);
    const file = path.join(dir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    expect(loadSecretKey(undefined, dir).equals(first)).toBe(true);
  });

  it('prefers the configured key', () => {
    const hex = 'cd'.repeat(32);
    expect(loadSecretKey(hex, '/nonexistent').toString('hex')).toBe(hex);
    expect(() => loadSecretKey('c2hvcnQ=', '/nonexistent')).toThrow(/32 bytes/);
  });
});
