// Where TsOcpp's time goes under one kind of call: spawns the module with `node --cpu-prof` against the
// bench's aedes broker process, drives one case at N calls in flight, stops the module (the profile is
// written at exit) and sums the samples by area (package, src/ folder, node internals, GC) and function.
//   npx tsx bench/profile.ts [--case get_variables(1)] [--in-flight 16] [--seconds 5] [--tsx] [--top 30]
//   npx tsx bench/profile.ts --floor [--case ...]        (the floor responder instead, for comparison)
//   npx tsx bench/profile.ts --startup [--tsx]            (start to ready only: spawn, wait for ready, stop)
//   npx tsx bench/profile.ts --file some.cpuprofile      (summarize an existing profile)
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { resolve as resolvePath, join, relative } from 'node:path';
import { parseFlags } from '../src/everest/settings.js';
import { BusCaller } from './lib/bus-caller.js';
import { runLoad, warmUp } from './lib/load.js';
import { benchPayloads } from './lib/payloads.js';
import { ROOT, spawnHelper, spawnNode, tsocppLauncher } from './lib/spawn.js';
import { table } from './lib/table.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The area a function belongs to: a package, a folder of src/, node's own code, or a V8 pseudo-frame. */
export function areaOf(url: string, fn: string): string {
  if (url === '') {
    if (fn === '(garbage collector)') return 'GC';
    if (fn === '(idle)' || fn === '(program)') return fn;
    return `native: ${fn || '(anonymous)'}`;
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `pkg ${nm[1]}`;
  if (url.startsWith('node:')) return `node ${url.slice(5).replace(/^internal\//, '').replace(/^per_context\//, '').split('/')[0]!.replace(/\.js$/, '')}`;
  const path = url.replace(/^file:\/\//, '');
  const rel = relative(ROOT, path);
  if (!rel.startsWith('..')) {
    const parts = rel.split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : rel;
  }
  return url;
}

// Areas grouped by what they do for a call; everything MQTT.js and the socket do is shared with the floor.
const BUCKETS: Array<[string, RegExp]> = [
  ['MQTT.js, packets, socket, timers (as the floor)', /^(pkg (mqtt|mqtt-packet|bl|debug|readable-stream|rfdc|process-nextick-args)|native: (writev|utf8Slice|getLibuvNow|toggleTimerRef|isAnyArrayBuffer|\(anonymous\))|node (streams|stream_base_commons|net|buffer|timers|events|process|linkedlist|util|primordials|validators|async_hooks|errors|bootstrap)|\(program\)|native: runMicrotasks)$/],
  ['AbortController per call', /^node (domexception|abort_controller|event_target)$/],
  ['device model (SQLite)', /^((dist|src)\/device-model|pkg better-sqlite3)$/],
  ['validation (ajv)', /^((dist|src)\/schema|pkg ajv|native: validate\d+|native: RegExp: .*)$/],
  ['bus layer: parse, dispatch, encode', /^((dist|src)\/everest|native: isUtf8)$/],
  ['redelivery memory (sha1 digest, recent answers)', /^node crypto$/],
  ['OCPP service and module glue', /^((dist|src)\/(ocpp|module|csms)|(dist|src)\/app\.js)$/],
  ['logging', /^pkg (pino|sonic-boom|thread-stream|pino-std-serializers|fast-redact|quick-format-unescaped|atomic-sleep|on-exit-leak-free)$/],
  ['GC', /^GC$/],
];

// The same for start-up: what it takes from process start to ready.
const STARTUP_BUCKETS: Array<[string, RegExp]> = [
  ['loading modules (resolve, read, compile)', /^(node (modules|deps|path|fs|url|vm|options)|native: (internalModuleStat|readFileUtf8|read|openFileHandle|fstat|realpath|compileFunction|ModuleWrap|parse|close|lstat|readdir|getOptionValue))$/],
  ['ocpp-rpc import (compiles every OCPP 1.6/2.0.1 schema)', /^pkg (ocpp-rpc|uri-js|json-schema-traverse|ajv-formats|ws|eventemitter3|cuid2?|@paralleldrive\/cuid2)$/],
  ["TsOcpp's own validators (ajv compile)", /^((dist|src)\/schema|pkg (ajv|fast-uri|fast-deep-equal)|native: validate\d+)$/],
  ['YAML (interfaces, types, manifest, config)', /^pkg yaml$/],
  ['MQTT.js, mqtt-packet, aedes, sockets', /^(pkg (mqtt|mqtt-packet|bl|debug|readable-stream|rfdc|aedes.*|qlobber|mqemitter|hyperid|reusify|fastfall|fastparallel|fastseries|retimer|uuid-parse|end-of-stream|duplexify)|node (streams|stream_base_commons|net|buffer|timers|events|process|dns|bootstrap|util|errors|validators|primordials)|native: (writev|utf8Slice|getLibuvNow|writeString|\(anonymous\)))$/],
  ['device model (SQLite open, seed)', /^((dist|src)\/device-model|pkg better-sqlite3)$/],
  ['logging', /^pkg (pino|sonic-boom|thread-stream|pino-std-serializers|@pinojs\/redact|fast-redact|quick-format-unescaped)$/],
  ['TsOcpp code (bus, OCPP service, embedded config service)', /^((dist|src)\/|dist\/|src\/)/],
  ['GC', /^GC$/],
];

function bucketOf(area: string, buckets = BUCKETS): string {
  for (const [name, re] of buckets) if (re.test(area)) return name;
  return `other (${area})`;
}

/**
 * Self time by area and by function. `window` (µs on the profile's clock, which is CLOCK_MONOTONIC like
 * process.hrtime) keeps only the samples taken under load, leaving out start-up and shutdown.
 */
export function summarize(profile: CpuProfile, top: number, window?: [number, number], calls?: number, startup = false): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (window && (t < window[0] || t > window[1])) continue;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + t);
    const key = `${functionName || '(anonymous)'} ${url ? `${areaOf(url, functionName)}:${relative(ROOT, url.replace(/^file:\/\//, '')).split('/').pop()}:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1)}%`;
  const ms = (t: number) => (t / 1000).toFixed(0);
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  const buckets = new Map<string, number>();
  const list = startup ? STARTUP_BUCKETS : BUCKETS;
  for (const [area, t] of areas) buckets.set(bucketOf(area, list), (buckets.get(bucketOf(area, list)) ?? 0) + t);
  const perCall = (t: number) => (calls ? (t / calls).toFixed(1) : '');
  return [
    `profile: ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(2)} s (${((100 * busy) / total).toFixed(0)}%)${calls ? `, ${calls} calls: ${(busy / calls).toFixed(1)} µs busy per call` : ''}`,
    '',
    table(['where (self time)', 'ms', 'share of busy', 'µs per call'], sorted(buckets).map(([k, t]) => [k, ms(t), pct(t), perCall(t)])),
    '',
    table(['area (self time)', 'ms', 'share of busy'], sorted(areas).slice(0, top).map(([k, t]) => [k, ms(t), pct(t)])),
    '',
    table(['function (self time)', 'ms', 'share of busy'], sorted(fns).slice(0, top).map(([k, t]) => [k, ms(t), pct(t)])),
  ].join('\n');
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  const top = Number(flags.top ?? 30);
  if (typeof flags.file === 'string') {
    process.stdout.write(`${summarize(JSON.parse(readFileSync(flags.file, 'utf8')) as CpuProfile, top, undefined, undefined, flags.startup === true)}\n`);
    return;
  }
  const caseName = String(flags.case ?? 'get_variables(1)');
  const inFlight = Number(flags.in_flight ?? 16);
  const seconds = Number(flags.seconds ?? 5);
  const work = join(ROOT, '.tmp', `profile-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const p = benchPayloads(work);
  const c = p.cases.find((x) => x.name === caseName);
  if (!c) throw new Error(`no case ${caseName}; cases: ${p.cases.map((x) => x.name).join(', ')}`);
  const launcher = tsocppLauncher({
    forceTsx: flags.tsx === true,
    entry: typeof flags.entry === 'string' ? resolvePath(flags.entry) : undefined,
    nodeFlags: typeof flags.node_flags === 'string' ? flags.node_flags.split(' ').filter(Boolean) : [],
  });
  const broker = await spawnHelper('broker-process.ts', ['--port', String(flags.port ?? 19830)], join(work, 'broker.log'));
  const url = `mqtt://127.0.0.1:${String(flags.port ?? 19830)}`;
  const prefix = 'profile/';
  const profDir = join(work, 'prof');
  let window: [number, number] | undefined;
  let measuredCalls: number | undefined;
  // Start-up is profiled on the embedded default (as `--port P` runs it), load against the broker process.
  const mode = flags.startup === true ? ['--port', String(Number(flags.port ?? 19830) + 1)] : ['--broker', url, '--mqtt_everest_prefix', prefix];
  const floor = flags.floor === true;
  const ts = floor
    ? spawnNode(['--cpu-prof', '--cpu-prof-dir', profDir, '--import', 'tsx', join(ROOT, 'bench', 'floor-responder.ts'), '--broker', url, '--prefix', prefix, '--module', 'ocpp'], join(work, 'floor.log'))
    : spawnNode(['--cpu-prof', '--cpu-prof-dir', profDir, ...launcher.nodeArgs, ...mode, '--device_model_db', join(work, 'dm.db')], join(work, 'tsocpp.log'));
  try {
    const readyLine = await ts.waitForLine(floor ? /^ready/ : /TsOcpp serving module/);
    if (flags.startup === true && !floor) {
      const at = (JSON.parse(readyLine) as { time: number }).time;
      process.stdout.write(`start to ready (${launcher.kind}, --cpu-prof): ${at - ts.spawnedAt} ms; the profile runs to the exit\n`);
    } else {
      await drive();
    }
  } finally {
    await ts.stop();
    await broker.stop();
  }
  async function drive(): Promise<void> {
    if (!c) return;
    const caller = await BusCaller.connect(url, prefix);
    const call = await caller.prepare(c.name, 'ocpp', c.impl, c.cmd, c.variants);
    await warmUp(caller, call, 500);
    const t0 = Number(process.hrtime.bigint() / 1000n);
    const r = await runLoad(caller, call, { inFlight, seconds, warmupCalls: 0, responderPid: ts.pid });
    window = [t0, Number(process.hrtime.bigint() / 1000n)];
    measuredCalls = r.calls;
    process.stdout.write(`${c.name} @${inFlight} (${floor ? 'floor responder' : launcher.kind}, --cpu-prof): ${r.callsPerS} calls/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, module CPU ${r.responderCpuUsPerCall} µs/call\n`);
    await caller.close();
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${profDir}`);
  const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
  // The profile's clock must be the one process.hrtime reads; otherwise summarize the whole run.
  const sane = window !== undefined && profile.startTime < window[0] && profile.endTime > window[1];
  process.stdout.write(`profile file: ${relative(ROOT, join(profDir, file))}; ${sane ? 'samples under load only' : flags.startup === true ? 'start to exit' : 'whole run (clock mismatch)'}\n`);
  process.stdout.write(`${summarize(profile, top, sane ? window : undefined, sane ? measuredCalls : undefined, flags.startup === true)}\n`);
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`profile failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
