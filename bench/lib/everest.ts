// TsOcpp under a real EVerest manager, compared with a trivial everestpy provider (issue 9).
// The everestpy caller of bench/everest (PyOcppCaller) calls the module connected as `ocpp` and writes
// its figures as JSON to $TSOCPP_BENCH_OUT, then exits, which makes the manager stop. Here:
// - a private test prefix in the scratch folder: etc/ with the bench's configs (ports of this bench),
//   share/ and lib/ linked from the manager build's run/ prefix, libexec/everest/modules/ linking
//   PyOcppCaller, PyOcppProvider (bench/everest/modules) and TsOcpp (modules/TsOcpp: index.js runs
//   dist/main.js, or src/main.ts through tsx when there is no build);
// - mosquitto of its own with set_tcp_nodelay true (without it every call costs ~44 ms: everest-bus.md);
// - runs alternating TsOcpp, everestpy, TsOcpp, everestpy; per run the provider's process start to its
//   `ready` on the bus, its RSS (max while the caller runs) and CPU, and the caller's figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { MqttClient } from 'mqtt';
import { cpuMs, descendants, rssMb, rssPartsMb, startedMsSinceBoot, uptimeMs } from './proc.js';
import { ROOT } from './spawn.js';
import { measureFsyncs } from './fsync.js';
import { median, round, Samples } from './stats.js';
import { table, type Cell } from './table.js';

// This bench's ports (19800-19899): mosquitto and the manager's controller.
const MOSQUITTO_PORT = 19880;
const CONTROLLER_PORT = 19881;
const CMDS = ['get_variables', 'set_variables', 'security_event'] as const;

export type ProviderName = 'tsocpp' | 'everestpy';

interface PhaseFigures {
  calls?: number;
  errors?: number;
  calls_per_s?: number | null;
  p50_ms?: number | null;
  p99_ms?: number | null;
  threads?: number;
}

export interface EverestRun {
  provider: ProviderName;
  config: string;
  ok: boolean;
  error?: string;
  /** Provider process start (from /proc) to its `modules/ocpp/ready` on the bus, ms (10 ms resolution). */
  startToReadyMs?: number;
  /** Manager start to the provider's ready, ms. */
  managerToReadyMs?: number;
  rssAtReadyMb?: number;
  rssMaxMb?: number;
  /** The split of the largest RSS sample: anonymous and file-backed MB. */
  rssMaxAnonMb?: number;
  rssMaxFileMb?: number;
  /** Provider CPU from its ready to the end of the run, per call the caller made, µs. */
  cpuUsPerCall?: number;
  providerCmdline?: string;
  /** The caller's figures by cmd and phase (sequential, parallel). */
  phases?: Record<string, Record<string, PhaseFigures>>;
  callerErrors?: number;
  logFile: string;
}

export interface CallFigures { p50Ms: number; p99Ms: number; callsPerS: number }

export interface ProviderSummary {
  /** By cmd, then phase (sequential: 1 caller thread; parallel: 16). */
  cmds: Record<string, Record<string, CallFigures>>;
  startToReadyMs: number;
  rssMaxMb: number;
  cpuUsPerCall: number;
}

export interface EverestResult {
  manager: string;
  frameworkTag: string;
  tsocppEntry: string;
  mosquitto: string;
  callerParams?: unknown;
  runs: EverestRun[];
  /** Mean over the runs of each provider. */
  summary: Partial<Record<ProviderName, ProviderSummary>>;
  /** TsOcpp / everestpy of the summaries: latency ratios above 1 and calls/s ratios below 1 favour everestpy. */
  ratios?: { cmds: Record<string, Record<string, CallFigures>>; startToReady: number; rssMax: number; cpuPerCall: number };
  /** One fsync of a 4 kB write on the disk of the module's database, measured before each run, ms. */
  fsync?: { p50Ms: number; p99Ms: number; samples: number; appendP50Ms: number; appendP99Ms: number };
  untested?: string;
}

