import { describe, expect, it } from 'vitest';
import { withTandemId } from './tandem-id.ts';

describe('withTandemId', () => {
  it('sets the header and keeps every other byte', () => {
    const raw = Buffer.from('From: a@x\r\nSubject: hi\r\n\r\nLine 1\r\nLine 2\r\n');
    expect(withTandemId(raw, 'v2').toString()).toBe(
      'X-Tandem-Id: v2\r\nFrom: a@x\r\nSubject: hi\r\n\r\nLine 1\r\nLine 2\r\n',
    );
  });

  it('replaces an earlier one, folded lines included, even as the last header', () => {
    const raw = Buffer.from('From: a@x\r\nX-Tandem-Id: v1\r\n more\r\n\r\nbody\r\n');
    expect(withTandemId(raw, 'v2').toString()).toBe('X-Tandem-Id: v2\r\nFrom: a@x\r\n\r\nbody\r\n');
  });

  it('keeps bare LF messages in LF', () => {
    expect(withTandemId(Buffer.from('x-tandem-id: old\nSubject: s\n\nb\n'), 'v3').toString()).toBe(
      'X-Tandem-Id: v3\nSubject: s\n\nb\n',
    );
  });
});
