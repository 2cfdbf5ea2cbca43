// npm run bench [-- --seconds N --quick --tsx --only a,b --everest <dir of a manager build> --out FILE]
//   with --everest: [--rounds N] [--providers tsocpp|everestpy] (one provider alone: no ratios)
//   [--node-options '...'] (NODE_OPTIONS for the modules the manager starts, e.g. --max-semi-space-size=2);
//   [--device-model-sync normal] (TsOcpp's module config under the manager); --keep: scratch logs stay
// npm run bench -- --report bench/results.json     (print the tables of an earlier run)
// One run, side by side against the same broker: the floor (bare MQTT.js responder) and TsOcpp spawned
// as users run it; then validation alone, the device model alone, process figures, the embedded
// default, and (with --everest) TsOcpp against an everestpy provider under a real manager.
// Prints the tables and writes bench/results.json. MQTT_URL=mqtt://host:port adds a pass on that broker
// (mosquitto with `set_tcp_nodelay true`; without it every call costs ~44 ms of Nagle, everest-bus.md).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { resolve as resolvePath, join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseFlags } from '../src/everest/settings.js';
import { BusCaller, type PreparedCall } from './lib/bus-caller.js';
import { Phase, runInto, runLoad, warmUp, type LoadResult } from './lib/load.js';
import { benchPayloads, getRequests, type BenchCase, type Payloads } from './lib/payloads.js';
import { deviceModelBench, validationBench, type DeviceModelRow, type ValidationRow } from './lib/micro.js';
import { cpuMs, loadAverage, peakRssMb, rssMb } from './lib/proc.js';
import { ROOT, spawnHelper, spawnNode, tsocppLauncher, type Spawned, type TsocppLauncher } from './lib/spawn.js';
import { median, round } from './lib/stats.js';
import { table, type Cell } from './lib/table.js';
import { runEverest, everestTables, everestTargets, type EverestResult, type ProviderName } from './lib/everest.js';

// Ports of this bench: 19800-19899 (19810 aedes process, 19820.. embedded default starts, 19880.. manager runs).
const AEDES_PORT = 19810;
const EMBEDDED_PORT = 19820;

const { flags } = parseFlags(process.argv.slice(2));
const quick = flags.quick === true;
const SECONDS = Number(flags.seconds ?? (quick ? 0.5 : 2));
const WARMUP = quick ? 50 : 200;
const IN_FLIGHT = [1, 16] as const;
const only = typeof flags.only === 'string' ? new Set(flags.only.split(',')) : undefined;
const wants = (section: string): boolean => !only || only.has(section);
const OUT = typeof flags.out === 'string' ? flags.out : join(ROOT, 'bench', 'results.json');

const work = join(ROOT, '.tmp', `bench-${process.pid}`);
mkdirSync(work, { recursive: true });

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

interface Row {
  name: string;
  note?: string;
  target?: boolean;
  /** Results by calls in flight. */
  load: Record<number, LoadResult>;
  /** The floor, measured in rounds interleaved with this row's (same calls in flight). */
  floor?: Record<number, LoadResult>;
}

interface BrokerPass {
  broker: string;
  url: string;
  /** The floor pooled over every pairing. */
  floor: Row;
  rows: Row[];
  tsocppPeakRssMb?: number;
  tsocppReadyMs?: number;
}

interface Target {
  what: string;
  value: string;
  limit: string;
  met: boolean;
}

const results: {
  meta: Record<string, unknown>;
  validation?: ValidationRow[];
  deviceModel?: DeviceModelRow[];
  bus: BrokerPass[];
  process?: Record<string, unknown>;
  embedded?: BrokerPass;
  everest?: EverestResult | { skipped: string };
  csms?: unknown;
  transactions?: unknown;
  auth?: unknown;
  smartCharging?: unknown;
  targets: Target[];
} = { meta: {}, bus: [], targets: [] };

const ROUNDS = quick ? 2 : 4;

