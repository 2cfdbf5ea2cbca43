// Preloaded into a TsOcpp process by the bench (`node --import bench/probes/eld.mjs ...`) until the module
// has a hook of its own: samples the event-loop delay, and on SIGUSR2 writes the figures since the last
// signal to $TSOCPP_BENCH_ELD_FILE (JSON, ms) and starts over; with them process.memoryUsage() in MB, to
// tell the V8 heap from the rest of the resident set.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';

const file = process.env.TSOCPP_BENCH_ELD_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns) => Math.round(ns / 1e3) / 1e3;
    // With --expose-gc and TSOCPP_BENCH_GC=1: collect first, so that heapUsed is what is live (leak hunting).
    if (process.env.TSOCPP_BENCH_GC === '1' && typeof globalThis.gc === 'function') globalThis.gc();
    const mb = (b) => Math.round(b / 104857.6) / 10;
    const m = process.memoryUsage();
    const memory = { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
    const out = { p50_ms: ms(h.percentile(50)), p99_ms: ms(h.percentile(99)), max_ms: ms(h.max), mean_ms: ms(h.mean), samples: h.count, memory_mb: memory };
    writeFileSync(file, `${JSON.stringify(out)}\n`);
    h.reset();
  });
}
