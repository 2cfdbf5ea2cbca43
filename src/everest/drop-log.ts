// Invalid inputs (var payloads that are not JSON or do not fit their schema) are logged once per kind per
// window, not once per payload: a module that floods the bus with garbage must not flood the log too. The
// clock is injected so tests can move it.

export interface DropLogOptions {
  windowMs?: number;
  now?: () => number;
}

export interface DropReport {
  /** Drops of this kind since the last report, not counting this one. */
  suppressed: number;
}

export class DropLog {
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #kinds = new Map<string, { until: number; suppressed: number }>();

  constructor(o: DropLogOptions = {}) {
    this.#windowMs = o.windowMs ?? 60_000;
    this.#now = o.now ?? Date.now;
  }

  /** Count one drop of `kind`; returns what to log, or undefined when this kind was logged within the window. */
  drop(kind: string): DropReport | undefined {
    const now = this.#now();
    const k = this.#kinds.get(kind);
    if (k !== undefined && now < k.until) {
      k.suppressed++;
      return undefined;
    }
    const suppressed = k?.suppressed ?? 0;
    this.#kinds.set(kind, { until: now + this.#windowMs, suppressed: 0 });
    return { suppressed };
  }
}
