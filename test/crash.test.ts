// Crash safety: the module process is killed with SIGKILL in the middle of a burst of set_variables and
// security_event calls over the bus. Whatever was answered must be in the SQLite file (read after the
// process is dead, read-only) and, after a restart, be what get_variables answers. Also with
// device_model_sync normal (no fsync per answer): a crash of the process alone loses nothing either.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { testBroker, testDialect, uniquePrefix, type TestBroker } from './helpers/broker.js';
import { startTestManager } from './helpers/manager.js';
import { startModuleProcess, stopModule, type ModuleProcess } from './helpers/module-process.js';
import { FrameworkCaller, replyError } from './helpers/framework-caller.js';
import { isCriticalSecurityEvent } from '../src/ocpp/security-event.js';

const dialect = testDialect();
let broker: TestBroker;
type Manager = Awaited<ReturnType<typeof startTestManager>>;
// One manager stand-in and caller per device_model_sync mode (the mode is module config).
const stacks = new Map<string, { manager: Manager; caller: FrameworkCaller; prefix: string }>();
let mod: ModuleProcess | undefined;
// Calls of the bursts that the killed module never answered: they time out in the background.
const calls: Array<Promise<void>> = [];


interface Var { component: string; name: string; instance?: string }
const VARS: Var[] = [
  { component: 'OCPPCommCtrlr', name: 'HeartbeatInterval' },
  { component: 'OCPPCommCtrlr', name: 'OfflineThreshold' },
  { component: 'OCPPCommCtrlr', name: 'MessageAttemptInterval', instance: 'TransactionEvent' },
  { component: 'OCPPCommCtrlr', name: 'MessageAttempts', instance: 'TransactionEvent' },
];

function cv(v: Var) {
  return { component: { name: v.component }, variable: v.instance === undefined ? { name: v.name } : { name: v.name, instance: v.instance } };
}

function readDb(path: string): { values: Map<string, string | null>; infos: Set<string>; outbox: Set<string> } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const stmt = db.prepare<[string, string, string], { value: string | null }>(
      `SELECT a.value FROM attributes a JOIN variables v ON a.variable_id = v.id JOIN components c ON v.component_id = c.id
       WHERE c.name = ? AND v.name = ? AND IFNULL(v.instance, '') = ? AND a.type = 'Actual'`);
    const values = new Map<string, string | null>();
    for (const v of VARS) values.set(v.name, stmt.get(v.component, v.name, v.instance ?? '')?.value ?? null);
    const infos = new Set(db.prepare<[], { info: string | null }>('SELECT info FROM security_log').all().map((r) => r.info ?? ''));
    const outbox = new Set(db.prepare<[], { payload: string }>('SELECT payload FROM outbox').all()
      .map((r) => (JSON.parse(r.payload) as { tech_info?: string }).tech_info ?? ''));
    return { values, infos, outbox };
  } finally {
    db.close();
  }
}

test.before(async () => {
  broker = await testBroker();
  for (const sync of ['full', 'normal']) {
    const prefix = uniquePrefix(`crash${sync}`);
    // A CSMS link that never connects (nothing listens there): critical events are queued for it, as for
    // a station whose CSMS is down; without csms_url nothing would be queued (docs/security.md).
    const configModule = { device_model_sync: sync, csms_url: 'ws://127.0.0.1:9/ocpp', station_id: 'CS-crash' };
    const manager = await startTestManager({ brokerUrl: broker.url, prefix, dialect, configModule });
    stacks.set(sync, { manager, prefix, caller: await FrameworkCaller.connect(broker.url, prefix, dialect) });
  }
});

test.after(async () => {
  await Promise.all(calls);
  if (mod) await stopModule(mod);
  for (const s of stacks.values()) {
    await s.caller.close();
    await s.manager.stop();
  }
  await broker?.close();
});

