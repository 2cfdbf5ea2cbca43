// The two kinds of meter value timer the transaction feed runs (transactions.ts), on injected timers so tests
// drive time. Both read their interval through a getter at every sync and tick, so a change of the device
// model variable takes effect at once (issue 16 item 3): 0 stops the timer, another value reschedules it.
import type { TimerHandle, Timers } from '../csms/timers.js';

const DAY_MS = 86_400_000;

/**
 * The next instant after `nowMs` of an interval counted from midnight (UTC) of the station clock (J01:
 * AlignedDataCtrlr.Interval; libocpp starts its aligned timer at the start of the day). An interval that does not
 * divide a day starts again at the next midnight.
 */
export function nextAligned(nowMs: number, intervalS: number): number {
  const day = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const step = intervalS * 1000;
  const next = day + (Math.floor((nowMs - day) / step) + 1) * step;
  return Math.min(next, day + DAY_MS);
}

/** One station-wide timer at the aligned instants of an interval (AlignedDataCtrlr Interval, TxEndedInterval). */
export class AlignedTimer {
  readonly #timers: Timers;
  readonly #intervalS: () => number;
  readonly #onTick: (instant: Date) => void;
  readonly #active: () => boolean;
  #handle: TimerHandle | undefined;
  #current = 0;
  #stopped = false;

  /** active: whether the timer should run at all after a tick (default always). */
  constructor(timers: Timers, intervalS: () => number, onTick: (instant: Date) => void, active: () => boolean = () => true) {
    this.#timers = timers;
    this.#intervalS = intervalS;
    this.#onTick = onTick;
    this.#active = active;
  }

  /** Starts, keeps, moves or stops the timer as the interval now says (`active` false: stopped). */
  sync(active = true): void {
    if (this.#stopped) return;
    const intervalS = active ? this.#intervalS() : 0;
    if (intervalS === this.#current && (this.#handle !== undefined || intervalS === 0)) return;
    this.#timers.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#current = intervalS;
    if (intervalS <= 0) return;
    const now = this.#timers.now().getTime();
    const at = nextAligned(now, intervalS);
    this.#handle = this.#timers.setTimeout(() => this.#fire(at), at - now);
  }

  stop(): void {
    this.#stopped = true;
    this.#timers.clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  #fire(at: number): void {
    this.#handle = undefined;
    if (this.#stopped) return;
    // A changed interval is read first: its first tick is at its own next instant.
    if (this.#intervalS() === this.#current) this.#onTick(new Date(at));
    this.#current = 0;
    this.sync(this.#active());
  }
}

interface Pending {
  handle: TimerHandle;
  intervalS: number;
  /** When the timer was set (its interval counts from here). */
  since: number;
}

/**
 * One timer per EVSE with an open transaction, every interval seconds from the transaction's start
 * (SampledDataCtrlr TxUpdatedInterval, TxEndedInterval: libocpp counts them from the start).
 */
export class EvseIntervalTimers {
  readonly #timers: Timers;
  readonly #intervalS: () => number;
  readonly #onTick: (evseId: number) => void;
  readonly #pending = new Map<number, Pending>();
  #stopped = false;

  constructor(timers: Timers, intervalS: () => number, onTick: (evseId: number) => void) {
    this.#timers = timers;
    this.#intervalS = intervalS;
    this.#onTick = onTick;
  }

  /** The EVSE's timer as its transaction (open or not) and the interval now say. */
  sync(evseId: number, open: boolean): void {
    if (this.#stopped) return;
    const intervalS = open ? Math.max(0, this.#intervalS()) : 0;
    const p = this.#pending.get(evseId);
    if (intervalS === 0) {
      if (p) this.#clear(evseId);
      return;
    }
    if (p?.intervalS === intervalS) return;
    // A new interval counts from the last tick (or the start), so a shorter one may be due at once.
    const now = this.#timers.now().getTime();
    const since = p?.since ?? now;
    const due = Math.max(0, since + intervalS * 1000 - now);
    if (p) this.#timers.clearTimeout(p.handle);
    this.#pending.set(evseId, { intervalS, since, handle: this.#timers.setTimeout(() => this.#fire(evseId), due) });
  }

  evses(): number[] {
    return [...this.#pending.keys()];
  }

  stop(): void {
    this.#stopped = true;
    for (const evseId of [...this.#pending.keys()]) this.#clear(evseId);
  }

  #clear(evseId: number): void {
    const p = this.#pending.get(evseId);
    if (p) this.#timers.clearTimeout(p.handle);
    this.#pending.delete(evseId);
  }

  #fire(evseId: number): void {
    this.#pending.delete(evseId);
    if (this.#stopped) return;
    this.#onTick(evseId);
  }
}