interface Pids { floor: number; responder: number; broker?: number }

/**
 * One row: the case and the floor in ROUNDS alternating rounds (ABBA order) per calls-in-flight, so
 * that whatever else runs on the machine weighs on both. Floor phases are also pooled into `pooled`.
 */
async function measurePaired(caller: BusCaller, floorCall: PreparedCall, moduleId: string, c: BenchCase, pids: Pids, pooled: Record<number, Phase>): Promise<Row> {
  const p = await caller.prepare(c.name, moduleId, c.impl, c.cmd, c.variants);
  await warmUp(caller, p, WARMUP);
  const row: Row = { name: c.name, load: {}, floor: {} };
  if (c.note) row.note = c.note;
  if (c.target) row.target = true;
  for (const n of IN_FLIGHT) {
    const mine = new Phase(n, pids.responder, pids.broker);
    const floor = new Phase(n, pids.floor, pids.broker);
    for (let r = 0; r < ROUNDS; r++) {
      const order: Array<[PreparedCall, Phase]> = [[floorCall, floor], [p, mine]];
      if (r % 2 === 1) order.reverse();
      for (const [call, phase] of order) await runInto(caller, call, SECONDS / ROUNDS, phase);
    }
    row.load[n] = mine.result();
    row.floor![n] = floor.result();
    pooled[n]!.merge(floor);
    const a = row.load[n];
    const f = row.floor![n];
    log(`  ${c.name} @${n}: p50 ${a.p50Ms} ms (floor ${f.p50Ms}) p99 ${a.p99Ms} ms ${a.callsPerS}/s (floor ${f.callsPerS}/s)${a.errors ? ` errors ${a.errors} (${a.firstError})` : ''}`);
  }
  return row;
}

function floorCase(p: Payloads, n: 1 | 100): BenchCase {
  return { name: `floor (${n}-request payload)`, impl: 'ocpp_generic', cmd: 'get_variables', variants: [getRequests(p.readable, n)] };
}

function spawnTsocpp(launcher: TsocppLauncher, args: string[], tag: string, env: Record<string, string> = {}, preload: string[] = []): Spawned & { db: string } {
  const dir = mkdtempSync(join(work, `${tag}-`));
  const db = join(dir, 'device_model.db');
  const s = spawnNode([...preload, ...launcher.nodeArgs, ...args, '--device_model_db', db], join(dir, 'tsocpp.log'), env);
  return Object.assign(s, { db });
}

/** The floor and TsOcpp side by side on one broker; `cases` are measured each paired with the floor. */
async function pairedPass(broker: string, url: string, prefix: string, p: Payloads, cases: BenchCase[], tsocppPid: number, brokerPid: number | undefined, floorLog: string): Promise<BrokerPass> {
  const caller = await BusCaller.connect(url, prefix);
  const floor = await spawnHelper('floor-responder.ts', ['--broker', url, '--prefix', prefix], floorLog);
  try {
    const floorCall = await caller.prepare('floor', 'floor', 'ocpp_generic', 'get_variables', floorCase(p, 1).variants);
    await warmUp(caller, floorCall, WARMUP);
    const pids: Pids = { floor: floor.pid, responder: tsocppPid };
    if (brokerPid !== undefined) pids.broker = brokerPid;
    const pooled: Record<number, Phase> = Object.fromEntries(IN_FLIGHT.map((n) => [n, new Phase(n, floor.pid, brokerPid)]));
    // Warm both processes up (JIT, caches, SQLite pages) on every kind of call before measuring any.
    for (const c of cases) {
      const call = await caller.prepare(c.name, 'ocpp', c.impl, c.cmd, c.variants);
      await runInto(caller, call, quick ? 0.2 : 0.5, new Phase(16));
    }
    await runInto(caller, floorCall, quick ? 0.2 : 0.5, new Phase(16));
    const rows: Row[] = [];
    // The 100-request echo shows what moving the bytes costs, before TsOcpp does anything with them.
    rows.push(await measurePaired(caller, floorCall, 'floor', floorCase(p, 100), { ...pids, responder: floor.pid }, pooled));
    for (const c of cases) rows.push(await measurePaired(caller, floorCall, 'ocpp', c, pids, pooled));
    const floorRow: Row = { name: 'floor (1-request payload)', load: Object.fromEntries(IN_FLIGHT.map((n) => [n, pooled[n]!.result()])) };
    return { broker, url, floor: floorRow, rows };
  } finally {
    await floor.stop();
    await caller.close();
  }
}