export interface EverestOptions {
  mgrDir: string;
  work: string;
  quick: boolean;
  log: (msg: string) => void;
  /** Runs per provider (alternating). */
  rounds?: number;
  /** Providers to run (default both); one alone is for profiling, the ratios need both. */
  providers?: ProviderName[];
  /** Extra environment for the manager and so its modules (e.g. NODE_OPTIONS for a profile). */
  env?: Record<string, string>;
  /** Extra module config for TsOcpp (e.g. device_model_sync). */
  tsocppConfig?: Record<string, unknown>;
  /** Run the repository's dist/ under the manager (TSOCPP_USE_DIST=1), as an install does; else its sources through tsx. */
  useDist: boolean;
}

function linkOrCopy(target: string, path: string): void {
  symlinkSync(realpathSync(target), path);
}

/** The private prefix: configs with this bench's ports, everything else linked. */
function preparePrefix(o: EverestOptions, dbDir: string): { prefix: string; configs: Record<ProviderName, string> } {
  const run = join(o.mgrDir, 'run');
  const prefix = join(o.work, 'everest-prefix');
  const modules = join(prefix, 'libexec', 'everest', 'modules');
  mkdirSync(modules, { recursive: true });
  mkdirSync(join(prefix, 'etc', 'everest'), { recursive: true });
  linkOrCopy(join(run, 'share'), join(prefix, 'share'));
  linkOrCopy(join(run, 'lib'), join(prefix, 'lib'));
  copyFileSync(join(run, 'etc', 'everest', 'default_logging.cfg'), join(prefix, 'etc', 'everest', 'default_logging.cfg'));
  linkOrCopy(join(ROOT, 'bench', 'everest', 'modules', 'PyOcppCaller'), join(modules, 'PyOcppCaller'));
  linkOrCopy(join(ROOT, 'bench', 'everest', 'modules', 'PyOcppProvider'), join(modules, 'PyOcppProvider'));
  linkOrCopy(join(ROOT, 'modules', 'TsOcpp'), join(modules, 'TsOcpp'));
  const configs = {} as Record<ProviderName, string>;
  const sources: Record<ProviderName, string> = { tsocpp: 'bench-tsocpp-spawned.yaml', everestpy: 'bench-pyprovider.yaml' };
  for (const [name, file] of Object.entries(sources) as Array<[ProviderName, string]>) {
    const cfg = parse(readFileSync(join(ROOT, 'bench', 'everest', 'configs', file), 'utf8')) as {
      settings?: Record<string, unknown>;
      active_modules: Record<string, { module: string; config_module?: Record<string, unknown> }>;
    };
    cfg.settings = { ...(cfg.settings ?? {}), mqtt_broker_host: '127.0.0.1', mqtt_broker_port: MOSQUITTO_PORT, controller_port: CONTROLLER_PORT };
    for (const m of Object.values(cfg.active_modules)) {
      if (m.module === 'TsOcpp') m.config_module = { ...(m.config_module ?? {}), ...(o.tsocppConfig ?? {}), device_model_db: join(dbDir, 'device_model.db') };
      if (m.module === 'PyOcppCaller') m.config_module = { ...(m.config_module ?? {}), bench_out: join(o.work, 'everest-caller.json') };
    }
    const out = join(prefix, 'etc', 'everest', file);
    writeFileSync(out, stringify(cfg));
    configs[name] = out;
  }
  return { prefix, configs };
}

