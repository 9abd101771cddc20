/**
 * Reads a Date header (RFC 5322 §3.3) leniently. The first try is the JS date
 * parser (it handles RFC 5322 and most legacy forms); then a light repair of
 * damage seen in real mail: `+-0500`, weekday in odd places, spelled-out zone
 * names (dropped, read as UTC), and a missing zone (read as UTC, not local time,
 * so results do not depend on the machine). Returns null when nothing works.
 */
export function parseDateHeader(value: string): Date | null {
  const first = toDate(withZone(value));
  if (first) return first;
  const repaired = value
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\+-(\d{4})/, '-$1')
    .replace(/\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?/gi, ' ')
    .replace(/(\d{1,2}:\d{2}(?::\d{2})?)\s+(?:[A-Za-z]+\s+){1,3}[A-Za-z]+\s*$/, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return toDate(withZone(repaired));
}

/** Appends GMT when the value names no zone, so missing zones read as UTC. */
function withZone(value: string): string {
  const hasZone = /(?:[+-]\d{2}:?\d{2}|[A-Za-z]+)\s*(?:\([^)]*\))?\s*$/.test(value.trim());
  return hasZone ? value : `${value} GMT`;
}

const MONTH_OR_YMD = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\d{4}[-/]\d{1,2}[-/]\d{1,2}/i;

function toDate(value: string): Date | null {
  // The JS parser accepts odd things ("2" is a date): insist on a month name or a numeric y/m/d.
  if (!MONTH_OR_YMD.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
