// Small helpers of the benchmark: /proc readings, percentiles, timing, cleanup.
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds since an arbitrary origin, monotonic. */
export function now(): number {
  return performance.now();
}

let clockTicks: number | null = null;

/** Kernel clock ticks per second (USER_HZ), for /proc/<pid>/stat CPU times. */
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), 10) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcMemory {
  rssMb: number;
  /** Peak RSS since the process started (VmHWM). */
  hwmMb: number;
}

/** RSS and peak RSS of a process, from /proc/<pid>/status; null once it is gone. */
export async function procMemory(pid: number): Promise<ProcMemory | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) =>
      Number.parseInt(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? '0', 10);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** User + system CPU time of a process (its own threads, not its children), in ms. */
export async function procCpuMs(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may contain spaces; fields after it start at index 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** Nearest-rank percentile of `values` (p in 0..100); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

export interface Distribution {
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Samples that did not complete within the time allowed (counted at that time in the percentiles). */
  timeouts: number;
}

export function distribution(samples: readonly number[], timeouts = 0): Distribution {
  return {
    count: samples.length,
    p50Ms: round(percentile(samples, 50), 1),
    p95Ms: round(percentile(samples, 95), 1),
    maxMs: round(Math.max(...samples), 1),
    timeouts,
  };
}

export function round(value: number, digits = 0): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Polls `probe` every `intervalMs` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  options: { intervalMs: number; timeoutMs: number; what: string },
): Promise<T> {
  const deadline = now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await sleep(options.intervalMs);
  }
}

/** Things to undo, last first; run() is safe to call more than once. */
export class Cleanup {
  #steps: { what: string; undo: () => Promise<void> | void }[] = [];

  add(what: string, undo: () => Promise<void> | void): void {
    this.#steps.push({ what, undo });
  }

  async run(): Promise<void> {
    while (this.#steps.length > 0) {
      const step = this.#steps.pop();
      if (!step) break;
      try {
        await step.undo();
      } catch (error) {
        console.error(`cleanup: ${step.what} failed: ${(error as Error).message}`);
      }
    }
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Quiet time before an idle measurement: V8's memory reducer runs its GCs in the first seconds of idleness. */
export const SETTLE_MS = 15_000;

/** Median RSS (sampled every second) and CPU time spent over `ms` of a quiet process. */
export async function quietCost(pid: number, ms = 10_000): Promise<{ rssMb: number; cpuMsPer10s: number }> {
  const cpu0 = (await procCpuMs(pid)) ?? 0;
  const started = now();
  const rss: number[] = [];
  while (now() - started < ms) {
    await sleep(Math.min(1000, ms - (now() - started)));
    const memory = await procMemory(pid);
    if (memory) rss.push(memory.rssMb);
  }
  const cpu1 = (await procCpuMs(pid)) ?? 0;
  return { rssMb: percentile(rss, 50), cpuMsPer10s: ((cpu1 - cpu0) * 10_000) / (now() - started) };
}
