// `tsocpp simulate-session` as a user runs it (a real process) against TsOcpp (a real process, at debug) on
// a test broker, in this pass's dialect: the whole session of each bundled release's shape reaches TsOcpp
// checked against the evse_manager definition in force, and the simulator answers the evse_manager cmds
// TsOcpp and other callers send it. What TsOcpp received is read from its `evse input` debug line
// (evse-inputs.ts): the TransactionEvents at a CSMS come once the transaction machine is wired to the bus.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { startBusSession, until, type BusSession } from '../helpers/session.js';
import { testBroker, type TestBroker } from '../helpers/broker.js';
import { Child } from '../helpers/child.js';
import { replyError } from '../helpers/framework-caller.js';
import { projectRoot } from '../../src/schema/definitions.js';

let broker: TestBroker;
const sessions: BusSession[] = [];
const sims: Child[] = [];

interface LogLine { msg?: string; evse?: number; var?: string; session_event?: SessionEvent; powermeter?: { energy_Wh_import: { total: number } } }
interface SessionEvent {
  uuid: string;
  event: string;
  connector_id: number;
  transaction_started?: { id_tag: { id_token: { value: string; type: string } } };
  transaction_finished?: { reason?: string; meter_value: { energy_Wh_import: { total: number } } };
}
const parse = (l: string): LogLine => { try { return JSON.parse(l) as LogLine; } catch { return {}; } };
const inputs = (s: BusSession, name: string): LogLine[] => s.mod.lines.map(parse).filter((l) => l.msg === 'evse input' && l.var === name && l.evse === 1);
const events = (s: BusSession): SessionEvent[] => inputs(s, 'session_event').map((l) => l.session_event!);
const drops = (s: BusSession): LogLine[] => s.mod.lines.map(parse).filter((l) => l.msg?.startsWith('dropped an evse_manager var') === true);

async function session(tag: string, o: Parameters<typeof startBusSession>[0] = {}): Promise<BusSession> {
  const s = await startBusSession({
    tag,
    broker,
    connections: { evse_manager: [{ module_id: 'evse_manager_1', implementation_id: 'evse' }] },
    moduleArgs: ['--log-level', 'debug'],
    ...o,
  });
  await s.mod.waitFor(/evse_manager inputs checked/);
  sessions.push(s);
  return s;
}

/** The simulator against the session's bus; no --bus-dialect: it finds the dialect (or speaks both) itself. */
function simulate(s: BusSession, args: string[]): Child {
  const c = new Child(process.execPath, [join(projectRoot(), 'bin', 'tsocpp.js'), 'simulate-session', '--broker', s.broker.url, '--prefix', s.prefix, ...args], { cwd: projectRoot(), tag: 'sim' });
  sims.push(c);
  return c;
}

const stepLines = (c: Child, what: string): string[] => c.lines.filter((l) => new RegExp(`^\\s+[\\d.]+ s  evse 1  ${what} `).test(l));

test.before(async () => {
  broker = await testBroker();
});

test.after(async () => {
  for (const c of sims) if (c.running) await c.stop('SIGKILL');
  for (const s of sessions) await s.close();
  await broker?.close();
});

