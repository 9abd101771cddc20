// The MIME parsers side by side, runnable alone: `npx tsx bench/parsers.ts`.
// Two inputs: the shared corpus of real messages and the bench's generated mix
// (the first 2,000 messages of `generateMailbox`, seed 1, CRLF as IMAP serves
// them). Each parser runs in its own child process on one thread (msg/s, peak
// RSS); then the corpus is parsed by mailparser and postal-mime once more and
// what each gives is compared field by field. Options: `--mix N` (2000),
// `--corpus DIR`, `--rounds R` (2, the best round counts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import type { ParsedMail, SimpleParserOptions } from 'mailparser';
import PostalMime from 'postal-mime';
import type { Email } from 'postal-mime';
import { parseMessage, sanitizeEmailHtml } from '../src/mail/mime/index.ts';
import { generateMailbox } from './mailbox.ts';
import { fmt } from './report.ts';

const KINDS = ['mailparser', 'postal-mime', 'tandem', 'sanitize'] as const;
type Kind = (typeof KINDS)[number];
type Input = 'corpus' | 'mix';

interface RunResult {
  kind: Kind;
  input: Input;
  messages: number;
  bytes: number;
  msgPerSec: number;
  baseRssMb: number;
  peakRssMb: number;
}

const DEFAULT_CORPUS = fileURLToPath(new URL('../../shared/corpus', import.meta.url));
// mailparser with the options Tandem's parse uses (src/mail/mime/parse.ts).
const MAILPARSER_OPTIONS: SimpleParserOptions = {
  skipTextToHtml: true,
  keepCidLinks: true,
  checksumAlgo: false,
  ignoreEmbedded: true,
};

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

function corpusMessages(dir: string): Buffer[] {
  const out: Buffer[] = [];
  for (const folder of readdirSync(dir).sort()) {
    const path = join(dir, folder);
    if (!statSync(path).isDirectory()) continue;
    for (const name of readdirSync(path).sort()) if (name.endsWith('.eml')) out.push(readFileSync(join(path, name)));
  }
  return out;
}

function mixMessages(count: number): Buffer[] {
  const out: Buffer[] = [];
  const plan = { messages: count, folders: 3, seed: 1, owner: 'bench@example.test' };
  generateMailbox(plan, (_message, raw) =>
    out.push(Buffer.from(raw.toString('latin1').replace(/\n/g, '\r\n'), 'latin1')),
  );
  return out;
}

function load(input: Input): Buffer[] {
  return input === 'corpus'
    ? corpusMessages(option('corpus', DEFAULT_CORPUS))
    : mixMessages(Number(option('mix', '2000')));
}

/** What one kind does with one message; `sanitize` is sanitize-html on mailparser's HTML, prepared untimed. */
async function prepare(kind: Kind, messages: Buffer[]): Promise<(index: number) => Promise<unknown>> {
  if (kind === 'mailparser') return (i) => simpleParser(messages[i] as Buffer, MAILPARSER_OPTIONS);
  if (kind === 'postal-mime') return (i) => PostalMime.parse(messages[i] as Buffer);
  if (kind === 'tandem') return (i) => parseMessage(messages[i] as Buffer);
  const html: string[] = [];
  for (const raw of messages) {
    const mail = await simpleParser(raw, MAILPARSER_OPTIONS);
    html.push(typeof mail.html === 'string' ? mail.html : '');
  }
  return (i) => Promise.resolve(sanitizeEmailHtml(html[i] ?? ''));
}

