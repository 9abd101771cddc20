import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseMessage } from './parse.ts';
import type { ParsedMessage } from './types.ts';

/** Worker threads sized to the machine: every core but the one the sync and the API run on, at least one. */
export function parseWorkerCount(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

interface Pending {
  resolve: (parsed: ParsedMessage) => void;
  reject: (error: Error) => void;
}

/** One worker and the parses it owes. */
class ParseWorker {
  readonly pending = new Map<number, Pending>();
  #worker: Worker | null = null;

  constructor(private readonly file: string) {}

  parse(id: number, raw: Uint8Array): Promise<ParsedMessage> {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.#started().postMessage({ id, raw });
    });
  }

  async close(): Promise<void> {
    await this.#worker?.terminate();
    this.#worker = null;
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(this.file);
    worker.unref(); // an idle pool never keeps the process alive
    worker.on('message', ({ id, parsed }: { id: number; parsed: ParsedMessage }) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      waiting?.resolve(parsed);
    });
    const lost = (error: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = null; // the next parse starts a fresh worker
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`The parse worker stopped (exit code ${code})`)));
    this.#worker = worker;
    return worker;
  }
}

/**
 * Parses raw messages on worker threads (the indexer's bodies), each sent to
 * the worker with the fewest parses in flight. Where the worker program is not
 * built (dist/server/parse-worker.js, made with the server bundle) it parses
 * on the calling thread instead.
 */
export class ParsePool {
  readonly #workers: ParseWorker[];
  #nextId = 0;

  constructor(size = parseWorkerCount(), file = parseWorkerFile()) {
    this.#workers = file === null ? [] : Array.from({ length: size }, () => new ParseWorker(file));
  }

  /** parseMessage, off this thread. */
  parse = (raw: Buffer): Promise<ParsedMessage> => {
    const idlest = this.#workers.reduce<ParseWorker | null>(
      (best, w) => (best === null || w.pending.size < best.pending.size ? w : best),
      null,
    );
    if (idlest === null) return parseMessage(raw);
    this.#nextId += 1;
    // A worker that died under a message (out of memory) leaves that message to this thread: it is never lost.
    return idlest
      .parse(this.#nextId, raw)
      .then(asBuffers)
      .catch(() => parseMessage(raw));
  };

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close()));
  }
}

/** Attachment bytes come back from a worker as Uint8Arrays; the store's code reads Buffers. */
function asBuffers(parsed: ParsedMessage): ParsedMessage {
  for (const a of parsed.attachments)
    a.content = Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength);
  return parsed;
}

/** dist/server/parse-worker.js under the project's root (found from this module, in the sources or the bundle). */
function parseWorkerFile(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
  const file = path.join(dir, 'dist', 'server', 'parse-worker.js');
  return existsSync(file) ? file : null;
}
