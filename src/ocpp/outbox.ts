// The durable outbox as the OCPP service writes to it: bounded by outbox_max_entries (what is dropped first is
// decided by class, device-model/types.ts outboxClassOf, inside the same transaction as the insert), and never
// silently: every drop is logged as a warning naming how many entries of which kind went. The warning is
// rate-limited (one line per interval, the first at once) so a flood of events does not flood the log; what is
// held back is summed into the next line, or into a line at the end of the interval, or at close.
import type { Logger } from '../log.js';
import type { DeviceModelRepository } from '../device-model/repository.js';
import type { OutboxKind, OutboxPayload } from '../device-model/types.js';

export const DEFAULT_OUTBOX_MAX_ENTRIES = 10000;
const WARN_INTERVAL_MS = 60_000;

export interface OutboxOptions {
  maxEntries: number;
  log: Logger;
  now: () => Date;
  /** At most one warning per this many ms (default one minute). */
  warnIntervalMs?: number;
}

export class BoundedOutbox {
  readonly #max: number;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #interval: number;
  #lastWarn = Number.NEGATIVE_INFINITY;
  #held: Partial<Record<OutboxKind, number>> = {};
  #heldOver = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: OutboxOptions) {
    this.#max = opts.maxEntries;
    this.#log = opts.log;
    this.#now = opts.now;
    this.#interval = opts.warnIntervalMs ?? WARN_INTERVAL_MS;
  }

  get maxEntries(): number {
    return this.#max;
  }

  /** Call inside the transaction of the change the entry records. */
  append<K extends OutboxKind>(repo: DeviceModelRepository, kind: K, payload: OutboxPayload<K>, createdAt: string): number {
    const r = repo.appendOutbox(kind, payload, createdAt, this.#max);
    const kinds = Object.keys(r.dropped) as OutboxKind[];
    if (kinds.length === 0 && r.over === 0) return r.id;
    for (const k of kinds) this.#held[k] = (this.#held[k] ?? 0) + (r.dropped[k] ?? 0);
    this.#heldOver = Math.max(this.#heldOver, r.over);
    const t = this.#now().getTime();
    if (t - this.#lastWarn >= this.#interval) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#interval - (t - this.#lastWarn)).unref();
    return r.id;
  }

  /** Writes the warning for what was dropped (or kept above the bound) since the last one, if anything. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const dropped = this.#held;
    const over = this.#heldOver;
    const total = Object.values(dropped).reduce((a, b) => a + b, 0);
    if (total === 0 && over === 0) return;
    this.#held = {};
    this.#heldOver = 0;
    this.#lastWarn = this.#now().getTime();
    const what = Object.entries(dropped)
      .map(([k, n]) => (k === 'TransactionEvent' ? `${n} TransactionEvent Updated (every second one)` : `the oldest ${n} ${k}`))
      .join(', ');
    if (total > 0) {
      this.#log.warn({ dropped, max_entries: this.#max },
        `outbox full (outbox_max_entries ${this.#max}): dropped ${what} not yet delivered`);
    }
    if (over > 0) {
      // libocpp (message_queue.hpp check_queue_sizes) keeps transactional messages it cannot thin any further.
      this.#log.warn({ over, max_entries: this.#max },
        `outbox full (outbox_max_entries ${this.#max}) of transactional entries: kept ${over} above the bound rather than lose a transaction event`);
    }
  }
}
