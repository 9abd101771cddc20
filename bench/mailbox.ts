// A deterministic mailbox for the benchmark: seeded PRNG, realistic sizes
// (mostly 2–8 KB multipart text+html, ~5% with a 50–500 KB attachment, some
// replies), several folders (INBOX gets most), dates spread over the last five
// months. Written straight into a Dovecot user's Maildir before its first login.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../test/support/process.ts';

/** mulberry32: small, fast, good enough for test data. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Incompressible bytes (xorshift32 seeded from this generator). */
  bytes(length: number): Buffer {
    const words = new Uint32Array(Math.ceil(length / 4));
    let x = (this.next() * 4294967296) >>> 0 || 1;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      words[i] = x;
    }
    return Buffer.from(words.buffer, 0, length);
  }
}

// Ordinary words, most frequent first (drawn with a Zipf-like law).
const VOCABULARY = `the to and of a in for is on that with this be you it are as at we have will from your
our can please by not or all about if an more meeting project thanks team would time update next week new
call plan need one get review client price order thank let know hope also any some just like today share
report send attached draft latest see issue work question contract budget agenda note follow offer invoice
support account customer product design release feedback deadline schedule proposal numbers details
changes before after confirm available tomorrow friday monday quote delivery shipping payment renewal
meeting notes summary slides discussion launch campaign partner sales marketing legal finance office
travel booking hotel flight lunch dinner coffee morning afternoon evening afternoon website feature bug
ticket server access password login document signature approval timeline milestone estimate resources
training onboarding hiring interview candidate feedback roadmap strategy priority risk status weekly
monthly annual survey results data analysis chart forecast revenue target growth pipeline lead contact
introduction reminder invitation event webinar conference workshop registration venue catering`.split(/\s+/);

/** Words put into a known share of messages, for the search measurements. */
export const SEARCH_TERMS = {
  /** About 10 messages whatever N (the generator uses 10 / N): a name one looks up. */
  needle: { word: 'xylophonist', share: 0 },
  /** ~0.3% of messages. */
  rare: { word: 'zanzibar', share: 0.003 },
  /** ~5% of messages. */
  medium: { word: 'quarterly', share: 0.05 },
  /** ~40% of messages. */
  common: { word: 'kindly', share: 0.4 },
} as const;

const FIRST_NAMES = [
  'Alice',
  'Bruno',
  'Chloé',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kofi',
  'Lena',
  'Marta',
  'Nils',
  'Olga',
  'Pavel',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
];
const LAST_NAMES = [
  'Martin',
  'Schmidt',
  'Okafor',
  'Tanaka',
  'Rossi',
  'Novak',
  'Silva',
  'Dubois',
  'Larsen',
  'Kowalski',
  'Haddad',
  'Nguyen',
  'Fischer',
  'Moreau',
  'Ivanova',
];
const DOMAINS = [
  'acme.test',
  'globex.test',
  'initech.test',
  'umbrella.test',
  'stark.test',
  'wayne.test',
  'hooli.test',
  'vandelay.test',
];

/** Folders that carry the mail, in order; INBOX gets most. Drafts is added beside them (a few drafts). */
const FOLDER_POOL = ['INBOX', 'Archive', 'Sent', 'Projects', 'Receipts', 'Newsletters', 'Travel', 'Clients'];
export const DRAFTS = 'Drafts';
const DRAFTS_SHARE = 0.005;

export interface MailboxPlan {
  messages: number;
  folders: number;
  seed: number;
  /** The mailbox's own address (From of Sent and Drafts). */
  owner: string;
  /** Dates end this many ms before now; default 10 minutes. */
  endOffsetMs?: number;
  /** Period the dates spread over; default 150 days. */
  spanMs?: number;
}

export interface GeneratedMessage {
  index: number;
  folder: string;
  /** Date header and INTERNALDATE (file mtime), whole seconds. */
  date: Date;
  /** Without angle brackets, as Tandem stores it. */
  messageId: string;
  size: number;
  attachment: boolean;
}

export interface GeneratedMailbox {
  folders: string[];
  messages: GeneratedMessage[];
  totalBytes: number;
  perFolder: Record<string, number>;
  attachments: number;
  /** How many messages contain each search term. */
  termCounts: Record<keyof typeof SEARCH_TERMS, number>;
}

export function folderNames(count: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(FOLDER_POOL[i] ?? `Folder-${i + 1}`);
  return names;
}

