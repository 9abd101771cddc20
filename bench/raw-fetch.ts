// Child process of the benchmark: the raw-fetch limit. One ImapFlow connection
// fetches every message's source in every folder; with `parse`, each source is
// also parsed on this one thread, by Tandem's own parser (the parse limit) or by
// mailparser's simpleParser alone (what the parser Tandem builds on costs).
// Prints one JSON line; run in its own process so its peak RSS is its own.
import { ImapFlow } from 'imapflow';

export interface RawFetchInput {
  host: string;
  port: number;
  user: string;
  pass: string;
  folders: string[];
  parse: 'none' | 'tandem' | 'mailparser';
}

export interface RawFetchResult {
  messages: number;
  bytes: number;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as RawFetchInput;
  // Loaded only when parsing, so the raw limit's RSS holds no parser.
  let parse: ((source: Buffer) => Promise<unknown>) | null = null;
  if (input.parse === 'tandem') parse = (await import('../src/mail/mime/index.ts')).parseMessage;
  if (input.parse === 'mailparser') {
    const { simpleParser } = await import('mailparser');
    parse = (source) => simpleParser(source);
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const client = new ImapFlow({
    host: input.host,
    port: input.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: input.user, pass: input.pass },
    logger: false,
    disableAutoIdle: true,
  });
  await client.connect();
  let messages = 0;
  let bytes = 0;
  for (const folder of input.folders) {
    const box = await client.mailboxOpen(folder, { readOnly: true });
    if (box.exists === 0) continue;
    for await (const message of client.fetch('1:*', { uid: true, source: true })) {
      messages += 1;
      const source = message.source;
      if (!source) continue;
      bytes += source.length;
      if (parse) await parse(source);
    }
  }
  await client.logout();
  const cpu = process.cpuUsage(cpuBefore);
  const result: RawFetchResult = {
    messages,
    bytes,
    wallMs: performance.now() - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
