// Latency samples and their summary. Nearest-rank percentiles, like the everestpy caller
// (bench/everest/modules/PyOcppCaller), so that figures of both sides mean the same thing.

export interface LatencySummary {
  calls: number;
  errors: number;
  seconds: number;
  callsPerS: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

export function percentile(sorted: Float64Array | number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Collects round trips in ms without growing an array per call. */
export class Samples {
  #buf = new Float64Array(4096);
  #n = 0;
  errors = 0;

  add(ms: number): void {
    if (this.#n === this.#buf.length) {
      const next = new Float64Array(this.#buf.length * 2);
      next.set(this.#buf);
      this.#buf = next;
    }
    this.#buf[this.#n++] = ms;
  }

  /** Adds every sample (and the error count) of another collection. */
  merge(other: Samples): void {
    for (let i = 0; i < other.#n; i++) this.add(other.#buf[i]!);
    this.errors += other.errors;
  }

  get count(): number {
    return this.#n;
  }

  summary(seconds: number): LatencySummary {
    const sorted = this.#buf.slice(0, this.#n).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      calls: this.#n,
      errors: this.errors,
      seconds: round(seconds, 3),
      callsPerS: round(this.#n / seconds, 0),
      p50Ms: round(percentile(sorted, 0.5), 3),
      p99Ms: round(percentile(sorted, 0.99), 3),
      meanMs: round(this.#n ? sum / this.#n : Number.NaN, 3),
      maxMs: round(this.#n ? sorted[this.#n - 1]! : Number.NaN, 3),
    };
  }
}

export function round(v: number, digits: number): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function median(values: number[]): number {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