class Writer {
  readonly random: Random;
  readonly #weights: number[];
  readonly #total: number;

  constructor(seed: number) {
    this.random = new Random(seed);
    this.#weights = VOCABULARY.map((_, rank) => 1 / (rank + 1) ** 0.9);
    this.#total = this.#weights.reduce((a, b) => a + b, 0);
  }

  word(): string {
    let target = this.random.next() * this.#total;
    for (let i = 0; i < VOCABULARY.length; i++) {
      target -= this.#weights[i] ?? 0;
      if (target <= 0) return VOCABULARY[i] ?? 'the';
    }
    return 'the';
  }

  sentence(): string {
    const n = this.random.int(6, 18);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(this.word());
    const first = words[0] ?? 'the';
    words[0] = first.charAt(0).toUpperCase() + first.slice(1);
    return `${words.join(' ')}.`;
  }

  /** Paragraphs of about `bytes` characters. */
  paragraphs(bytes: number, inject: string[]): string[] {
    const paragraphs: string[] = [];
    let size = 0;
    let current: string[] = [];
    while (size < bytes) {
      const sentence = this.sentence();
      current.push(sentence);
      size += sentence.length + 1;
      if (current.length >= this.random.int(3, 6)) {
        paragraphs.push(current.join(' '));
        current = [];
      }
    }
    if (current.length > 0) paragraphs.push(current.join(' '));
    for (const word of inject) {
      const i = this.random.int(0, paragraphs.length - 1);
      paragraphs[i] = `${paragraphs[i] ?? ''} Also ${word} as discussed.`;
    }
    return paragraphs;
  }

  person(): { name: string; address: string } {
    const first = this.random.pick(FIRST_NAMES);
    const last = this.random.pick(LAST_NAMES);
    const domain = this.random.pick(DOMAINS);
    return {
      name: `${first} ${last}`,
      address: `${first
        .normalize('NFD')
        .replace(/[^a-zA-Z]/g, '')
        .toLowerCase()}.${last.toLowerCase()}@${domain}`,
    };
  }
}

/** Wraps text at ~72 columns. */
function wrap(text: string, width = 72): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > width && line.length > 0) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/** Quoted-printable for UTF-8 text (soft line breaks at 76). */
function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const sourceLine of text.split('\n')) {
    let encoded = '';
    for (const byte of Buffer.from(sourceLine, 'utf8')) {
      encoded +=
        byte === 0x3d || byte > 0x7e || (byte < 0x20 && byte !== 0x09)
          ? `=${byte.toString(16).toUpperCase().padStart(2, '0')}`
          : String.fromCharCode(byte);
    }
    while (encoded.length > 75) {
      let cut = 75;
      // Never split an =XX escape.
      const escape = encoded.lastIndexOf('=', cut);
      if (escape > cut - 3) cut = escape;
      out.push(`${encoded.slice(0, cut)}=`);
      encoded = encoded.slice(cut);
    }
    out.push(encoded);
  }
  return out.join('\n');
}

function encodedWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function address(person: { name: string; address: string }): string {
  return `${encodedWord(person.name)} <${person.address}>`;
}

function base64Lines(bytes: Buffer): string {
  const text = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 76) lines.push(text.slice(i, i + 76));
  return lines.join('\n');
}

const SUBJECTS = [
  'Quick question about',
  'Update on',
  'Re: your note on',
  'Next steps for',
  'Invoice for',
  'Notes from',
  'Proposal:',
  'Reminder:',
  'Feedback on',
  'Agenda for',
];

/**
 * Generates the mailbox message by message and hands each (LF line endings,
 * as Maildir stores them) to `sink`; keeps only the metadata.
 */