async function waitPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createConnection({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

function startMosquitto(work: string): { proc: ChildProcess; conf: string } {
  const conf = join(work, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${MOSQUITTO_PORT} 127.0.0.1`, 'allow_anonymous true', 'set_tcp_nodelay true', 'persistence false', ''].join('\n'));
  const fd = openSync(join(work, 'mosquitto.log'), 'w');
  const proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return { proc, conf };
}

async function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill(signal);
  const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** Watches `everest/modules/ocpp/ready` on the bench's mosquitto. */
async function readyWatcher(): Promise<{ next(): Promise<number>; close(): Promise<void> }> {
  const client = new MqttClient(() => net.createConnection({ host: '127.0.0.1', port: MOSQUITTO_PORT, noDelay: true }), {
    clientId: `bench-watch-${process.pid}`, protocolVersion: 4, clean: true, reconnectPeriod: 0,
  });
  await new Promise<void>((resolve, reject) => { client.once('connect', () => resolve()); client.once('error', reject); });
  let waiter: ((at: number) => void) | undefined;
  client.on('message', (_t, payload) => {
    if (payload.length === 0) return; // a cleared retained topic
    const at = Date.now();
    waiter?.(at);
    waiter = undefined;
  });
  await client.subscribeAsync('everest/modules/ocpp/ready', { qos: 2 });
  return {
    next: () => new Promise<number>((resolve) => { waiter = resolve; }),
    close: () => client.endAsync(),
  };
}

function providerPattern(p: ProviderName): RegExp {
  return p === 'tsocpp' ? /TsOcpp\/index\.js|dist\/main\.js|src\/main\.ts/ : /PyOcppProvider\/module\.py/;
}

async function oneRun(o: EverestOptions, provider: ProviderName, config: string, prefix: string, n: number, env: Record<string, string>): Promise<EverestRun> {
  const logFile = join(o.work, `manager-${n}-${provider}.log`);
  const out = join(o.work, `everest-${n}-${provider}.json`);
  const run: EverestRun = { provider, config, ok: false, logFile };
  const watcher = await readyWatcher();
  const ready = watcher.next();
  const fd = openSync(logFile, 'w');
  const managerStart = Date.now();
  const manager = spawn(join(o.mgrDir, 'prefix', 'bin', 'manager'), ['--prefix', prefix, '--config', config], {
    cwd: prefix, env: { ...process.env, ...env, TSOCPP_BENCH_OUT: out }, stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const managerExit = new Promise<number | null>((resolve) => manager.once('exit', (code) => resolve(code)));
  let providerPid: number | undefined;
  let rssMax = 0;
  let rssMaxParts = { anon: Number.NaN, file: Number.NaN };
  let readyAt: number | undefined;
  let cpuAtReady = Number.NaN;
  let cpuLast = Number.NaN;
  const pattern = providerPattern(provider);
  // Poll the manager's children: find the provider, then sample its memory and CPU.
  const poller = setInterval(() => {
    if (providerPid === undefined && manager.pid !== undefined) {
      const p = descendants(manager.pid).find((d) => pattern.test(d.cmdline));
      if (p) {
        providerPid = p.pid;
        run.providerCmdline = p.cmdline.replaceAll(ROOT, '<project>').replaceAll(o.work, '<scratch>');
      }
    }
    if (providerPid !== undefined) {
      const r = rssMb(providerPid);
      if (Number.isFinite(r)) {
        if (r > rssMax) {
          rssMax = r;
          rssMaxParts = rssPartsMb(providerPid);
        }
        cpuLast = cpuMs(providerPid);
      }
    }
  }, 20);
  const timeoutMs = o.quick ? 180_000 : 600_000;
  try {
    const raced = await Promise.race([
      ready.then((at) => ({ kind: 'ready' as const, at })),
      managerExit.then((code) => ({ kind: 'exit' as const, code })),
      sleep(60_000).then(() => ({ kind: 'timeout' as const })),
    ]);
    if (raced.kind !== 'ready') throw new Error(raced.kind === 'exit' ? `manager exited (${raced.code}) before the provider was ready` : 'provider not ready within 60 s');
    readyAt = raced.at;
    run.managerToReadyMs = readyAt - managerStart;
    if (providerPid !== undefined) {
      const bootEpoch = Date.now() - uptimeMs();
      run.startToReadyMs = Math.round(readyAt - (bootEpoch + startedMsSinceBoot(providerPid)));
      run.rssAtReadyMb = round(rssMb(providerPid), 1);
      cpuAtReady = cpuMs(providerPid);
    }
    const code = await Promise.race([managerExit, sleep(timeoutMs).then(() => 'timeout' as const)]);
    if (code === 'timeout') throw new Error(`the manager did not exit within ${timeoutMs / 1000} s`);
  } catch (err) {
    run.error = (err as Error).message;
  } finally {
    clearInterval(poller);
    await watcher.close();
    // The manager stops its modules when the caller exits; make sure none of them outlives the run.
    const left = manager.pid !== undefined ? descendants(manager.pid) : [];
    await stopProcess(manager, 'SIGINT');
    for (const d of left) {
      try {
        process.kill(d.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  run.rssMaxMb = round(rssMax, 1);
  run.rssMaxAnonMb = round(rssMaxParts.anon, 1);
  run.rssMaxFileMb = round(rssMaxParts.file, 1);
  if (existsSync(out)) {
    const res = JSON.parse(readFileSync(out, 'utf8')) as { ok?: boolean; error_count?: number; phases?: Record<string, Record<string, PhaseFigures>>; params?: unknown; status?: string };
    run.phases = res.phases ?? {};
    run.callerErrors = res.error_count ?? 0;
    run.ok = res.status === 'done' && run.error === undefined;
    if (res.status !== 'done') run.error ??= `caller status ${String(res.status)}`;
    const calls = Object.values(run.phases).flatMap((ph) => Object.values(ph)).reduce((a, f) => a + (f.calls ?? 0), 0);
    if (Number.isFinite(cpuAtReady) && Number.isFinite(cpuLast) && calls > 0) run.cpuUsPerCall = round(((cpuLast - cpuAtReady) * 1000) / calls, 1);
    (run as EverestRun & { params?: unknown }).params = res.params;
  } else {
    run.error ??= 'the caller wrote no results';
  }
  o.log(`  ${provider} run ${n}: ${run.ok ? 'ok' : `FAILED (${run.error})`}, start to ready ${run.startToReadyMs} ms, RSS max ${run.rssMaxMb} MB (anon ${run.rssMaxAnonMb}, file ${run.rssMaxFileMb})`);
  return run;
}

export async function runEverest(o: EverestOptions): Promise<EverestResult> {
  const manager = join(o.mgrDir, 'prefix', 'bin', 'manager');
  for (const need of [manager, join(o.mgrDir, 'run'), join(ROOT, 'bench', 'everest', 'modules', 'PyOcppCaller', 'module.py')]) {
    if (!existsSync(need)) throw new Error(`--everest: ${need} is missing`);
  }
  const dbDir = join(o.work, 'everest-db');
  mkdirSync(dbDir, { recursive: true });
  const { prefix, configs } = preparePrefix(o, dbDir);
  const mosq = startMosquitto(o.work);
  const env: Record<string, string> = o.quick
    ? { TSOCPP_BENCH_WARMUP: '20', TSOCPP_BENCH_CALLS: '200', TSOCPP_BENCH_SECONDS: '1' }
    : {};
  // modules/TsOcpp/index.js runs the sources through tsx when linked from the repository, unless told
  // to run dist/ (what an install has beside index.js).
  env.TSOCPP_USE_DIST = o.useDist ? '1' : '0';
  Object.assign(env, o.env);
  const result: EverestResult = {
    manager: '<mgr>/prefix/bin/manager',
    frameworkTag: o.mgrDir.split('/').filter(Boolean).pop() ?? '',
    tsocppEntry: (o.useDist ? 'modules/TsOcpp/index.js -> dist/main.js (TSOCPP_USE_DIST=1)' : 'modules/TsOcpp/index.js -> src/main.ts through tsx')
      + (o.tsocppConfig && Object.keys(o.tsocppConfig).length > 0 ? `, config ${JSON.stringify(o.tsocppConfig)}` : ''),
    mosquitto: `127.0.0.1:${MOSQUITTO_PORT}, set_tcp_nodelay true`,
    runs: [],
    summary: {},
  };
  try {
    await waitPort(MOSQUITTO_PORT, 5000);
    const order: ProviderName[] = [];
    const providers = o.providers ?? ['tsocpp', 'everestpy'];
    for (let i = 0; i < (o.rounds ?? 2); i++) order.push(...providers);
    let n = 0;
    const inPlace = new Samples();
    const growing = new Samples();
    for (const provider of order) {
      measureFsyncs(dbDir, inPlace);
      measureFsyncs(dbDir, growing, 100, 'append');
      o.log(`manager run ${n + 1}/${order.length}: PyOcppCaller -> ${provider}`);
      result.runs.push(await oneRun(o, provider, configs[provider], prefix, ++n, env));
    }
    // (summary's calls/s is not used here: the seconds passed are a placeholder.)
    const a = inPlace.summary(1);
    const b = growing.summary(1);
    result.fsync = { p50Ms: a.p50Ms, p99Ms: a.p99Ms, samples: a.calls, appendP50Ms: b.p50Ms, appendP99Ms: b.p99Ms };
    o.log(`one fsync on the database's disk: p50 ${a.p50Ms} ms, p99 ${a.p99Ms} ms; growing the file p50 ${b.p50Ms} ms, p99 ${b.p99Ms} ms (${a.calls} samples each, before each run)`);
  } finally {
    await stopProcess(mosq.proc);
  }
  result.callerParams = (result.runs.find((r) => 'params' in r) as { params?: unknown } | undefined)?.params;
  for (const provider of ['tsocpp', 'everestpy'] as const) {
    const runs = result.runs.filter((r) => r.provider === provider && r.phases);
    const cmds: ProviderSummary['cmds'] = {};
    for (const cmd of CMDS) {
      const byPhase: Record<string, CallFigures> = {};
      for (const phase of ['sequential', 'parallel']) {
        const figs = runs.map((r) => r.phases?.[cmd]?.[phase]).filter((f): f is PhaseFigures => f !== undefined);
        const mean = (k: keyof PhaseFigures) => round(figs.reduce((a, f) => a + Number(f[k] ?? Number.NaN), 0) / figs.length, 3);
        byPhase[phase] = { p50Ms: mean('p50_ms'), p99Ms: mean('p99_ms'), callsPerS: mean('calls_per_s') };
      }
      cmds[cmd] = byPhase;
    }
    const all = result.runs.filter((r) => r.provider === provider);
    result.summary[provider] = {
      cmds,
      startToReadyMs: median(all.map((r) => r.startToReadyMs ?? Number.NaN)),
      rssMaxMb: Math.max(...all.map((r) => r.rssMaxMb ?? 0)),
      cpuUsPerCall: median(all.map((r) => r.cpuUsPerCall ?? Number.NaN)),
    };
  }
  const ts = result.summary.tsocpp;
  const py = result.summary.everestpy;
  if (ts && py) {
    const q = (a: number, b: number) => round(a / b, 2);
    const cmds: Record<string, Record<string, CallFigures>> = {};
    for (const cmd of CMDS) {
      cmds[cmd] = {};
      for (const phase of ['sequential', 'parallel']) {
        const a = ts.cmds[cmd]![phase]!;
        const b = py.cmds[cmd]![phase]!;
        cmds[cmd][phase] = { p50Ms: q(a.p50Ms, b.p50Ms), p99Ms: q(a.p99Ms, b.p99Ms), callsPerS: q(a.callsPerS, b.callsPerS) };
      }
    }
    result.ratios = { cmds, startToReady: q(ts.startToReadyMs, py.startToReadyMs), rssMax: q(ts.rssMaxMb, py.rssMaxMb), cpuPerCall: q(ts.cpuUsPerCall, py.cpuUsPerCall) };
  }
  return result;
}

export function everestTables(r: EverestResult): string {
  const lines: string[] = [];
  lines.push(`manager ${r.frameworkTag}, mosquitto ${r.mosquitto}; TsOcpp spawned by the manager (${r.tsocppEntry}); runs alternate TsOcpp / everestpy, figures are means of each provider's runs`);
  if (r.fsync) lines.push(`one fsync (4 kB write) on the database's disk, measured before each run: p50 ${r.fsync.p50Ms} ms, p99 ${r.fsync.p99Ms} ms; growing the file (as a WAL before its first checkpoint) p50 ${r.fsync.appendP50Ms} ms, p99 ${r.fsync.appendP99Ms} ms (${r.fsync.samples} samples each); the targets use the first`);
  lines.push('');
  const rows: Cell[][] = [];
  const ts = r.summary.tsocpp;
  const py = r.summary.everestpy;
  for (const cmd of CMDS) {
    for (const phase of ['sequential', 'parallel']) {
      const a = ts?.cmds[cmd]?.[phase];
      const b = py?.cmds[cmd]?.[phase];
      const ratio = (x?: number, y?: number) => (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y) && y !== 0 ? `${(x / y).toFixed(2)}x` : 'n/a');
      rows.push([`${cmd} ${phase === 'sequential' ? '(1 thread)' : '(16 threads)'}`, a?.p50Ms, a?.p99Ms, a?.callsPerS, b?.p50Ms, b?.p99Ms, b?.callsPerS,
        ratio(a?.p50Ms, b?.p50Ms), ratio(a?.p99Ms, b?.p99Ms), ratio(a?.callsPerS, b?.callsPerS)]);
    }
  }
  lines.push(table(['call', 'TsOcpp p50 ms', 'p99 ms', 'calls/s', 'everestpy p50 ms', 'p99 ms', 'calls/s', 'p50 TsOcpp/py', 'p99 TsOcpp/py', 'calls/s TsOcpp/py'], rows));
  lines.push('');
  lines.push(table(['provider', 'start to ready ms (median)', 'RSS max MB (under load)', 'CPU µs/call', 'runs ok'], (['tsocpp', 'everestpy'] as const).map((p) => [
    p, r.summary[p]?.startToReadyMs, r.summary[p]?.rssMaxMb, r.summary[p]?.cpuUsPerCall,
    `${r.runs.filter((x) => x.provider === p && x.ok).length}/${r.runs.filter((x) => x.provider === p).length}`,
  ])));
  const failed = r.runs.filter((x) => !x.ok);
  if (failed.length) lines.push('', ...failed.map((f) => `run of ${f.provider} failed: ${f.error}`));
  return lines.join('\n');
}

export interface EverestTarget { what: string; value: string; limit: string; met: boolean }

/**
 * Issue 19's table: TsOcpp against everestpy in the same run under the manager. The durable writes may take
 * one fsync more than everestpy's p50, measured on the same disk in the same run (result.fsync).
 */
export function everestTargets(r: EverestResult): EverestTarget[] {
  const ts = r.summary.tsocpp;
  const py = r.summary.everestpy;
  if (!ts || !py) return [];
  const out: EverestTarget[] = [];
  const tag = `manager ${r.frameworkTag}`;
  out.push({ what: `RSS under the bench load, ${tag} (everestpy: ${py.rssMaxMb} MB)`, value: `${ts.rssMaxMb} MB`, limit: '<= 56 MB (everestjs)', met: ts.rssMaxMb <= 56 });
  out.push({ what: `spawn to ready, ${tag} (median; everestpy: ${py.startToReadyMs} ms)`, value: `${ts.startToReadyMs} ms`, limit: '<= 250 ms', met: ts.startToReadyMs <= 250 });
  const one = (cmd: string) => ({ a: ts.cmds[cmd]?.sequential, b: py.cmds[cmd]?.sequential });
  const get = one('get_variables');
  if (get.a && get.b) {
    out.push({ what: `get_variables, 1 thread, p50 / p99 (everestpy: ${get.b.p50Ms} / ${get.b.p99Ms} ms)`, value: `${get.a.p50Ms} / ${get.a.p99Ms} ms`,
      limit: "<= everestpy's p50 / p99", met: get.a.p50Ms <= get.b.p50Ms && get.a.p99Ms <= get.b.p99Ms });
  }
  const fsync = r.fsync?.p50Ms ?? 0;
  for (const cmd of ['set_variables', 'security_event']) {
    const { a, b } = one(cmd);
    if (!a || !b) continue;
    const limit = round(b.p50Ms + fsync, 3);
    out.push({ what: `${cmd} (durable), 1 thread, p50 (everestpy: ${b.p50Ms} ms; one fsync: ${fsync} ms)`, value: `${a.p50Ms} ms`,
      limit: `<= ${limit} ms (everestpy's p50 + one fsync)`, met: a.p50Ms <= limit });
  }
  const ratios = CMDS.map((cmd) => ({ cmd, q: (ts.cmds[cmd]?.parallel?.callsPerS ?? 0) / (py.cmds[cmd]?.parallel?.callsPerS ?? Number.NaN) }));
  out.push({ what: 'every call at 16 threads, calls/s TsOcpp / everestpy', value: ratios.map((x) => `${x.cmd} ${x.q.toFixed(2)}x`).join(', '),
    limit: '>= 1.0x each', met: ratios.every((x) => x.q >= 1) });
  return out;
}
