// Drives one prepared call: `inFlight` loops calling back to back for `seconds`. With inFlight 1 that
// is the round trip of a lone call; with 16, latency under load and throughput. A Phase accumulates
// several such runs (rounds interleaved with the floor's, so that a busy machine weighs on both alike).
import { performance } from 'node:perf_hooks';
import type { BusCaller, PreparedCall } from './bus-caller.js';
import { MAX_IN_FLIGHT } from './bus-caller.js';
import { cpuMs, rssMb } from './proc.js';
import { Samples, round, type LatencySummary } from './stats.js';

export interface LoadResult extends LatencySummary {
  inFlight: number;
  /** CPU time of the responder process per call, µs (/proc, 10 ms ticks summed over the phase). */
  responderCpuUsPerCall?: number;
  /** CPU time of the broker process per call, µs (when the broker is a process of the bench). */
  brokerCpuUsPerCall?: number;
  /** Responder VmRSS at the end of the phase, MB. */
  responderRssMb?: number;
  firstError?: string;
}

export class Phase {
  readonly samples = new Samples();
  seconds = 0;
  responderCpuMs = 0;
  brokerCpuMs = 0;
  responderRssMb = Number.NaN;
  firstError: string | undefined;

  constructor(readonly inFlight: number, readonly responderPid?: number, readonly brokerPid?: number) {
    if (inFlight > MAX_IN_FLIGHT) throw new Error(`at most ${MAX_IN_FLIGHT} calls in flight`);
  }

  /** Pools another phase of the same kind into this one. */
  merge(other: Phase): void {
    this.samples.merge(other.samples);
    this.seconds += other.seconds;
    this.responderCpuMs += other.responderCpuMs;
    this.brokerCpuMs += other.brokerCpuMs;
    if (Number.isFinite(other.responderRssMb)) this.responderRssMb = other.responderRssMb;
    this.firstError ??= other.firstError;
  }

  result(): LoadResult {
    const r: LoadResult = { inFlight: this.inFlight, ...this.samples.summary(this.seconds) };
    const calls = Math.max(1, this.samples.count);
    if (this.responderPid !== undefined) {
      r.responderCpuUsPerCall = round((this.responderCpuMs * 1000) / calls, 1);
      r.responderRssMb = round(this.responderRssMb, 1);
    }
    if (this.brokerPid !== undefined) r.brokerCpuUsPerCall = round((this.brokerCpuMs * 1000) / calls, 1);
    if (this.firstError !== undefined) r.firstError = this.firstError;
    return r;
  }
}

/** Sequential calls that are not recorded; the first failure throws. */
export async function warmUp(caller: BusCaller, p: PreparedCall, calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) {
    try {
      await caller.call(p);
    } catch (err) {
      throw new Error(`${p.label}: warm-up call failed: ${(err as Error).message}`);
    }
  }
}

/** Calls for `seconds` with phase.inFlight loops, adding to the phase. */
export async function runInto(caller: BusCaller, p: PreparedCall, seconds: number, phase: Phase): Promise<void> {
  const cpu0 = phase.responderPid !== undefined ? cpuMs(phase.responderPid) : 0;
  const bcpu0 = phase.brokerPid !== undefined ? cpuMs(phase.brokerPid) : 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      try {
        phase.samples.add(await caller.call(p));
      } catch (err) {
        phase.samples.errors++;
        phase.firstError ??= (err as Error).message;
        if (phase.samples.errors > 100) return;
      }
    }
  };
  await Promise.all(Array.from({ length: phase.inFlight }, worker));
  phase.seconds += (performance.now() - t0) / 1000;
  if (phase.responderPid !== undefined) {
    phase.responderCpuMs += cpuMs(phase.responderPid) - cpu0;
    phase.responderRssMb = rssMb(phase.responderPid);
  }
  if (phase.brokerPid !== undefined) phase.brokerCpuMs += cpuMs(phase.brokerPid) - bcpu0;
}

/** One phase of `seconds` (no interleaving). */
export async function runLoad(caller: BusCaller, p: PreparedCall, o: { inFlight: number; seconds: number; warmupCalls: number; responderPid?: number }): Promise<LoadResult> {
  await warmUp(caller, p, o.warmupCalls);
  const phase = new Phase(o.inFlight, o.responderPid);
  await runInto(caller, p, o.seconds, phase);
  return phase.result();
}
