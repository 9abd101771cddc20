// Reads a V8 .cpuprofile (node --cpu-prof) and tells where the time went:
// self time per function and per package / source folder.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Time not idle: what the main thread spent working. */
  busyMs: number;
  topFunctions: ProfileEntry[];
  byPackage: ProfileEntry[];
}

/** node_modules/<pkg>, src/<layer>/<sub>, node:<module>, or V8's own pseudo-frames. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  const source = /\/src\/([^/]+(?:\/[^/.]+(?=\/))?)/.exec(url);
  if (source?.[1]) return `src/${source[1]}`;
  if (url.startsWith('node:')) return url;
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/(src|bench|test)\//, '$1/');
}

export async function summarizeProfile(file: string, top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0 && deltas.length === samples.length) {
    // Each sample's time is the delta to the next sample.
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i] ?? 0;
      const ms = (deltas[i + 1] ?? 0) / 1000;
      selfMs.set(id, (selfMs.get(id) ?? 0) + ms);
    }
  } else {
    const total = (profile.endTime - profile.startTime) / 1000;
    const hits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
    for (const n of profile.nodes) selfMs.set(n.id, ((n.hitCount ?? 0) / hits) * total);
  }
  const totalMs = [...selfMs.values()].reduce((a, b) => a + b, 0);
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let idleMs = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const name = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
  }
  const busyMs = totalMs - idleMs;
  const entries = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({
        name,
        ms: Math.round(ms),
        share: busyMs > 0 ? Math.round((ms / busyMs) * 1000) / 10 : 0,
      }));
  return {
    file,
    totalMs: Math.round(totalMs),
    busyMs: Math.round(busyMs),
    topFunctions: entries(functions),
    byPackage: entries(packages),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [
    `CPU profile of tandem serve (${summary.file}): ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(summary.totalMs / 1000).toFixed(1)} s`,
  ];
  lines.push('  by package / source folder (self time, share of busy):');
  for (const e of summary.byPackage)
    lines.push(`    ${e.share.toFixed(1).padStart(5)}%  ${String(e.ms).padStart(7)} ms  ${e.name}`);
  lines.push('  top functions (self time):');
  for (const e of summary.topFunctions)
    lines.push(`    ${e.share.toFixed(1).padStart(5)}%  ${String(e.ms).padStart(7)} ms  ${e.name}`);
  return lines.join('\n');
}
