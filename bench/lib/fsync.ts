// What one fsync costs on the disk the module's database lives on, measured by the bench between runs (the
// durable writes' targets of issue 19 allow everestpy's p50 plus one fsync measured on the same disk).
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Samples } from './stats.js';

/**
 * Adds to `into` the latency of `n` fsyncs of a 4 kB write each, ms. `overwrite`: the writes stay within the first
 * 64 kB of the file; `append`: each one grows the file, as SQLite's WAL grows until its first checkpoint
 * (an fsync then also writes the file's new size: under strace, TsOcpp's commits took 0.55-1.9 ms each).
 */
export function measureFsyncs(dir: string, into: Samples, n = 100, mode: 'overwrite' | 'append' = 'overwrite'): void {
  const path = join(dir, `fsync-probe-${process.pid}`);
  const fd = openSync(path, 'w');
  const page = Buffer.alloc(4096, 1);
  try {
    for (let i = 0; i < n; i++) {
      writeSync(fd, page, 0, page.length, (mode === 'append' ? i : i % 16) * 4096);
      const t0 = performance.now();
      fsyncSync(fd);
      into.add(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}
