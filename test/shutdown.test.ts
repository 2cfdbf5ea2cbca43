// Graceful shutdown on SIGTERM (how the manager stops modules) and SIGINT, under a stream of calls: the
// module stops taking calls (Shutdown answers, never a result after one), answers what it took, closes the
// database cleanly, sends DISCONNECT (seen in the broker's log, not a dropped socket) and exits 0 in < 5 s.
// A mosquitto of the test's own, for its log; marked skipped when it is not installed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { testDialect, uniquePrefix } from './helpers/broker.js';
import { startTestManager } from './helpers/manager.js';
import { startModuleProcess, stopModule, type ModuleProcess } from './helpers/module-process.js';
import { FrameworkCaller, HEARTBEAT, replyError } from './helpers/framework-caller.js';
import { Mosquitto, mosquittoMissing } from './helpers/mosquitto.js';
import { skip } from './helpers/skip.js';

const dialect = testDialect();
const missing = mosquittoMissing();
let mosq: Mosquitto;
let prefix: string;
let manager: Awaited<ReturnType<typeof startTestManager>>;
let caller: FrameworkCaller;
let mod: ModuleProcess | undefined;
const pending: Array<Promise<void>> = [];


test.before(async () => {
  if (missing) return;
  mosq = await Mosquitto.start();
  prefix = uniquePrefix('sd');
  manager = await startTestManager({ brokerUrl: mosq.url, prefix, dialect });
  caller = await FrameworkCaller.connect(mosq.url, prefix, dialect);
});

test.after(async () => {
  if (missing) return;
  await Promise.all(pending);
  await caller?.close();
  if (mod) await stopModule(mod);
  await manager?.stop();
  await mosq?.stop();
});

