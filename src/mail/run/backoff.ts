/** Exponential backoff with full jitter: 1 s, 2 s, 4 s … capped, never zero. */
export function backoffDelay(attempt: number, baseMs = 1000, capMs = 5 * 60_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.max(baseMs / 2, Math.round(ceiling * random()));
}

/**
 * A sleep that `wake()` ends early. A wake with nothing sleeping is kept for the next sleep
 * (a change signalled while a pass runs must not wait for the next one), so a backoff has an
 * Alarm of its own that nothing but stopping rings.
 */
export class Alarm {
  #resolve: ((reason: 'woken' | 'timeout') => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #rung = false;

  /** Resolves 'woken' when wake() ended it, 'timeout' when the time ran out. */
  sleep(ms: number): Promise<'woken' | 'timeout'> {
    if (this.#rung) {
      this.#rung = false;
      return Promise.resolve('woken');
    }
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(() => this.#fire('timeout'), ms);
    });
  }

  /** Ends the current sleep, or makes the next one return at once. */
  wake(): void {
    if (this.#resolve) this.#fire('woken');
    else this.#rung = true;
  }

  #fire(reason: 'woken' | 'timeout'): void {
    if (this.#timer) clearTimeout(this.#timer);
    const resolve = this.#resolve;
    this.#resolve = null;
    this.#timer = null;
    this.#rung = false;
    resolve?.(reason);
  }
}
