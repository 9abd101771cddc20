import type { Trigger } from './definition.ts';

type Schedule = Extract<Trigger, { type: 'schedule' }>;

/**
 * The first time strictly after `after` (epoch ms) at which a schedule fires:
 * its time of day in the workspace's time zone, every day or on its weekday.
 * A time a DST change skips fires at the same wall time shifted by the gap.
 */
export function nextScheduleTime(schedule: Schedule, timeZone: string, after: number): number {
  const [hour, minute] = schedule.at.split(':').map(Number) as [number, number];
  const today = wallDate(after, timeZone);
  for (let day = 0; day <= 8; day += 1) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + day));
    if (schedule.every === 'week' && date.getUTCDay() !== (schedule.weekday ?? 1)) continue;
    const at = zonedTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hour, minute, timeZone);
    if (at > after) return at;
  }
  throw new Error('no schedule time within eight days');
}

function wallDate(at: number, timeZone: string): { year: number; month: number; day: number } {
  const parts = partsOf(at, timeZone);
  return { year: parts.year, month: parts.month, day: parts.day };
}

/** Epoch ms of a wall-clock time in a time zone. */
function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall - offsetOf(wall, timeZone);
  guess = wall - offsetOf(guess, timeZone);
  return guess;
}

/** How far the zone's wall clock is ahead of UTC at `at`, in ms. */
function offsetOf(at: number, timeZone: string): number {
  const p = partsOf(at, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000;
}

function partsOf(at: number, timeZone: string) {
  const formatted = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(formatted.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}