export function generateMailbox(
  plan: MailboxPlan,
  sink: (message: GeneratedMessage, raw: Buffer, flags: string) => void,
): GeneratedMailbox {
  const writer = new Writer(plan.seed);
  const r = writer.random;
  const mainFolders = folderNames(plan.folders);
  const folders = mainFolders.includes(DRAFTS) ? mainFolders : [...mainFolders, DRAFTS];
  const perFolder: Record<string, number> = Object.fromEntries(folders.map((f) => [f, 0]));
  const termCounts = { needle: 0, rare: 0, medium: 0, common: 0 };
  const span = plan.spanMs ?? 150 * 24 * 3600_000;
  const end = Date.now() - (plan.endOffsetMs ?? 10 * 60_000);
  const start = end - span;
  const step = span / Math.max(plan.messages, 1);
  const recent: { messageId: string; subject: string; references: string[] }[] = [];
  const messages: GeneratedMessage[] = [];
  let totalBytes = 0;
  let attachments = 0;
  for (let i = 0; i < plan.messages; i++) {
    // Chronological, whole seconds, distinct while the step is over a second.
    const date = new Date(Math.floor((start + (i + r.next() * 0.9) * step) / 1000) * 1000);
    let folder: string;
    if (r.chance(DRAFTS_SHARE)) folder = DRAFTS;
    else if (mainFolders.length === 1 || r.chance(0.7)) folder = mainFolders[0] ?? 'INBOX';
    else folder = mainFolders[1 + Math.floor(r.next() * (mainFolders.length - 1))] ?? 'INBOX';
    const outgoing = folder === 'Sent' || folder === DRAFTS;
    const other = writer.person();
    const me = { name: 'Bench Owner', address: plan.owner };
    const from = outgoing ? me : other;
    const to = outgoing ? other : me;
    const cc = r.chance(0.25) ? [writer.person()] : [];
    const messageId = `bench-${plan.seed}-${i}@${from.address.split('@')[1] ?? 'example.test'}`;

    const parent = recent.length > 0 && r.chance(0.3) ? r.pick(recent) : null;
    const topic = `${writer.word()} ${writer.word()} ${writer.word()}`;
    let subject = parent
      ? parent.subject.startsWith('Re: ')
        ? parent.subject
        : `Re: ${parent.subject}`
      : `${r.pick(SUBJECTS)} ${topic} #${i}`;
    if (!parent && r.chance(0.08)) subject = `${subject} — Überblick`;
    const references = parent ? [...parent.references.slice(-5), parent.messageId] : [];
    recent.push({ messageId, subject: subject.replace(/^Re: /, ''), references });
    if (recent.length > 200) recent.shift();

    const inject: string[] = [];
    for (const [key, term] of Object.entries(SEARCH_TERMS) as [
      keyof typeof SEARCH_TERMS,
      (typeof SEARCH_TERMS)[keyof typeof SEARCH_TERMS],
    ][]) {
      const share = key === 'needle' ? 10 / Math.max(plan.messages, 1) : term.share;
      if (r.chance(share)) {
        inject.push(term.word);
        termCounts[key] += 1;
      }
    }

    // Total size mostly 2–8 KB: headers ~0.8 KB, the rest split text / html (≈ 1 : 1.35).
    const target = Math.round(2048 * 4 ** r.next());
    const textBytes = Math.max(300, Math.round((target - 1100) / 2.4));
    const paragraphs = writer.paragraphs(textBytes, inject);
    const text = [
      `Hi ${to.name.split(' ')[0] ?? ''},`,
      '',
      ...paragraphs.flatMap((p) => [...wrap(p), '']),
      'Best regards,',
      from.name,
      '',
    ].join('\n');
    const html = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body style="font-family: Arial, sans-serif; font-size: 14px">\n<p>Hi ${to.name.split(' ')[0] ?? ''},</p>\n${paragraphs.map((p) => `<p style="margin: 0 0 12px 0">${p}</p>`).join('\n')}\n<p>Best regards,<br>\n<b>${from.name}</b></p>\n</body></html>\n`;

    const attach = r.chance(0.05);
    const boundary = `=_bench_${plan.seed}_${i}_alt`;
    const mixed = `=_bench_${plan.seed}_${i}_mixed`;
    const alternative = [
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      text,
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      quotedPrintable(html),
      `--${boundary}--`,
      '',
    ].join('\n');
    const relayHost = r.pick(['mx1', 'mx2', 'relay']);
    const headers = [
      ...(outgoing
        ? []
        : [
            `Return-Path: <${from.address}>`,
            `Received: from ${relayHost}.${from.address.split('@')[1] ?? 'example.test'} (${relayHost}.example.test [192.0.2.${r.int(1, 254)}])\n\tby mail.example.test (Postfix) with ESMTPS id ${r.bytes(5).toString('hex').toUpperCase()}\n\tfor <${to.address}>; ${date.toUTCString()}`,
            'Authentication-Results: mail.example.test; dkim=pass header.d=example.test; spf=pass',
          ]),
      `From: ${address(from)}`,
      `To: ${address(to)}`,
      ...(cc.length > 0 ? [`Cc: ${cc.map(address).join(', ')}`] : []),
      `Subject: ${encodedWord(subject)}`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <${messageId}>`,
      ...(parent
        ? [`In-Reply-To: <${parent.messageId}>`, `References: ${references.map((id) => `<${id}>`).join(' ')}`]
        : []),
      'MIME-Version: 1.0',
      'X-Mailer: Bench Mailer 1.0',
    ];
    let body: string;
    if (attach) {
      attachments += 1;
      const size = r.int(50 * 1024, 500 * 1024);
      const pdf = r.chance(0.6);
      const name = pdf ? `report-${i}.pdf` : `photo-${i}.jpg`;
      headers.push(`Content-Type: multipart/mixed; boundary="${mixed}"`);
      body = [
        'This is a multi-part message in MIME format.',
        '',
        `--${mixed}`,
        `Content-Type: multipart/alternative; boundary="${boundary}"`,
        '',
        alternative,
        `--${mixed}`,
        `Content-Type: ${pdf ? 'application/pdf' : 'image/jpeg'}; name="${name}"`,
        `Content-Disposition: attachment; filename="${name}"`,
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(r.bytes(size)),
        `--${mixed}--`,
        '',
      ].join('\n');
    } else {
      headers.push(`Content-Type: multipart/alternative; boundary="${boundary}"`);
      body = alternative;
    }
    const raw = Buffer.from(`${headers.join('\n')}\n\n${body}`, 'utf8');
    const flags =
      folder === DRAFTS
        ? 'DS'
        : folder === 'Sent'
          ? 'S'
          : `${r.chance(0.05) ? 'F' : ''}${r.chance(0.15) ? 'R' : ''}${r.chance(0.85) ? 'S' : ''}`;
    const message: GeneratedMessage = { index: i, folder, date, messageId, size: raw.length, attachment: attach };
    sink(message, raw, flags);
    messages.push(message);
    perFolder[folder] = (perFolder[folder] ?? 0) + 1;
    totalBytes += raw.length;
  }
  return { folders, messages, totalBytes, perFolder, attachments, termCounts };
}

