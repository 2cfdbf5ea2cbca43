// Transactions end to end (issue 16): how long a session event on the bus takes to reach the CSMS as a
// TransactionEvent, and how fast TransactionEvents queued during a CSMS outage drain once it is back.
//
//   npx tsx bench/transactions.bench.ts [--sessions 50] [--queued 1000] [--quick]
//
// TsOcpp runs as users run it (node dist/main.js, else tsx) on its embedded default (aedes inside the
// module, EVSE 1 connected to evse_manager_1) with a CSMS link to a strict ocpp-rpc CSMS in this process.
// A scripted EVSE in this process publishes session_event and powermeter as evse_manager_1 does (v25
// wire format). Latency: performance.now() just before the publish to the CSMS handler seeing the
// TransactionEvent, both in this process (one clock); only events that make a TransactionEvent count.
// Drain: the CSMS goes down, sessions are played until `queued` TransactionEvents wait in the outbox,
// the CSMS comes back on the same port; time from the new connection's first frame to the last event.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import Database from 'better-sqlite3';
import { ScriptedEvse } from '../test/fixtures/evse.js';
import { TestCsms } from '../test/fixtures/csms/csms.js';
import { spawnNode, tsocppLauncher, ROOT, type TsocppLauncher } from './lib/spawn.js';
import { loadAverage } from './lib/proc.js';
import { percentile, round } from './lib/stats.js';

export interface TransactionsBenchOptions {
  /** Sessions played for the latency figures. */
  sessions?: number;
  /** TransactionEvents queued during the outage. */
  queued?: number;
  launcher?: TsocppLauncher;
  /** Broker port of the spawned TsOcpp (the CSMS takes any free port). */
  port?: number;
}

export interface TransactionsBenchResult {
  what: string;
  tsocpp: string;
  loadAverage: number[];
  cases: Array<Record<string, number | string>>;
}

const STEPS = ['plugIn', 'authorize', 'charge', 'powermeter', 'stop', 'unplug'] as const;
type StepName = (typeof STEPS)[number];

function play(evse: ScriptedEvse, step: StepName): Promise<void> {
  return step === 'powermeter' ? evse.powermeter(500) : evse[step]();
}

/** Resolves when `check` holds (polled every ms) or rejects after `ms`. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

function outboxCount(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'TransactionEvent'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export async function runTransactionsBench(o: TransactionsBenchOptions = {}): Promise<TransactionsBenchResult> {
  const sessions = o.sessions ?? 50;
  const queued = o.queued ?? 1000;
  const port = o.port ?? 19840;
  const launcher = o.launcher ?? tsocppLauncher();
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'tx-bench-'));
  const arrivals: number[] = [];
  const csms = new TestCsms({
    handlers: { TransactionEvent: () => { arrivals.push(performance.now()); return {}; } },
  });
  await csms.start();
  const db = join(dir, 'device_model.db');
  const tsocpp = spawnNode([...launcher.nodeArgs, '--port', String(port), '--csms-url', csms.url, '--station-id', 'BENCHTX',
    '--device_model_db', db], join(dir, 'tsocpp.log'));
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 200, connectTimeout: 10_000 }).catch(async () => {
    await tsocpp.waitForLine(/TsOcpp serving module/, 20_000);
    return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
  });
  try {
    await tsocpp.waitForLine(/TsOcpp serving module/, 20_000);
    await csms.waitFor('BootNotification', 1, 20_000);
    await csms.waitFor('StatusNotification', 1, 20_000);
    const evse = new ScriptedEvse(client, 'everest/', 'evse_manager_1', 'v25');

    // Latency: one step at a time; a step that makes a TransactionEvent is timed, one that makes none
    // (per the default TxStartPoint/TxStopPoint) waits a short quiet period and goes on.
    const latencies: number[] = [];
    const perStep = new Map<StepName, number>();
    const quietMs = 150;
    for (let s = 0; s < sessions; s++) {
      evse.uuid = `bench-${s}`;
      for (const step of STEPS) {
        const before = arrivals.length;
        const t0 = performance.now();
        await play(evse, step);
        const deadline = perStep.get(step) === 0 ? quietMs : 3000;
        try {
          await until(() => arrivals.length > before, deadline, `a TransactionEvent after ${step}`);
          latencies.push(arrivals[before]! - t0);
          perStep.set(step, (perStep.get(step) ?? 0) + 1);
          // Any further event of the same step (Started and an Updated together) is let through first.
          await new Promise((r) => setTimeout(r, 20));
        } catch {
          if (!perStep.has(step)) perStep.set(step, 0);
        }
      }
    }
    latencies.sort((a, b) => a - b);
    const cases: Array<Record<string, number | string>> = [{
      case: `session_event -> TransactionEvent at the CSMS (${sessions} sessions)`,
      events: latencies.length,
      p50Ms: round(percentile(latencies, 0.5), 2),
      p99Ms: round(percentile(latencies, 0.99), 2),
      maxMs: round(latencies.at(-1) ?? 0, 2),
    }];

    // Drain: the CSMS goes, sessions are played until `queued` TransactionEvents are in the outbox.
    await csms.stop();
    let s = 0;
    while (outboxCount(db) < queued) {
      evse.uuid = `outage-${s++}`;
      for (const step of STEPS) await play(evse, step);
      // Enough for the module to take in what was published before counting again.
      if (s % 20 === 0) await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => outboxCount(db) >= queued, 10_000, 'the outbox to fill');
    const waiting = outboxCount(db);
    const got = arrivals.length;
    const framesBefore = csms.frames.length;
    await csms.start();
    await until(() => csms.frames.length > framesBefore, 120_000, 'the station to reconnect');
    const t0 = performance.now();
    await until(() => arrivals.length >= got + waiting, 300_000, 'the queued TransactionEvents');
    const ms = performance.now() - t0;
    cases.push({
      case: `drain of ${waiting} queued TransactionEvents after an outage`,
      events: waiting,
      totalMs: round(ms, 0),
      perS: round((waiting * 1000) / ms, 0),
      sessions: s,
    });
    return {
      what: 'TransactionEvents through TsOcpp: scripted EVSE on the embedded broker -> strict ocpp-rpc CSMS, loopback',
      tsocpp: `${launcher.kind}${launcher.note ? ` (${launcher.note})` : ''}`,
      loadAverage: loadAverage(),
      cases,
    };
  } finally {
    await client.endAsync().catch(() => undefined);
    await tsocpp.stop();
    await csms.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const num = (name: string): number | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const quick = args.includes('--quick');
  const sessions = num('sessions') ?? (quick ? 10 : undefined);
  const queued = num('queued') ?? (quick ? 200 : undefined);
  runTransactionsBench({ ...(sessions !== undefined ? { sessions } : {}), ...(queued !== undefined ? { queued } : {}) }).then(
    (r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); process.exit(0); },
    (err: unknown) => { process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`); process.exit(1); },
  );
}