/** Against a broker of its own (aedes process) or MQTT_URL: TsOcpp joins with --broker. */
async function busPass(broker: string, url: string, brokerPid: number | undefined, p: Payloads, launcher: TsocppLauncher): Promise<BrokerPass> {
  const prefix = `bench${randomBytes(3).toString('hex')}/`;
  log(`bus pass on ${broker} (${url}), prefix ${prefix}`);
  const watcher = await BusCaller.connect(url, prefix);
  const ready = await watcher.once(`${prefix}modules/ocpp/ready`);
  const ts = spawnTsocpp(launcher, ['--broker', url, '--mqtt_everest_prefix', prefix], `bus-${broker}`);
  try {
    const r = await Promise.race([ready(), ts.waitForLine(/TsOcpp serving module/).then(() => ready())]);
    await watcher.close();
    log(`  TsOcpp ready after ${r.at - ts.spawnedAt} ms (${launcher.kind})`);
    const pass = await pairedPass(broker, url, prefix, p, p.cases, ts.pid, brokerPid, join(work, `floor-${broker}.log`));
    pass.tsocppPeakRssMb = round(peakRssMb(ts.pid), 1);
    pass.tsocppReadyMs = r.at - ts.spawnedAt;
    return pass;
  } finally {
    await ts.stop();
  }
}

function ratioCells(row: Row, floor: Record<number, LoadResult> | undefined): Cell[] {
  const a = row.load[1];
  const b = row.load[16];
  const f1 = floor?.[1];
  const f16 = floor?.[16];
  return [
    a?.p50Ms, a?.p99Ms, a?.callsPerS,
    b?.p50Ms, b?.p99Ms, b?.callsPerS,
    f1 && a ? `${(a.p50Ms / f1.p50Ms).toFixed(2)}x` : '',
    f16 && b ? `${(b.callsPerS / f16.callsPerS).toFixed(2)}x` : '',
    b?.responderCpuUsPerCall,
    b?.brokerCpuUsPerCall,
  ];
}

const BUS_HEADER = ['row', 'p50 ms', 'p99 ms', 'calls/s', 'p50 ms @16', 'p99 ms @16', 'calls/s @16',
  'p50 / floor', 'calls/s @16 / floor', 'responder CPU µs/call @16', 'broker CPU µs/call @16', 'target'];

// False when re-rendering a results file (--report): its targets are in it already.
let recordTargets = true;

function targetCell(row: Row, where: string): string {
  const floor = row.floor;
  if (!row.target || !floor) return '';
  const a = row.load[1]!;
  const b = row.load[16]!;
  const lat = a.p50Ms / floor[1]!.p50Ms;
  const thr = b.callsPerS / floor[16]!.callsPerS;
  const latOk = lat <= 1.3 && a.errors === 0;
  const thrOk = thr >= 0.5 && b.errors === 0;
  if (recordTargets) {
    results.targets.push({ what: `${row.name} p50 vs floor (${where})`, value: `${lat.toFixed(2)}x`, limit: '<= 1.3x', met: latOk });
    results.targets.push({ what: `${row.name} calls/s @16 vs floor (${where})`, value: `${thr.toFixed(2)}x`, limit: '>= 0.5x', met: thrOk });
  }
  return `p50 ${latOk ? 'met' : 'MISSED'}, calls/s ${thrOk ? 'met' : 'MISSED'}`;
}

