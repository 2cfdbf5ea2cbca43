// CSMS GetVariables round trip against TsOcpp, next to the floor: ocpp-rpc's bare echo on the same machine.
//
//   npx tsx bench/csms.bench.ts [--calls 2000] [--rounds 5] [--quick]
//
// Both sides are ocpp-rpc in strict mode on loopback, in this process. The floor is an RPCClient whose
// GetVariables handler returns a fixed answer (the one TsOcpp gives, so sizes match); TsOcpp is the real
// CSMS link (src/csms) over a real OcppService and SQLite file. Calls go one at a time, in rounds that
// alternate floor and TsOcpp so that drift hits both. Prints p50/p99 and the ratio to the floor; another
// runner calls runCsmsBench() (bench/run.ts does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { RPCClient, RPCServer } from '../src/csms/rpc.js';
import { startCsms } from '../src/csms/index.js';
import { resolveConfig } from '../src/everest/manifest.js';
import { TSOCPP_CONFIG } from '../src/generated/module-config.js';
import { OcppService } from '../src/ocpp/service.js';
import { silentLogger } from '../src/log.js';

type Station = { identity: string; call(method: string, params?: unknown): Promise<unknown> };

export interface CsmsBenchOptions {
  /** Measured calls per case and side (split over the rounds). */
  calls?: number;
  rounds?: number;
  warmup?: number;
}

export interface Latency {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface CsmsBenchCase {
  variables: number;
  tsocpp: Latency;
  floor: Latency;
  /** TsOcpp / floor. */
  ratioP50: number;
  ratioP99: number;
}

export interface CsmsBenchResult {
  what: string;
  node: string;
  cases: CsmsBenchCase[];
}

// Readable variables of the default device model (config/device_model).
const VARIABLES = [
  ['OCPPCommCtrlr', 'HeartbeatInterval'], ['OCPPCommCtrlr', 'OfflineThreshold'], ['OCPPCommCtrlr', 'RetryBackOffWaitMinimum'],
  ['OCPPCommCtrlr', 'WebSocketPingInterval'], ['InternalCtrlr', 'ChargePointModel'], ['InternalCtrlr', 'ChargePointVendor'],
  ['InternalCtrlr', 'FirmwareVersion'], ['SecurityCtrlr', 'Identity'], ['ChargingStation', 'AvailabilityState'],
  ['DeviceDataCtrlr', 'ReportingValueSize'],
].map(([component, variable]) => ({ component: { name: component! }, variable: { name: variable! } }));

function summary(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (f: number) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(f * sorted.length))) - 1] ?? Number.NaN;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { calls: sorted.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

async function timed(station: Station, params: unknown, n: number, into: number[] | undefined): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await station.call('GetVariables', params);
    if (into) into.push(performance.now() - t0);
  }
}

/** A CSMS on a free loopback port that keeps the connection of each station id. */
async function csmsServer(): Promise<{ url: string; station(id: string): Promise<Station>; close(): Promise<void> }> {
  const server = new RPCServer({ protocols: ['ocpp2.0.1'], strictMode: true, callTimeoutMs: 10_000, pingIntervalMs: 0 });
  const stations = new Map<string, Station>();
  server.on('client', (c: Station & { handle(fn: (o: { method?: string }) => unknown): void }) => {
    c.handle(({ method }) => (method === 'BootNotification'
      ? { status: 'Accepted', currentTime: new Date().toISOString(), interval: 3600 }
      : method === 'Heartbeat' ? { currentTime: new Date().toISOString() } : {}));
    stations.set(c.identity, c);
  });
  const http = await server.listen(0, '127.0.0.1');
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/ocpp`,
    async station(id) {
      for (let i = 0; i < 500 && !stations.has(id); i++) await new Promise((r) => setTimeout(r, 10));
      const s = stations.get(id);
      if (!s) throw new Error(`station ${id} did not connect`);
      return s;
    },
    close: () => server.close({ force: true }),
  };
}

export async function runCsmsBench(opts: CsmsBenchOptions = {}): Promise<CsmsBenchResult> {
  const calls = opts.calls ?? 2000;
  const rounds = Math.max(1, opts.rounds ?? 5);
  const warmup = opts.warmup ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'tsocpp-csms-bench-'));
  const csms = await csmsServer();
  const service = OcppService.open({ dbPath: join(dir, 'device_model.db'), evseCount: 1, connectorsPerEvse: 1 });
  const link = startCsms({ moduleConfig: resolveConfig(TSOCPP_CONFIG, { csms_url: csms.url, station_id: 'BENCH01' }), service, log: silentLogger() });
  let floorClient: InstanceType<typeof RPCClient> | undefined;
  try {
    const tsocpp = await csms.station('BENCH01');
    // Let the boot, its StatusNotification and the first heartbeat settle.
    await new Promise((r) => setTimeout(r, 300));

    const params = (n: number) => ({ getVariableData: VARIABLES.slice(0, n) });
    // The floor answers what TsOcpp answers: the same payload sizes both ways.
    const answers = new Map<number, unknown>();
    for (const n of [1, 10]) answers.set(n, await tsocpp.call('GetVariables', params(n)));
    floorClient = new RPCClient({ identity: 'FLOOR01', endpoint: csms.url, protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false, pingIntervalMs: 0 } as ConstructorParameters<typeof RPCClient>[0]);
    floorClient.handle('GetVariables', ({ params: p }) => Promise.resolve(answers.get((p as { getVariableData: unknown[] }).getVariableData.length) as Record<string, unknown>));
    await floorClient.connect();
    const floor = await csms.station('FLOOR01');

    const cases: CsmsBenchCase[] = [];
    for (const n of [1, 10]) {
      await timed(floor, params(n), warmup, undefined);
      await timed(tsocpp, params(n), warmup, undefined);
      const a: number[] = [];
      const b: number[] = [];
      const per = Math.ceil(calls / rounds);
      for (let r = 0; r < rounds; r++) {
        await timed(floor, params(n), per, b);
        await timed(tsocpp, params(n), per, a);
      }
      const t = summary(a);
      const f = summary(b);
      cases.push({ variables: n, tsocpp: t, floor: f, ratioP50: Math.round((t.p50Ms / f.p50Ms) * 100) / 100, ratioP99: Math.round((t.p99Ms / f.p99Ms) * 100) / 100 });
    }
    return { what: 'CSMS GetVariables round trip, one call at a time, loopback, ocpp-rpc strict mode both sides', node: process.version, cases };
  } finally {
    await floorClient?.close({ force: true }).catch(() => undefined);
    await link?.close();
    service.close();
    await csms.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printCsmsBench(r: CsmsBenchResult): void {
  const rows = [['variables', 'TsOcpp p50 ms', 'TsOcpp p99 ms', 'floor p50 ms', 'floor p99 ms', 'ratio p50', 'ratio p99', 'calls']];
  for (const c of r.cases) {
    rows.push([String(c.variables), String(c.tsocpp.p50Ms), String(c.tsocpp.p99Ms), String(c.floor.p50Ms), String(c.floor.p99Ms),
      `${c.ratioP50}x`, `${c.ratioP99}x`, String(c.tsocpp.calls)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  process.stdout.write(`${r.what} (Node ${r.node})\n`);
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padStart(widths[i]!)).join('  ')}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const quick = process.argv.includes('--quick');
  const result = await runCsmsBench({ calls: arg('calls') ?? (quick ? 300 : 2000), rounds: arg('rounds') ?? 5, warmup: quick ? 50 : 200 });
  printCsmsBench(result);
}
