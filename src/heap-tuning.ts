// V8 heap settings for a long-running module that answers small calls. The manager starts JavaScript
// modules as `node --unhandled-rejections=strict index.js`, so no command-line flag reaches V8 and the
// heap is configured before our code runs (--max-semi-space-size set now is ignored). Flags that V8
// reads each time it resizes a space or collects still work when set at run time (not every flag is
// safe to change late: with --single-threaded-gc set this way the bench under the manager got no results):
// - the young generation's growth factor: 1 keeps it at its initial 1 MB per semi-space instead of
//   growing to 16 MB under load (shorter scavenges, less RSS);
// - the old generation's growing percent: its limit after a major GC is the live size plus this share,
//   instead of a factor up to 4: under the bench's load RSS peaked at 85 instead of 115 MB;
// - scavenges on the main thread alone: a 1 MB young generation is collected in well under a millisecond,
//   and waking V8's helper threads for it on a small machine shared with the broker and the caller cost
//   more than it saved (under the manager, three paired runs: get_variables p50 at one thread 0.34-0.43
//   instead of 0.42-0.49 ms, calls/s at 16 threads 5614-6018 instead of 4813-5210, CPU per call -7%).
// Environment overrides: TSOCPP_YOUNG_GROWTH (V8's default is 2), TSOCPP_HEAP_GROWTH_PERCENT (0 keeps V8's),
// TSOCPP_PARALLEL_SCAVENGE=1.
// Applied when this module is evaluated, which the entry points do before anything else (index.js and
// bin/tsocpp.js import it before dist/main.js, main.ts imports it first): called from main's body, as it
// was, it came after every module had been loaded, and the young generation had grown to 4 MB a
// semi-space by then and never shrank (under the v0.25.0 manager RSS under load 87.6-88.3 MB, set first
// 80.3-83.1 MB).
import { setFlagsFromString } from 'node:v8';

export const HEAP_DEFAULTS = { youngGrowth: 1, oldGrowthPercent: 20, parallelScavenge: false };

function intFrom(value: string | undefined, fallback: number, min: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= min ? n : fallback;
}

/** Applies the defaults, or what the environment overrides. */
export function tuneHeap(env: Readonly<NodeJS.ProcessEnv>): void {
  const youngGrowth = intFrom(env.TSOCPP_YOUNG_GROWTH, HEAP_DEFAULTS.youngGrowth, 1);
  const oldGrowthPercent = intFrom(env.TSOCPP_HEAP_GROWTH_PERCENT, HEAP_DEFAULTS.oldGrowthPercent, 0);
  const parallelScavenge = env.TSOCPP_PARALLEL_SCAVENGE === undefined ? HEAP_DEFAULTS.parallelScavenge : env.TSOCPP_PARALLEL_SCAVENGE === '1';
  setFlagsFromString(`--semi-space-growth-factor=${youngGrowth}`);
  if (oldGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${oldGrowthPercent}`);
  if (!parallelScavenge) setFlagsFromString('--no-parallel-scavenge');
}

tuneHeap(process.env);