function busTable(pass: BrokerPass): string {
  const rows: Cell[][] = [[pass.floor.name, ...ratioCells(pass.floor, pass.floor.load), '']];
  for (const r of pass.rows) {
    const errors = (r.load[1]?.errors ?? 0) + (r.load[16]?.errors ?? 0);
    const label = r.name.startsWith('floor') ? r.name : `TsOcpp ${r.name}`;
    const name = `${label}${errors ? ` (${errors} errors: ${r.load[1]?.firstError ?? r.load[16]?.firstError})` : ''}`;
    rows.push([name, ...ratioCells(r, r.floor), targetCell(r, pass.broker)]);
  }
  return table(BUS_HEADER, rows);
}

// --- process figures and the embedded default -------------------------------------------------------

interface EldFigures { p50_ms: number; p99_ms: number; max_ms: number; mean_ms?: number; source: string; memory_mb?: Record<string, number> }

function eldFromHookLines(lines: string[], since: number): EldFigures | undefined {
  // The hook proposed for src/main.ts (TSOCPP_REPORT_ELD=1): one log line a second with p99 in ms.
  const p99s: number[] = [];
  let max = 0;
  let p50s: number[] = [];
  for (const l of lines) {
    if (!/event.loop.delay/i.test(l)) continue;
    try {
      const o = JSON.parse(l) as Record<string, unknown>;
      if (typeof o.time === 'number' && o.time < since) continue;
      const e = (typeof o.eld === 'object' && o.eld !== null ? o.eld : o) as Record<string, unknown>;
      if (typeof e.p99_ms === 'number') p99s.push(e.p99_ms);
      if (typeof e.p50_ms === 'number') p50s.push(e.p50_ms);
      if (typeof e.max_ms === 'number') max = Math.max(max, e.max_ms);
    } catch {
      // not JSON
    }
  }
  if (p99s.length === 0) return undefined;
  p50s = p50s.length ? p50s : [Number.NaN];
  return { p50_ms: median(p50s), p99_ms: Math.max(...p99s), max_ms: max, source: 'TSOCPP_REPORT_ELD log lines (max of per-second p99)' };
}

