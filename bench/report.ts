// The one table `npm run bench` prints: Tandem beside mbsync and the raw-fetch
// limit, the ratios, the bar from shared/docs/performance.md, and whether it is met.

export interface Row {
  what: string;
  tandem: string;
  mbsync?: string;
  raw?: string;
  /** Tandem ÷ mbsync. */
  vsMbsync?: string;
  /** Tandem ÷ raw limit. */
  vsRaw?: string;
  bar?: string;
  /** true / false, or a qualified answer; null or absent: no bar. */
  met?: boolean | string | null;
}

export function fmt(value: number | null | undefined, digits = 0, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}${unit}`;
}

export function ratio(a: number | null | undefined, b: number | null | undefined): string {
  if (
    a === null ||
    a === undefined ||
    b === null ||
    b === undefined ||
    !Number.isFinite(a) ||
    !Number.isFinite(b) ||
    b === 0
  )
    return '—';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toFixed(3)}×`;
}

export function table(rows: Row[]): string {
  const header = ['what', 'Tandem', 'mbsync', 'raw limit', 'Tandem÷mbsync', 'Tandem÷raw', 'bar', 'met?'];
  const cells = rows.map((r) => [
    r.what,
    r.tandem,
    r.mbsync ?? '',
    r.raw ?? '',
    r.vsMbsync ?? '',
    r.vsRaw ?? '',
    r.bar ?? '',
    r.met === undefined || r.met === null ? '' : typeof r.met === 'string' ? r.met : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}
