import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMessage } from './parse.ts';
import type { ParsedMessage } from './types.ts';

// Every real-world message of the shared corpus (/work/shared/corpus, read in
// place, never copied into the project) must parse without throwing and give a
// result that is safe to store and display. Broken messages are expected: they
// show up in `problems`, not as exceptions.

const CORPUS = process.env.TANDEM_CORPUS_DIR ?? fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));
const present = existsSync(CORPUS);
if (!present) console.warn(`MIME corpus test skipped: ${CORPUS} not found (set TANDEM_CORPUS_DIR to point elsewhere)`);
const folders = present
  ? readdirSync(CORPUS)
      .filter((name) => statSync(join(CORPUS, name)).isDirectory())
      .sort()
  : [];

/** Returns what is wrong with a parse result; [] when every invariant holds. */
function violations(m: ParsedMessage): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) out.push(what);
  };
  check(typeof m.subject === 'string' && !/[\0\r\n]/.test(m.subject), 'subject not a single clean line');
  check(typeof m.text === 'string' && !/[\0\r]/.test(m.text), 'text not clean LF text');
  check(Array.from(m.snippet).length <= 200 && !/[\n\r]/.test(m.snippet), 'snippet too long or multi-line');
  check(m.date === null || !Number.isNaN(m.date.getTime()), 'invalid date');
  for (const id of [m.messageId, m.inReplyTo, ...m.references]) {
    check(id === null || (id !== '' && !/[<>\s]/.test(id)), `message id not normalized: ${id}`);
  }
  for (const a of [m.from, ...m.to, ...m.cc, ...m.bcc, ...m.replyTo]) {
    check(a === null || (typeof a.name === 'string' && typeof a.address === 'string'), 'bad address');
  }
  for (const a of m.attachments) {
    check(Buffer.isBuffer(a.content) && a.size === a.content.length, `attachment size ${a.size} != content length`);
    check(a.contentType !== '' && a.contentType === a.contentType.toLowerCase(), `content type ${a.contentType}`);
    check(a.contentId === null || !/[<>]/.test(a.contentId), `content id ${a.contentId}`);
    check(a.filename === null || !/[/\\\0]/.test(a.filename), `unsafe file name ${a.filename}`);
  }
  if (m.html !== null) {
    const html = m.html;
    check(!/<(?:script|iframe|object|embed|svg|form|meta|base|link|style)\b/i.test(html), 'dangerous tag in html');
    check(!/<[^>]*\son[a-z]+\s*=/i.test(html), 'event handler in html');
    check(!/\s(?:href|src)="\s*(?:javascript|vbscript|data:text)/i.test(html), 'script URL in html');
    check(!/<img\b[^>]*\ssrc="(?:https?:)?\/\//i.test(html), 'remote image not blocked');
    check(!/style="[^"]*(?:url|expression)\s*\(/i.test(html), 'css url()/expression() in html');
  }
  const decoded = JSON.stringify([
    m.subject,
    m.from,
    m.to,
    m.cc,
    m.replyTo,
    m.text,
    m.attachments.map((a) => a.filename),
  ]);
  check(!decoded.includes('\u00ef\u00bf\u00bd'), 'replacement character decoded twice (ï¿½)');
  check(!/=\?(?:unicode-1-1-)?utf-?7\?/i.test(decoded), 'UTF-7 encoded word left undecoded');
  check(
    m.problems.every((p) => typeof p === 'string' && p !== ''),
    'bad problem entry',
  );
  check(
    Object.values(m.headers).every((v) => typeof v === 'string'),
    'bad header value',
  );
  return out;
}

const stats = { files: 0, withProblems: 0, ms: 0 };

describe.skipIf(!present)(`real-world corpus (${present ? CORPUS : `skipped: ${CORPUS} not found`})`, () => {
  afterAll(() => {
    console.info(
      `corpus: ${stats.files} messages, ${stats.withProblems} with problems, parsed in ${Math.round(stats.ms)} ms`,
    );
  });

  it.each(folders)('%s: every message parses with sane invariants', async (folder) => {
    const dir = join(CORPUS, folder);
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.eml'))
      .sort();
    const failures: string[] = [];
    for (const name of files) {
      const raw = readFileSync(join(dir, name));
      const started = performance.now();
      try {
        const m = await parseMessage(raw);
        for (const v of violations(m)) failures.push(`${name}: ${v}`);
        if (m.problems.length > 0) stats.withProblems += 1;
      } catch (error) {
        failures.push(`${name}: threw ${String(error)}`);
      }
      stats.ms += performance.now() - started;
      stats.files += 1;
    }
    expect(files.length).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});