async function processAndEmbedded(p: Payloads, launcher: TsocppLauncher): Promise<void> {
  const starts: Array<{ ms: number; cpuMs: number; firstStart: boolean; rssIdleMb: number }> = [];
  const STARTS = quick ? 2 : 4;
  let db: string | undefined;
  for (let i = 0; i < STARTS; i++) {
    // The first start seeds a new device model database; the others open it again.
    const args = ['--port', String(EMBEDDED_PORT + i), '--log-format', 'json'];
    const s = db === undefined
      ? spawnTsocpp(launcher, args, 'start')
      : Object.assign(spawnNode([...launcher.nodeArgs, ...args, '--device_model_db', db], join(work, `start-${i}.log`)), { db });
    try {
      const line = await s.waitForLine(/TsOcpp serving module/);
      // CPU time to ready says more than wall time on a busy machine (read within ~5 ms of the line).
      const cpuToReady = cpuMs(s.pid);
      const at = (JSON.parse(line) as { time: number }).time;
      await sleep(1000);
      starts.push({ ms: at - s.spawnedAt, cpuMs: cpuToReady, firstStart: db === undefined, rssIdleMb: round(rssMb(s.pid), 1) });
      db = s.db;
      log(`start ${i}: ready after ${at - s.spawnedAt} ms (CPU ${cpuToReady} ms), RSS idle ${starts.at(-1)!.rssIdleMb} MB`);
    } finally {
      await s.stop();
    }
  }

  // Under load: the embedded default (aedes in the module process), with the event-loop probe preloaded.
  const port = EMBEDDED_PORT + STARTS;
  const eldFile = join(work, 'eld.json');
  const s = spawnTsocpp(launcher, ['--port', String(port), '--log-format', 'json'], 'embedded',
    { TSOCPP_BENCH_ELD_FILE: eldFile, TSOCPP_REPORT_ELD: '1' }, ['--import', join(ROOT, 'bench', 'probes', 'eld.mjs')]);
  const url = `mqtt://127.0.0.1:${port}`;
  let underLoad: Record<string, unknown> = {};
  try {
    await s.waitForLine(/TsOcpp serving module/);
    const rssIdle = rssMb(s.pid);
    // The calls the everestpy caller makes under a real manager, here on the embedded default.
    const byName = new Map(p.cases.map((c) => [c.name, c]));
    const cases = ['get_variables(1)', 'set_variables(1)', 'security_event'].map((n) => byName.get(n)!);
    results.embedded = await pairedPass('embedded', url, 'everest/', p, cases, s.pid, undefined, join(work, 'floor-embedded.log'));
    results.embedded.tsocppPeakRssMb = round(peakRssMb(s.pid), 1);

    // RSS and event-loop delay under load: get_variables(1), 16 in flight.
    const caller = await BusCaller.connect(url, 'everest/');
    try {
      const prepared = await caller.prepare('load', 'ocpp', 'ocpp_generic', 'get_variables', byName.get('get_variables(1)')!.variants);
      await warmUp(caller, prepared, WARMUP);
      process.kill(s.pid, 'SIGUSR2'); // probe: start over (and write the figures so far: memory before the load)
      await sleep(200);
      const before = existsSync(eldFile) ? (JSON.parse(readFileSync(eldFile, 'utf8')) as EldFigures).memory_mb : undefined;
      const since = Date.now();
      const cpu0 = cpuMs(s.pid);
      let rssMax = 0;
      const sampler = setInterval(() => { rssMax = Math.max(rssMax, rssMb(s.pid)); }, 100);
      const load = await runLoad(caller, prepared, { inFlight: 16, seconds: Math.max(SECONDS, 3), warmupCalls: 0 });
      clearInterval(sampler);
      const cpu = cpuMs(s.pid) - cpu0;
      process.kill(s.pid, 'SIGUSR2'); // probe: write
      await sleep(200);
      let eld: EldFigures | undefined = eldFromHookLines(s.lines(), since);
      if (!eld && existsSync(eldFile)) {
        eld = { ...(JSON.parse(readFileSync(eldFile, 'utf8')) as EldFigures), source: 'bench/probes/eld.mjs preloaded (no hook in src/main.ts)' };
      }
      underLoad = {
        load: 'get_variables(1), 16 in flight, embedded default',
        callsPerS: load.callsPerS, p50Ms: load.p50Ms, p99Ms: load.p99Ms,
        rssIdleMb: round(rssIdle, 1), rssUnderLoadMb: round(rssMax, 1), rssPeakMb: round(peakRssMb(s.pid), 1),
        cpuUsPerCall: round((cpu * 1000) / Math.max(1, load.calls), 1),
        cpuShare: round(cpu / (load.seconds * 1000), 2),
        eld,
        memoryBeforeLoadMb: before,
      };
    } finally {
      await caller.close();
    }
  } finally {
    await s.stop();
  }
  const readyMs = starts.map((x) => x.ms);
  const rssIdle = Math.max(...starts.map((x) => x.rssIdleMb));
  results.process = { launcher: launcher.kind, launcherNote: launcher.note, starts, startToReadyMedianMs: median(readyMs), ...underLoad };
  results.targets.push({ what: `start to ready (median of ${STARTS}, ${launcher.kind})`, value: `${median(readyMs)} ms`, limit: '< 1000 ms', met: median(readyMs) < 1000 });
  results.targets.push({ what: 'start to ready (first start, seeding the database)', value: `${starts[0]?.ms} ms`, limit: '< 1000 ms', met: (starts[0]?.ms ?? Infinity) < 1000 });
  results.targets.push({ what: 'RSS idle (max over starts)', value: `${rssIdle} MB`, limit: '< 100 MB', met: rssIdle < 100 });
  const rssLoad = Number(underLoad.rssUnderLoadMb);
  results.targets.push({ what: 'RSS under load (embedded default)', value: `${rssLoad} MB`, limit: '< 100 MB', met: rssLoad < 100 });
}