/** Child process: one kind on one input, best of `rounds` passes, one JSON line. */
async function runOne(kind: Kind, input: Input, rounds: number): Promise<void> {
  const messages = load(input);
  const parse = await prepare(kind, messages);
  global.gc?.();
  const baseRssMb = process.memoryUsage().rss / 1048576;
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < messages.length; i++) await parse(i);
    best = Math.min(best, performance.now() - started);
  }
  const result: RunResult = {
    kind,
    input,
    messages: messages.length,
    bytes: messages.reduce((sum, m) => sum + m.length, 0),
    msgPerSec: messages.length / (best / 1000),
    baseRssMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function spawnOne(kind: Kind, input: Input, rounds: number): RunResult {
  const args = ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--one', kind, input, String(rounds)];
  const child = spawnSync(process.execPath, [...args, ...process.argv.slice(2)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${kind} on ${input} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as RunResult;
}

// ---- correctness: mailparser and postal-mime on the corpus, field by field ----

interface Fields {
  subject: string;
  from: string;
  to: string;
  cc: string;
  text: string;
  hasHtml: boolean;
  attachments: string;
}

const squash = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

type Flat = { name?: string | undefined; address?: string | undefined; group?: Flat[] | undefined };
function addresses(list: readonly Flat[]): string {
  const out: string[] = [];
  const walk = (entries: readonly Flat[]) => {
    for (const e of entries) {
      if (e.group) walk(e.group);
      else if (e.address) out.push(e.address.toLowerCase());
    }
  };
  walk(list);
  return out.join(',');
}

function fromMailparser(m: ParsedMail): Fields {
  const list = (v: ParsedMail['to']) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((o) => o.value));
  return {
    subject: squash(m.subject),
    from: addresses(m.from?.value ?? []),
    to: addresses(list(m.to)),
    cc: addresses(list(m.cc)),
    text: squash(m.text),
    hasHtml: typeof m.html === 'string',
    attachments: m.attachments.map((a) => `${a.contentType.toLowerCase()}:${a.size}`).join(','),
  };
}

function fromPostal(m: Email): Fields {
  const one = (a: Email['from']) => (a ? [a as Flat] : []);
  return {
    subject: squash(m.subject),
    from: addresses(one(m.from)),
    to: addresses((m.to ?? []) as Flat[]),
    cc: addresses((m.cc ?? []) as Flat[]),
    text: squash(m.text),
    hasHtml: typeof m.html === 'string',
    attachments: m.attachments
      .map((a) => {
        const size = typeof a.content === 'string' ? Buffer.byteLength(a.content) : a.content.byteLength;
        return `${a.mimeType.toLowerCase()}:${size}`;
      })
      .join(','),
  };
}

/** Encoding damage the corpus test looks for: UTF-8 decoded twice, encoded words left as they were. */
function damaged(f: Fields): boolean {
  const all = `${f.subject} ${f.text}`;
  return all.includes('\u00ef\u00bf\u00bd') || /=\?[\w-]+\?[bq]\?/i.test(f.subject);
}

async function compareOnCorpus(): Promise<Record<string, number>> {
  const counts: Record<string, number> = { messages: 0, postalThrew: 0, mailparserThrew: 0 };
  const bump = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  for (const raw of load('corpus')) {
    counts.messages = (counts.messages ?? 0) + 1;
    const mp = await simpleParser(raw, MAILPARSER_OPTIONS).then(fromMailparser, () => null);
    const pm = await PostalMime.parse(raw).then(fromPostal, () => null);
    if (mp === null) bump('mailparserThrew');
    if (pm === null) bump('postalThrew');
    if (mp === null || pm === null) continue;
    for (const key of Object.keys(mp) as (keyof Fields)[]) if (mp[key] !== pm[key]) bump(`differ:${key}`);
    if (damaged(mp)) bump('damaged:mailparser');
    if (damaged(pm)) bump('damaged:postal-mime');
  }
  return counts;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--one') {
    await runOne(process.argv[3] as Kind, process.argv[4] as Input, Number(process.argv[5]));
    return;
  }
  const rounds = Number(option('rounds', '2'));
  const inputs: Input[] = existsSync(option('corpus', DEFAULT_CORPUS)) ? ['corpus', 'mix'] : ['mix'];
  const results: RunResult[] = [];
  for (const input of inputs) for (const kind of KINDS) results.push(spawnOne(kind, input, rounds));
  console.log('| parser | input | messages | MB | msg/s (1 thread) | RSS before / peak |');
  console.log('|:--|:--|--:|--:|--:|--:|');
  for (const r of results) {
    const mb = fmt(r.bytes / 1048576, 1);
    const rss = `${fmt(r.baseRssMb)} / ${fmt(r.peakRssMb)} MB`;
    console.log(`| ${r.kind} | ${r.input} | ${r.messages} | ${mb} | ${fmt(r.msgPerSec)} | ${rss} |`);
  }
  if (inputs.includes('corpus')) console.log('\ncorpus, mailparser vs postal-mime:', await compareOnCorpus());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