/** Maildir++ directory of a folder (Dovecot's default layout: `.Name`, hierarchy with dots). */
function folderDir(maildir: string, folder: string): string {
  return folder === 'INBOX' ? maildir : path.join(maildir, `.${folder.replace(/\//g, '.')}`);
}

/**
 * Writes a generated mailbox into `<home>/Maildir` (Dovecot's `mail_location =
 * maildir:~/Maildir`) before the user's first login: files in `cur/`, named
 * `<time>.M<n>P<seed>.bench,S=<size>,W=<crlf size>:2,<flags>`, mtime = INTERNALDATE,
 * owned by the mail uid/gid.
 */
export async function writeMaildir(
  home: string,
  plan: MailboxPlan,
  owner: { uid: number; gid: number },
): Promise<GeneratedMailbox> {
  const maildir = path.join(home, 'Maildir');
  const folders = [...new Set(['INBOX', ...folderNames(plan.folders), DRAFTS])];
  for (const folder of folders) {
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(folderDir(maildir, folder), sub), { recursive: true });
  }
  const generated = generateMailbox(plan, (message, raw, flags) => {
    let lines = 0;
    for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) lines += 1;
    const seconds = Math.floor(message.date.getTime() / 1000);
    const name = `${seconds}.M${message.index}P${plan.seed}.bench,S=${raw.length},W=${raw.length + lines}:2,${flags}`;
    const file = path.join(folderDir(maildir, message.folder), 'cur', name);
    writeFileSync(file, raw);
    utimesSync(file, message.date, message.date);
  });
  await run('chown', ['-R', `${owner.uid}:${owner.gid}`, home]);
  return generated;
}

/** A Dovecot user's home, where its Maildir goes (userdb static home=<dovecot dir>/mail/%u, test/support/dovecot.ts). */
export function homeOf(servers: { dir: string }, user: { username: string }): string {
  return path.join(servers.dir, 'dovecot', 'mail', user.username);
}

/** A short plain-text message, CRLF, for APPEND. */
export function smallMessage(subject: string, messageId: string, date = new Date()): string {
  return [
    'From: Other App <other@example.test>',
    'To: Bench Owner <owner@example.test>',
    `Subject: ${subject}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of ${subject}.`,
    '',
  ].join('\r\n');
}