// --- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (typeof flags.report === 'string') {
    // Print the tables of an earlier run again (e.g. for bench/README.md) without measuring anything.
    Object.assign(results, JSON.parse(readFileSync(flags.report, 'utf8')) as typeof results);
    recordTargets = false;
    process.stdout.write(`${report()}\n`);
    return;
  }
  const launcher = tsocppLauncher({
    forceTsx: flags.tsx === true,
    entry: typeof flags.entry === 'string' ? resolvePath(flags.entry) : undefined,
    nodeFlags: typeof flags.node_flags === 'string' ? flags.node_flags.split(' ').filter(Boolean) : [],
  });
  const load0 = loadAverage();
  results.meta = {
    date: new Date().toISOString(),
    host: hostname(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverageBefore: load0,
    secondsPerPhase: SECONDS,
    tsocpp: `node ${launcher.nodeArgs.map((a) => relative(ROOT, a).startsWith('..') || !a.startsWith('/') ? a : relative(ROOT, a)).join(' ')}`,
    tsocppNote: launcher.note,
    brokers: ['aedes (bench/broker-process.ts)', ...(process.env.MQTT_URL ? [process.env.MQTT_URL] : [])],
  };
  log(`TsOcpp runs as ${String(results.meta.tsocpp)}${launcher.note ? ` (${launcher.note})` : ''}; load average ${load0.join(' ')}`);
  const p = benchPayloads(work);

  if (wants('validation')) {
    log('validation alone');
    results.validation = validationBench(p, quick ? 100 : 300);
    const g10 = results.validation.find((r) => r.name === 'get_variables(10)');
    if (g10) results.targets.push({ what: 'validation of get_variables(10) args', value: `${g10.argsNs} ns`, limit: '< 2000 ns', met: g10.argsNs < 2000 });
  }
  if (wants('dm')) {
    log('device model alone');
    results.deviceModel = deviceModelBench(work, p, quick ? 300 : 1000);
  }
  if (wants('bus')) {
    const aedes = await spawnHelper('broker-process.ts', ['--port', String(AEDES_PORT)], join(work, 'aedes.log'));
    try {
      results.bus.push(await busPass('aedes', `mqtt://127.0.0.1:${AEDES_PORT}`, aedes.pid, p, launcher));
    } finally {
      await aedes.stop();
    }
    if (process.env.MQTT_URL) results.bus.push(await busPass('mosquitto', process.env.MQTT_URL, undefined, p, launcher));
  }
  if (wants('process')) {
    log('process figures and the embedded default');
    await processAndEmbedded(p, launcher);
  }
  if (typeof flags.everest === 'string') {
    log(`under a real manager: ${flags.everest}`);
    results.everest = await runEverest({ mgrDir: resolvePath(flags.everest), work, quick, log,
      ...(flags.rounds !== undefined ? { rounds: Number(flags.rounds) } : {}),
      ...(typeof flags.providers === 'string' ? { providers: flags.providers.split(',') as ProviderName[] } : {}),
      ...(typeof flags.node_options === 'string' ? { env: { NODE_OPTIONS: flags.node_options } } : {}),
      ...(typeof flags.device_model_sync === 'string' ? { tsocppConfig: { device_model_sync: flags.device_model_sync } } : {}), useDist: launcher.kind === 'dist' && launcher.nodeArgs.at(-1) === join(ROOT, 'dist', 'main.js') });
    results.targets.push(...everestTargets(results.everest));
  } else {
    results.everest = { skipped: 'no --everest <dir of a manager build>' };
  }
  if (wants('csms')) {
    const csms = join(ROOT, 'bench', 'csms.bench.ts');
    if (existsSync(csms)) {
      log('CSMS bench (bench/csms.bench.ts)');
      const modPath = './csms.bench.js';
      const mod = (await import(modPath)) as { runCsmsBench?: (o?: Record<string, unknown>) => Promise<unknown> };
      results.csms = typeof mod.runCsmsBench === 'function'
        ? await mod.runCsmsBench(quick ? { calls: 400, rounds: 2 } : {})
        : { skipped: 'bench/csms.bench.ts exports no runCsmsBench()' };
    } else {
      results.csms = { skipped: 'bench/csms.bench.ts absent' };
    }
  }
  if (wants('tx')) {
    log('Transactions (bench/transactions.bench.ts)');
    const { runTransactionsBench } = await import('./transactions.bench.js');
    results.transactions = await runTransactionsBench({ launcher, ...(quick ? { sessions: 10, queued: 200 } : {}) });
  }
  if (wants('auth')) {
    log('Token validation (bench/auth.bench.ts)');
    const { runAuthBench } = await import('./auth.bench.js');
    results.auth = await runAuthBench({ launcher, ...(quick ? { calls: 100 } : {}) });
  }
  if (wants('sc')) {
    log('Composite schedule (bench/smart-charging.bench.ts)');
    const { runSmartChargingBench } = await import('./smart-charging.bench.js');
    results.smartCharging = runSmartChargingBench(quick ? { rounds: 300 } : {});
  }
  results.meta.loadAverageAfter = loadAverage();

  writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${report()}\n\nresults: ${OUT}\n`);
}

/** runCsmsBench() answers what its author chose: a `cases` list becomes a table (nested fields dotted), anything else JSON. */
function csmsReport(r: unknown): string {
  if (typeof r !== 'object' || r === null) return String(r);
  const o = r as Record<string, unknown>;
  if ('skipped' in o) return `skipped: ${String(o.skipped)}`;
  if (!Array.isArray(o.cases)) return JSON.stringify(r, null, 2);
  const flat = (v: unknown, prefix = ''): Record<string, Cell> => {
    if (typeof v !== 'object' || v === null) return { [prefix || 'value']: typeof v === 'number' || typeof v === 'string' ? v : String(v) };
    return Object.assign({}, ...Object.entries(v).map(([k, x]) => flat(x, prefix ? `${prefix}.${k}` : k))) as Record<string, Cell>;
  };
  const rows = o.cases.map((c) => flat(c));
  const header = [...new Set(rows.flatMap((x) => Object.keys(x)))];
  const rest = Object.entries(o).filter(([k]) => k !== 'cases').map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [...rest, '', table(header, rows.map((x) => header.map((h) => x[h])))].join('\n');
}

function report(): string {
  const m = results.meta;
  const out: string[] = [];
  out.push(`TsOcpp bench ${String(m.date)} on ${String(m.host)}: node ${String(m.node)}, ${String(m.cpus)} CPUs (${String(m.cpuModel)}), load average before ${(m.loadAverageBefore as number[]).join(' ')}, after ${(m.loadAverageAfter as number[]).join(' ')}`);
  out.push(`TsOcpp: ${String(m.tsocpp)}${typeof m.tsocppNote === 'string' ? ` (${m.tsocppNote})` : ''}; ${String(m.secondsPerPhase)} s per phase; caller: one MQTT.js client, QoS 2, TCP_NODELAY, 1 or 16 calls in flight`);
  for (const pass of results.bus) {
    out.push('', `### Round trips through ${pass.broker} (${pass.broker === 'aedes' ? 'broker in its own process' : pass.url}); TsOcpp with --broker: ready after ${pass.tsocppReadyMs} ms, peak RSS ${pass.tsocppPeakRssMb} MB`, '');
    out.push(busTable(pass));
  }
  if (results.embedded) {
    out.push('', `### Embedded default (\`--port P\`: aedes inside the module process, the floor answers through it); peak RSS ${results.embedded.tsocppPeakRssMb} MB`, '');
    out.push(busTable(results.embedded));
  }
  if (results.validation) {
    out.push('', '### Validation alone (compiled validators, ns per payload)', '');
    out.push(table(['args of', 'args ns', 'result ns', 'JSON.parse of the call ns', 'call bytes'],
      results.validation.map((r) => [r.name, r.argsNs, r.resultNs, r.parseNs, r.bytes])));
  }
  if (results.deviceModel) {
    out.push('', '### Device model alone (OCPP service on SQLite, WAL, synchronous=FULL, in the bench process)', '');
    out.push(table(['operation', 'calls/s', 'variables/s', 'µs/call'], results.deviceModel.map((r) => [r.name, r.opsPerS, r.variablesPerS, r.usPerOp])));
  }
  if (results.process) {
    const pr = results.process as Record<string, unknown> & { starts: Array<{ ms: number; cpuMs: number; firstStart: boolean; rssIdleMb: number }>; eld?: EldFigures };
    out.push('', `### Process (${String(pr.launcher)}${typeof pr.launcherNote === 'string' ? `, ${pr.launcherNote}` : ''})`, '');
    out.push(table(['figure', 'value'], [
      ['start to ready, ms (each start; first seeds the db)', pr.starts.map((s) => s.ms).join(', ')],
      ['CPU time to ready, ms (user + system, each start)', pr.starts.map((s) => s.cpuMs).join(', ')],
      ['RSS idle, MB (each start)', pr.starts.map((s) => s.rssIdleMb).join(', ')],
      [`RSS under load / peak, MB (${String(pr.load)})`, `${String(pr.rssUnderLoadMb)} / ${String(pr.rssPeakMb)}`],
      ['load: calls/s, p50 / p99 ms', `${String(pr.callsPerS)}, ${String(pr.p50Ms)} / ${String(pr.p99Ms)}`],
      ['module CPU per call, µs; share of one core', `${String(pr.cpuUsPerCall)}; ${String(pr.cpuShare)}`],
      ['event-loop delay under load p50 / p99 / max, ms', pr.eld ? `${pr.eld.p50_ms} / ${pr.eld.p99_ms} / ${pr.eld.max_ms} (${pr.eld.source})` : 'n/a'],
      ['memory before the load, MB (process.memoryUsage)', pr.memoryBeforeLoadMb ? Object.entries(pr.memoryBeforeLoadMb as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ') : 'n/a'],
      ['memory at the end of the load, MB (process.memoryUsage)', pr.eld?.memory_mb ? Object.entries(pr.eld.memory_mb).map(([k, v]) => `${k} ${v}`).join(', ') : 'n/a'],
    ]));
  }
  if (results.everest) {
    out.push('', '### Under a real EVerest manager (everestpy caller)', '');
    out.push('skipped' in results.everest ? `skipped: ${results.everest.skipped}` : everestTables(results.everest));
  }
  if (results.csms !== undefined) {
    out.push('', '### CSMS link (bench/csms.bench.ts)', '');
    out.push(csmsReport(results.csms));
  }
  if (results.transactions !== undefined) {
    out.push('', '### Transactions (bench/transactions.bench.ts)', '');
    out.push(csmsReport(results.transactions));
  }
  if (results.auth !== undefined) {
    out.push('', '### Token validation (bench/auth.bench.ts)', '');
    out.push(csmsReport(results.auth));
  }
  if (results.smartCharging !== undefined) {
    out.push('', '### Composite schedule (bench/smart-charging.bench.ts)', '');
    out.push(csmsReport(results.smartCharging));
  }
  out.push('', '### Targets', '');
  out.push(table(['target', 'value', 'limit', 'met'], results.targets.map((t) => [t.what, t.value, t.limit, t.met ? 'yes' : 'NO'])));
  return out.join('\n');
}

main().then(
  () => {
    // --keep leaves the scratch folder (module and manager logs) for a look afterwards.
    if (flags.keep === true) log(`scratch files kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n(scratch files kept in ${work})\n`);
    process.exit(1);
  },
);
