// Code comments cite the sync invariants by number; each cited number must exist in docs/sync.md.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.tsx?$/.test(e.name)).map((e) => join(e.parentPath, e.name));
}

/** The numbers of the invariants docs/sync.md defines (its numbered list under "## Invariants"). */
function definedInvariants(doc: string): Set<number> {
  const section = doc.split(/^## Invariants$/m)[1] ?? '';
  const body = section.split(/^## /m)[0] ?? '';
  return new Set([...body.matchAll(/^(\d+)\. \*\*/gm)].map((m) => Number(m[1])));
}

describe('sync invariants cited in code', () => {
  it('each name one docs/sync.md defines', async () => {
    const defined = definedInvariants(await readFile(join(root, 'docs', 'sync.md'), 'utf8'));
    expect(defined.size).toBeGreaterThan(10);
    const files = [...(await sourceFiles(join(root, 'src'))), ...(await sourceFiles(join(root, 'web', 'src')))];
    const citations: string[] = [];
    const wrong: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/invariants? (\d+)/g)) {
        const line = text.slice(0, match.index).split('\n').length;
        const where = `${file.slice(root.length + 1)}:${line}`;
        citations.push(where);
        if (
          !/docs\/sync\.md invariants? \d+/.test(
            text.slice(Math.max(0, match.index - 13), match.index + match[0].length),
          )
        ) {
          wrong.push(`${where} cites "${match[0]}" without naming docs/sync.md`);
        } else if (!defined.has(Number(match[1])))
          wrong.push(`${where} cites invariant ${match[1]}, not in docs/sync.md`);
      }
    }
    expect(citations.length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });
});