for (const [round, killAt, sync] of [[1, 300, 'full'], [2, 150, 'full'], [3, 200, 'normal']] as const) {
  test(`round ${round} (device_model_sync ${sync}): SIGKILL mid-burst; every answered change and event is in the file and served after restart`, async () => {
    const { manager, caller, prefix } = stacks.get(sync)!;
    mod = await startModuleProcess(broker.url, prefix);
    const run = randomBytes(3).toString('hex');
    // The caller subscribes to a cmd's reply topic at its first call of it, and later calls overtake that first
    // one meanwhile: one call of each cmd first, so that the burst goes out (and is served) in order.
    await caller.call('ocpp', 'ocpp_generic', 'set_variables', { requests: [] });
    await caller.call('ocpp', 'ocpp_generic', 'security_event', { type: 'InvalidMessages', info: `warm-up ${run}` });
    const N = 1000;
    // What the module answered before it died: per variable the index of the last Accepted set, and the events.
    const lastAccepted = new Map<string, number>();
    const events: Array<{ info: string; critical: boolean }> = [];
    const problems: string[] = [];
    let answers = 0;
    let killed = false;
    // The calls go out as a stream with at most 40 unanswered, so that the module is always busy and answers
    // keep coming: the kill lands while it works. (Fired all at once, the module would take in the whole
    // burst before its first answers get through: the broker's acknowledgements of them queue behind it.)
    let sent = 0;
    let inFlight = 0;
    const one = (i: number): Promise<void> => {
      inFlight++;
      const done = (): void => { inFlight--; };
      if (i % 2 === 0) {
        const v = VARS[(i / 2) % VARS.length]!;
        return caller.call('ocpp', 'ocpp_generic', 'set_variables', { requests: [{ component_variable: cv(v), value: String(1000 + i) }] }, { timeoutMs: 5000 }).then((r) => {
          done();
          if (killed) return;
          answers++;
          const e = replyError(r);
          const status = (r.data.retval as Array<{ status: string }> | undefined)?.[0]?.status;
          if (e || status !== 'Accepted') problems.push(`set ${i}: ${e ? `${e.type}: ${e.msg}` : status}`);
          else lastAccepted.set(v.name, Math.max(lastAccepted.get(v.name) ?? -1, i));
        }, done);
      }
      const type = i % 4 === 1 ? 'TamperDetectionActivated' : 'InvalidMessages';
      const info = `crash-${run}-${i}`;
      return caller.call('ocpp', 'ocpp_generic', 'security_event', { type, info }, { timeoutMs: 5000 }).then((r) => {
        done();
        if (killed) return;
        answers++;
        const e = replyError(r);
        if (e) problems.push(`event ${i}: ${e.type}: ${e.msg}`);
        else events.push({ info, critical: isCriticalSecurityEvent(type) });
      }, done);
    };
    const deadline = Date.now() + 15_000;
    while (answers < killAt && sent < N && Date.now() < deadline) {
      while (inFlight < 40 && sent < N) calls.push(one(sent++));
      await new Promise((r) => setImmediate(r));
    }
    // The counters stop at the kill: an answer that was on its way may still come, but it is not counted.
    killed = true;
    mod.kill('SIGKILL');
    const { signal } = await mod.exited();
    assert.is(signal, 'SIGKILL');
    mod = undefined;
    assert.equal(problems, [], 'every call answered before the kill succeeded');
    assert.ok(answers >= killAt && answers < N, `killed mid-burst (${answers} of ${N} answered)`);

    // The file, read-only, after the process is dead.
    const db = readDb(manager.dbPath);
    const inFile = [...db.infos].filter((i) => i.startsWith(`crash-${run}-`)).length;
    process.stdout.write(`\n  round ${round} (${sync}): killed after ${answers} answers, ${sent} calls sent (${events.length} events answered, ${inFile} in the file)\n`);
    for (const [name, i] of lastAccepted) {
      const stored = Number(db.values.get(name));
      assert.ok(stored >= 1000 + i, `${name}: stored ${stored}, last answered Accepted ${1000 + i}`);
    }
    const missingLog = events.filter((e) => !db.infos.has(e.info)).map((e) => e.info);
    assert.equal(missingLog, [], 'every answered security event is in the security log');
    const missingOutbox = events.filter((e) => e.critical && !db.outbox.has(e.info)).map((e) => e.info);
    assert.equal(missingOutbox, [], 'every answered critical security event is in the outbox');
    if (events.length >= 4) assert.ok(events.some((e) => e.critical), 'critical events were part of the burst');

    // Restarted, the module serves exactly what the file holds.
    mod = await startModuleProcess(broker.url, prefix);
    const r = await caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: VARS.map((v) => ({ component_variable: cv(v) })) });
    const served = (r.data.retval as Array<{ status: string; value?: string }>).map((x) => x.value ?? null);
    assert.equal(served, VARS.map((v) => db.values.get(v.name) ?? null));
    await stopModule(mod);
    mod = undefined;
  });
}

test.run();
