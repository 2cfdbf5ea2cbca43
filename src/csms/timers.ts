// The clock and timers of the CSMS link, injected so tests can drive them. Timers are unref'd: a pending
// reconnect or heartbeat never keeps a process alive on its own.

export type TimerHandle = { readonly __timer: unique symbol };

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  now(): Date;
  /** Uniform in [0, 1). */
  random(): number;
}

export const realTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    if (handle !== undefined) clearTimeout(handle as unknown as NodeJS.Timeout);
  },
  now: () => new Date(),
  random: Math.random,
};

/** One named timer slot: setting it again replaces the previous timer. */
export class TimerSlot {
  readonly #timers: Timers;
  #handle: TimerHandle | undefined;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  set(ms: number, fn: () => void): void {
    this.clear();
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = undefined;
      fn();
    }, ms);
  }

  clear(): void {
    this.#timers.clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  get pending(): boolean {
    return this.#handle !== undefined;
  }
}