test('a 2026.02 session (the default without a definition on the bus) reaches TsOcpp whole and checked', async () => {
  const s = await session('sim26', { evseRelease: '2026.02.0' });
  const sim = simulate(s, ['--evse', '1', '--energy-wh', '400', '--seconds', '4', '--step-ms', '30', '--id-token', 'TOKEN26']);
  const exit = await sim.exited();
  assert.is(exit.code, 0, sim.lines.join('\n'));
  assert.match(sim.lines[0]!, /everest-core 2026\.02\.0 \(none retained on the bus/);
  const expected = ['SessionStarted', 'AuthRequired', 'Authorized', 'TransactionStarted', 'PrepareCharging', 'ChargingStarted',
    'ChargingPausedEV', 'ChargingFinished', 'TransactionFinished', 'SessionFinished'];
  await until(() => events(s).some((e) => e.event === 'SessionFinished'), 8000, 'SessionFinished at TsOcpp');
  const evs = events(s);
  assert.equal(evs.map((e) => e.event), expected);
  assert.is(new Set(evs.map((e) => e.uuid)).size, 1, 'one session uuid');
  assert.equal(evs[3]!.transaction_started!.id_tag.id_token, { value: 'TOKEN26', type: 'ISO14443' });
  assert.is(evs[8]!.transaction_finished!.reason, 'EVDisconnected');
  assert.is(evs[8]!.transaction_finished!.meter_value.energy_Wh_import.total, 400);
  await until(() => inputs(s, 'powermeter').length >= 6, 8000, 'every powermeter value');
  assert.equal(inputs(s, 'powermeter').map((l) => l.powermeter!.energy_Wh_import.total), [0, 100, 200, 300, 400, 400]);
  assert.equal(drops(s), [], 'nothing dropped');
  // One printed line per step.
  assert.is(stepLines(sim, 'session_event').length, expected.length);
  assert.is(stepLines(sim, 'powermeter').length, 6);
});

test('a 2023.12 session (the release read from the evse_manager definition on the bus) reaches TsOcpp in that shape', async () => {
  const s = await session('sim23', { evseRelease: '2023.12.0', retainTopics: true });
  const sim = simulate(s, ['--energy-wh', '1500', '--seconds', '3', '--step-ms', '30', '--id-token', 'TOKEN23', '--id-token-type', 'Central', '--stop-reason', 'Local']);
  const exit = await sim.exited();
  assert.is(exit.code, 0, sim.lines.join('\n'));
  assert.match(sim.lines[0]!, /everest-core 2023\.12\.0 \(from the evse_manager definition on the bus\)/);
  // 2023.12 has no Authorized event; a Local stop is the EVSE stopping, not the EV.
  const expected = ['SessionStarted', 'AuthRequired', 'TransactionStarted', 'PrepareCharging', 'ChargingStarted',
    'StoppingCharging', 'ChargingFinished', 'TransactionFinished', 'SessionFinished'];
  await until(() => events(s).some((e) => e.event === 'SessionFinished'), 8000, 'SessionFinished at TsOcpp');
  const evs = events(s);
  assert.equal(evs.map((e) => e.event), expected);
  assert.equal(evs[2]!.transaction_started!.id_tag.id_token, { value: 'TOKEN23', type: 'Central' });
  assert.is(evs[7]!.transaction_finished!.reason, 'Local');
  assert.is(evs[7]!.transaction_finished!.meter_value.energy_Wh_import.total, 1500);
  assert.equal(drops(s), [], 'nothing dropped');
});

test('it answers the evse_manager cmds: TsOcpp\'s availability change, get_evse, stop_transaction (ending the session with its reason), and refuses what it does not simulate', async () => {
  const s = await session('simcmd', { evseRelease: '2026.02.0' });
  // Slow steps: the availability change must reach the EVSE before its TransactionStarted (during a
  // transaction TsOcpp schedules it for the end, E/G03).
  const sim = simulate(s, ['--seconds', '600', '--step-ms', '400']);
  await sim.waitFor(/^a session of /);
  const change = await s.caller.call('ocpp', 'ocpp_generic', 'change_availability', { request: { operational_status: 'Inoperative', evse: { id: 1, connector_id: 1 } } });
  assert.is((change.data.retval as { status: string }).status, 'Accepted');
  await sim.waitFor(/cmd\s+enable_disable\s+connector 1: Disable by CSMS \(priority 5000\)/);

  const evse = await s.caller.call('evse_manager_1', 'evse', 'get_evse', {});
  assert.equal(evse.data.retval, { id: 1, connectors: [{ id: 1 }] });
  const reserve = await s.caller.call('evse_manager_1', 'evse', 'reserve', { reservation_id: 1 });
  assert.equal(replyError(reserve), { type: 'HandlerException', msg: 'tsocpp simulate-session does not simulate reserve' });

  await sim.waitFor(/session_event\s+ChargingStarted/);
  const stop = await s.caller.call('evse_manager_1', 'evse', 'stop_transaction', { request: { reason: 'Remote' } });
  assert.is(stop.data.retval, true);
  const exit = await sim.exited();
  assert.is(exit.code, 0, sim.lines.join('\n'));
  await until(() => events(s).some((e) => e.event === 'SessionFinished'), 8000, 'SessionFinished at TsOcpp');
  const finished = events(s).find((e) => e.event === 'TransactionFinished');
  assert.is(finished?.transaction_finished?.reason, 'Remote');
  assert.ok(events(s).some((e) => e.event === 'StoppingCharging'), 'the EVSE stopped it (not the EV)');
  assert.not.ok(s.mod.lines.some((l) => l.includes('evse_manager did not take the availability change')), 'TsOcpp got its answer');
});

test.run();
