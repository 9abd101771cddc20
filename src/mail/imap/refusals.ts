import type { ImapFlow } from 'imapflow';

/**
 * ImapFlow answers a refused command (a tagged NO or BAD) with `false` and
 * hands the server's error to its logger only. Each connection Tandem opens
 * gets a logger that keeps that last error, so a strict command can say what
 * the server said and the classifier can file it.
 */
const lastRefusals = new WeakMap<ImapFlow, { error: unknown }>();

export interface RefusalRecorder {
  /** An ImapFlow `logger` option: records what ImapFlow reports of a refused command, logs nothing. */
  logger: Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', (entry?: unknown) => void> & {
    isLevelEnabled(level: string): boolean;
  };
  /** Ties the recorder to the client built with its logger. */
  attach(client: ImapFlow): void;
}

export function refusalRecorder(): RefusalRecorder {
  const slot = { error: undefined as unknown };
  const ignore = () => undefined;
  const record = (entry?: unknown) => {
    const err = (entry as { err?: unknown } | undefined)?.err;
    if (err !== undefined) slot.error = err;
  };
  return {
    // Only warnings are wanted: ImapFlow then skips building the entries of every other level.
    logger: {
      trace: ignore,
      debug: ignore,
      info: ignore,
      warn: record,
      error: ignore,
      fatal: ignore,
      isLevelEnabled: (level) => level === 'warn',
    },
    attach: (client) => lastRefusals.set(client, slot),
  };
}

/** Forgets the last refusal before a command, so an old one is never blamed for a new `false`. */
export function clearRefusal(client: ImapFlow): void {
  const slot = lastRefusals.get(client);
  if (slot) slot.error = undefined;
}

/** What the server answered to the last command refused on this connection, if known. */
export function lastRefusal(client: ImapFlow): unknown {
  return lastRefusals.get(client)?.error;
}
