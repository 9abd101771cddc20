import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

// The Node.js the README names is the one every installed package must accept:
// `npm ci` must not warn that a package wants a newer one (EBADENGINE), and
// package.json's engines say the same as the README.

const read = (file: string): string => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

interface LockEntry {
  engines?: { node?: string } | string[];
  optional?: boolean;
}

describe('the Node.js version the project names', () => {
  const named = /Node\.js ≥ (\d+\.\d+)/.exec(read('README.md'))?.[1];
  const lowest = semver.coerce(named)?.version ?? '';

  it('is the same in the README, the architecture notes and package.json', () => {
    expect(lowest).toMatch(/^\d+\.\d+\.0$/);
    expect(read('docs/architecture.md')).toContain(`Node.js ≥ ${named}`);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(semver.minVersion(engines)?.version).toBe(lowest);
  });

  it('is accepted by every package in the lockfile', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockEntry> };
    const refusing = Object.entries(lock.packages).flatMap(([where, entry]) => {
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      return where !== '' && node !== undefined && !semver.satisfies(lowest, node)
        ? [`${where} wants node ${node}`]
        : [];
    });
    expect(refusing).toEqual([]);
  });
});
