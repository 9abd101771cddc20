import { Worker } from 'node:worker_threads';

/** How long one pattern may run on one email before it is stopped. Real patterns take well under a millisecond. */
export const MATCH_BUDGET_MS = 100;

/** A pattern ran past its time budget on some text: the match was stopped. */
export class PatternTimedOut extends Error {
  override readonly name = 'PatternTimedOut';
}

/**
 * The worker's whole program (plain JavaScript, so it needs no loader): it
 * compiles each pattern once (case-insensitive, Unicode) and answers whether
 * any of the texts matches. An invalid pattern (refused when a rule is saved)
 * matches nothing.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const compiled = new Map();
parentPort.on('message', ({ pattern, texts }) => {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    if (compiled.size >= 1000) compiled.clear();
    try {
      regex = new RegExp(pattern, 'iu');
    } catch {
      regex = null;
    }
    compiled.set(pattern, regex);
  }
  parentPort.postMessage(regex !== null && texts.some((text) => regex.test(text)));
});
`;

/**
 * Mailroom patterns are user input run against mail from anyone: JavaScript's
 * backtracking engine can take exponential time on some pairs of pattern and
 * text (ReDoS), and no static check catches them all. So they run on a worker
 * thread, one at a time, each with a hard time budget: when it is spent the
 * worker is terminated (V8 stops it mid-match) and a fresh one serves the next
 * pattern. The main thread, which serves every request, is never blocked.
 */
class RegexWorker {
  #worker: Promise<Worker> | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  /** Whether any of `texts` matches `pattern`; throws PatternTimedOut when the budget is spent. */
  matches(pattern: string, texts: string[], budgetMs: number): Promise<boolean> {
    const run = this.#queue.then(() => this.#run(pattern, texts, budgetMs));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(pattern: string, texts: string[], budgetMs: number): Promise<boolean> {
    const worker = await this.#started();
    return new Promise<boolean>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('message', answered);
        worker.off('error', failed);
      };
      const answered = (matched: boolean) => {
        done();
        resolve(matched);
      };
      const failed = (error: Error) => {
        done();
        this.#worker = null;
        reject(error);
      };
      const timer = setTimeout(() => {
        done();
        this.#worker = null;
        void worker.terminate();
        reject(new PatternTimedOut(`The pattern ran for more than ${budgetMs} ms and was stopped`));
      }, budgetMs);
      worker.on('message', answered);
      worker.on('error', failed);
      worker.postMessage({ pattern, texts });
    });
  }

  /** The budget counts the match alone: a fresh worker is awaited until it runs. */
  #started(): Promise<Worker> {
    this.#worker ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.unref(); // never keeps the process alive
      worker.once('online', () => resolve(worker));
      worker.on('error', reject); // before it runs; a failure during a match is handled by #run
    }).catch((error: unknown) => {
      this.#worker = null;
      throw error;
    });
    return this.#worker;
  }
}

const shared = new RegexWorker();

/** Whether any of `texts` matches `pattern` (case-insensitive), off the main thread, within `budgetMs`. */
export function regexMatches(pattern: string, texts: string[], budgetMs = MATCH_BUDGET_MS): Promise<boolean> {
  return shared.matches(pattern, texts, budgetMs);
}
