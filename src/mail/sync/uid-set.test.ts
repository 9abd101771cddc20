import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../run/index.ts';
import { uidSet } from './uid-set.ts';

describe('uidSet', () => {
  it('compresses runs and sorts', () => {
    expect(uidSet([10, 9, 1, 2, 3, 7, 3])).toBe('1:3,7,9:10');
    expect(uidSet([5])).toBe('5');
    expect(uidSet([])).toBe('');
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap and is never zero', () => {
    expect(backoffDelay(0, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(5, 1000, 60_000, () => 0)).toBe(500);
  });
});
