// The clock and timers of the CSMS link, injected so tests can drive them; nothing in src/csms calls
// setTimeout or setImmediate itself. Timers are unref'd unless asked otherwise: a pending reconnect or
// heartbeat never keeps a process alive on its own.

export type TimerHandle = { readonly __timer: unique symbol };

export interface Timers {
  /** keepAlive: the timer holds the process open (a short grace that a shutdown must wait for). */
  setTimeout(fn: () => void, ms: number, opts?: { keepAlive?: boolean }): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Runs fn once the I/O of this turn is done (an answer already handed to the socket is on its way). */
  immediate(fn: () => void): void;
  now(): Date;
  /** Uniform in [0, 1). */
  random(): number;
}

export const realTimers: Timers = {
  setTimeout(fn, ms, opts) {
    const t = setTimeout(fn, ms);
    if (opts?.keepAlive !== true) t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    if (handle !== undefined) clearTimeout(handle as unknown as NodeJS.Timeout);
  },
  immediate(fn) {
    setImmediate(fn);
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