function clientIdOf(m: Mosquitto, from: number): string {
  const line = m.grep(/New client connected .* as ocpp-/, from).at(-1);
  assert.ok(line, 'the module connected');
  return /as (ocpp-[0-9a-f]+)/.exec(line)![1]!;
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} under a stream of calls: Shutdown answers, clean database, DISCONNECT, exit 0 in < 5 s`, async () => {
    if (missing) return skip(`${signal} shutdown`, 'mosquitto is not installed');
    const logFrom = mosq.log.length;
    mod = await startModuleProcess(mosq.url, prefix);
    const clientId = clientIdOf(mosq, logFrom);
    const run = randomBytes(3).toString('hex');
    await caller.call('ocpp', 'ocpp_generic', 'security_event', { type: 'InvalidMessages', info: `warm-up ${run}` });
    await caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [{ component_variable: HEARTBEAT }] });
    // Per call in send order (the module serves in arrival order): 'ok', 'Shutdown', another error, or nothing.
    const outcome: Array<string | undefined> = [];
    const answeredEvents: string[] = [];
    let inFlight = 0;
    let sent = 0;
    let signalled = 0;
    const one = (i: number): Promise<void> => {
      inFlight++;
      const info = `shutdown-${run}-${i}`;
      const call = i % 2 === 0
        ? caller.call('ocpp', 'ocpp_generic', 'security_event', { type: 'InvalidMessages', info }, { timeoutMs: 3000 })
        : caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [{ component_variable: HEARTBEAT }] }, { timeoutMs: 3000 });
      return call.then((r) => {
        inFlight--;
        const e = replyError(r);
        if (!e) {
          outcome[i] = 'ok';
          if (i % 2 === 0) answeredEvents.push(info);
        } else {
          outcome[i] = e.type === 'Shutdown' ? 'Shutdown' : `${e.type}: ${e.msg}`;
        }
      }, () => { inFlight--; });
    };
    const t0 = Date.now();
    let exitMs = 0;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const exited = mod.exited().then((x) => { exit = x; exitMs = Date.now() - signalled; });
    while (exit === undefined && Date.now() - t0 < 10_000) {
      while (inFlight < 40) pending.push(one(sent++));
      if (signalled === 0 && Date.now() - t0 > 400) {
        signalled = Date.now();
        mod.kill(signal);
      }
      await new Promise((r) => setImmediate(r));
    }
    await exited;
    mod = undefined;
    process.stdout.write(`\n  ${signal}: exit ${exit!.code ?? exit!.signal} after ${exitMs} ms; ${outcome.filter((o) => o === 'ok').length} results, ${outcome.filter((o) => o === 'Shutdown').length} Shutdown answers, ${sent} calls sent\n`);
    assert.is(exit!.code, 0, 'exit code 0');
    assert.ok(exitMs < 5000, `exited within 5 s (${exitMs} ms)`);

    // Stops taking calls: in arrival order, once a call was refused with Shutdown, none after it got a result.
    const firstShutdown = outcome.indexOf('Shutdown');
    const odd = outcome.filter((o) => o !== undefined && o !== 'ok' && o !== 'Shutdown');
    assert.equal(odd, [], 'only results and Shutdown answers');
    if (firstShutdown >= 0) {
      const lateResults = outcome.slice(firstShutdown).filter((o) => o === 'ok').length;
      assert.is(lateResults, 0, 'no result after the first Shutdown answer');
    }

    // The broker saw a DISCONNECT from the module's client, not a dropped socket.
    await mosq.waitForLog(new RegExp(`Client ${clientId} (disconnected|closed its connection)`), 2000, logFrom);
    assert.ok(mosq.grep(new RegExp(`Received DISCONNECT from ${clientId}`), logFrom).length === 1, 'DISCONNECT received');
    assert.equal(mosq.grep(new RegExp(`Client ${clientId} closed its connection|Socket error on client ${clientId}`), logFrom), []);

    // The database was closed: SQLite checkpoints and removes the WAL when the last connection closes.
    const wal = `${manager.dbPath}-wal`;
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'no WAL left behind');
    const db = new Database(manager.dbPath, { readonly: true, fileMustExist: true });
    try {
      const infos = new Set(db.prepare<[], { info: string | null }>('SELECT info FROM security_log').all().map((r) => r.info ?? ''));
      assert.equal(answeredEvents.filter((i) => !infos.has(i)), [], 'every event answered is in the security log');
    } finally {
      db.close();
    }
  });
}

test('SIGTERM when idle: exit 0 well within the bound', async () => {
  if (missing) return skip('idle SIGTERM', 'mosquitto is not installed');
  const logFrom = mosq.log.length;
  const m = await startModuleProcess(mosq.url, prefix);
  const clientId = clientIdOf(mosq, logFrom);
  await caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [{ component_variable: HEARTBEAT }] });
  const t0 = Date.now();
  m.kill('SIGTERM');
  const { code } = await m.exited();
  const ms = Date.now() - t0;
  process.stdout.write(`\n  SIGTERM idle: exit ${code} after ${ms} ms\n`);
  assert.is(code, 0);
  assert.ok(ms < 5000, `${ms} ms`);
  assert.ok(m.lines.some((l) => /SIGTERM: shutting down/.test(l)));
  assert.equal(m.lines.filter((l) => /"level":(50|60)/.test(l)), [], 'no error lines');
  await mosq.waitForLog(new RegExp(`Received DISCONNECT from ${clientId}`), 2000, logFrom);
});

test('SIGTERM while the broker is down, with answers still queued: exit 0 within the bound', async () => {
  if (missing) return skip('SIGTERM during an outage', 'mosquitto is not installed');
  const m = await startModuleProcess(mosq.url, prefix);
  // The manager stand-in and the caller have no business with a dead broker (an 'error' event without a
  // listener would throw here).
  caller.client.on('error', () => undefined);
  let answered = 0;
  for (let i = 0; i < 1000; i++) {
    pending.push(caller.call('ocpp', 'ocpp_generic', 'security_event', { type: 'InvalidMessages', info: `outage ${i}` }, { timeoutMs: 2000 }).then(() => { answered++; }, () => undefined));
  }
  const deadline = Date.now() + 5000;
  while (answered < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  await mosq.stop('SIGKILL');
  await m.waitFor(/bus connection lost/);
  const t0 = Date.now();
  m.kill('SIGTERM');
  const { code } = await m.exited();
  const ms = Date.now() - t0;
  process.stdout.write(`\n  SIGTERM during a broker outage: exit ${code} after ${ms} ms\n`);
  await mosq.startAgain();
  assert.is(code, 0);
  assert.ok(ms < 5000, `${ms} ms`);
});

test.run();
