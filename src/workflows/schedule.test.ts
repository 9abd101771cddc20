import { describe, expect, it } from 'vitest';
import { nextScheduleTime } from './schedule.ts';

describe('schedule times', () => {
  const at = (iso: string) => Date.parse(iso);

  it('fires daily at its time in the workspace time zone', () => {
    const daily = { type: 'schedule' as const, recordType: 'deal' as const, every: 'day' as const, at: '09:00' };
    // Paris is UTC+1 in winter: 09:00 there is 08:00 UTC.
    expect(nextScheduleTime(daily, 'Europe/Paris', at('2026-12-02T07:00:00Z'))).toBe(at('2026-12-02T08:00:00Z'));
    expect(nextScheduleTime(daily, 'Europe/Paris', at('2026-12-02T08:00:00Z'))).toBe(at('2026-12-03T08:00:00Z'));
    expect(nextScheduleTime(daily, 'UTC', at('2026-12-02T07:00:00Z'))).toBe(at('2026-12-02T09:00:00Z'));
    // Summer time: UTC+2.
    expect(nextScheduleTime(daily, 'Europe/Paris', at('2026-07-01T00:00:00Z'))).toBe(at('2026-07-01T07:00:00Z'));
  });

  it('fires weekly on its weekday', () => {
    const weekly = {
      type: 'schedule' as const,
      recordType: 'deal' as const,
      every: 'week' as const,
      weekday: 1,
      at: '18:30',
    };
    // 2026-12-02 is a Wednesday: next Monday is 2026-12-07.
    expect(nextScheduleTime(weekly, 'America/New_York', at('2026-12-02T12:00:00Z'))).toBe(at('2026-12-07T23:30:00Z'));
  });
});
