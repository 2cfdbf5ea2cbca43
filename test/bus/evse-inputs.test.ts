// The inputs of each EVSE from a stand-in evse_manager on the bus, in each bus dialect and in the payload
// shapes of both bundled everest-core releases: TsOcpp (a real process, at debug) checks them against the
// definition the manager publishes, normalizes session events into one shape (seen in its `evse input`
// debug line), drops what does not fit with one warning per EVSE and var, and survives a flood of garbage.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { startBusSession, until, type BusSession } from '../helpers/session.js';
import { testBroker, testDialect, type TestBroker } from '../helpers/broker.js';
import type { BundledRelease } from '../../src/schema/releases.js';

const dialect = testDialect();
let broker: TestBroker;
let evse: MqttClient;
const sessions = new Map<BundledRelease, BusSession>();

const T0 = '2026-03-01T10:00:00.000Z';
const meter = (wh: number): Record<string, unknown> => ({ timestamp: T0, energy_Wh_import: { total: wh } });

function publishVar(s: BusSession, moduleId: string, name: string, value: unknown, raw?: string): Promise<unknown> {
  const base = `${s.prefix}modules/${moduleId}/impl/evse`;
  const body = raw ?? (dialect === 'v25' ? JSON.stringify({ msg_type: 'Var', data: { data: value } }) : JSON.stringify({ name, data: value }));
  return evse.publishAsync(dialect === 'v25' ? `${base}/var/${name}` : `${base}/var`, body, { qos: 2 });
}

interface LogLine { msg?: string; level?: number | string; evse?: number; var?: string; session_event?: Record<string, unknown>; powermeter?: Record<string, unknown>; issue?: string }
const parse = (l: string): LogLine => { try { return JSON.parse(l) as LogLine; } catch { return {}; } };
const lines = (s: BusSession): LogLine[] => s.mod.lines.map(parse);
const inputs = (s: BusSession, name: string, evseId: number): LogLine[] => lines(s).filter((l) => l.msg === 'evse input' && l.var === name && l.evse === evseId);
const drops = (s: BusSession, name: string, evseId: number): LogLine[] => lines(s).filter((l) => l.msg?.startsWith('dropped an evse_manager var') && l.var === name && l.evse === evseId);

async function session(release: BundledRelease, tag: string): Promise<BusSession> {
  const s = await startBusSession({
    tag,
    broker,
    evseRelease: release,
    configModule: { evse_count: 2, connectors_per_evse: 1 },
    connections: { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }, { module_id: 'evse2', implementation_id: 'evse' }] },
    moduleArgs: ['--log-level', 'debug'],
  });
  await s.mod.waitFor(/evse_manager inputs checked/);
  sessions.set(release, s);
  return s;
}

test.before(async () => {
  broker = await testBroker();
  evse = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  await session('2023.12.0', 'in23');
  await session('2026.02.0', 'in26');
});

test.after(async () => {
  for (const s of sessions.values()) await s.close();
  await evse?.endAsync();
  await broker?.close();
});

test('the bundled release is told from the evse_manager definition the manager publishes', () => {
  for (const [release, s] of sessions) {
    const line = lines(s).find((l): l is LogLine & { release?: string; definition?: string } => l.msg?.startsWith('evse_manager inputs checked') === true);
    assert.ok(line, `${release}: the inputs line`);
    assert.is(line.release, release);
    assert.is(line.definition, 'manager');
  }
});

test('a 2023.12 session_event (id_token a string beside id_token_type, time in its data) arrives normalized', async () => {
  const s = sessions.get('2023.12.0')!;
  await publishVar(s, 'evse1', 'session_event', {
    uuid: 'sess-23', event: 'TransactionStarted',
    transaction_started: { timestamp: T0, meter_value: meter(1200.5), id_tag: { id_token: 'TAG23', authorization_type: 'RFID', id_token_type: 'ISO14443' } },
  });
  await until(() => inputs(s, 'session_event', 1).length > 0, 8000, 'the 2023.12 event');
  assert.equal(inputs(s, 'session_event', 1)[0]!.session_event, {
    uuid: 'sess-23', timestamp: T0, connector_id: 1, event: 'TransactionStarted',
    transaction_started: { id_tag: { id_token: { value: 'TAG23', type: 'ISO14443' }, authorization_type: 'RFID' }, meter_value: meter(1200.5) },
  });
  await publishVar(s, 'evse1', 'session_event', {
    uuid: 'sess-23', event: 'TransactionFinished',
    transaction_finished: { timestamp: T0, meter_value: meter(1500), reason: 'EVDisconnected', id_tag: 'TAG23' },
  });
  await until(() => inputs(s, 'session_event', 1).length > 1, 8000, 'the 2023.12 finish');
  assert.equal(inputs(s, 'session_event', 1)[1]!.session_event!.transaction_finished, {
    meter_value: meter(1500), reason: 'EVDisconnected', id_tag: { id_token: { value: 'TAG23', type: 'Local' } },
  });
});

test('a 2026.02 session_event (id_token {value, type}, time on top) arrives in the same shape', async () => {
  const s = sessions.get('2026.02.0')!;
  await publishVar(s, 'evse2', 'session_event', {
    uuid: 'sess-26', event: 'TransactionStarted', timestamp: T0, connector_id: 1,
    transaction_started: { meter_value: meter(10), id_tag: { id_token: { value: 'TAG26', type: 'ISO14443' }, authorization_type: 'RFID' } },
  });
  await until(() => inputs(s, 'session_event', 2).length > 0, 8000, 'the 2026.02 event');
  assert.equal(inputs(s, 'session_event', 2)[0]!.session_event, {
    uuid: 'sess-26', timestamp: T0, connector_id: 1, event: 'TransactionStarted',
    transaction_started: { id_tag: { id_token: { value: 'TAG26', type: 'ISO14443' }, authorization_type: 'RFID' }, meter_value: meter(10) },
  });
  assert.ok(lines(s).filter((l) => JSON.stringify(l).includes('TAG26')).every((l) => l.level === 'debug' || l.level === 20), 'the id token only at debug');
});

test('powermeter arrives checked, per EVSE, in both releases', async () => {
  for (const s of sessions.values()) {
    await publishVar(s, 'evse2', 'powermeter', { ...meter(42), power_W: { total: 7000 } });
    await until(() => inputs(s, 'powermeter', 2).length > 0, 8000, 'the powermeter');
    assert.equal(inputs(s, 'powermeter', 2)[0]!.powermeter, { ...meter(42), power_W: { total: 7000 } });
  }
});

test('invalid payloads are dropped and logged once per EVSE and var', async () => {
  const s = sessions.get('2026.02.0')!;
  const before = inputs(s, 'session_event', 1).length;
  for (let i = 0; i < 10; i++) {
    // 2023.12's shape is not 2026.02's: no top-level timestamp, id_token a string.
    await publishVar(s, 'evse1', 'session_event', { uuid: `bad-${i}`, event: 'TransactionStarted' });
    await publishVar(s, 'evse1', 'powermeter', { timestamp: T0, energy_Wh_import: { total: 'lots' } });
  }
  // A valid one after them on each topic: once it is through, the invalid ones were handled.
  await publishVar(s, 'evse1', 'session_event', { uuid: 'ok', event: 'SessionFinished', timestamp: T0, session_finished: { meter_value: meter(1) } });
  await publishVar(s, 'evse1', 'powermeter', meter(2));
  await until(() => inputs(s, 'session_event', 1).length > before && inputs(s, 'powermeter', 1).some((l) => (l.powermeter as { energy_Wh_import: { total: number } }).energy_Wh_import.total === 2), 8000, 'the valid ones');
  assert.is(inputs(s, 'session_event', 1).length, before + 1, 'only the valid session_event went through');
  assert.is(drops(s, 'session_event', 1).length, 1, 'one warning for ten invalid session events');
  assert.is(drops(s, 'powermeter', 1).length, 1, 'one warning for ten invalid powermeters');
  assert.match(drops(s, 'session_event', 1)[0]!.issue!, /timestamp/);
  assert.match(drops(s, 'powermeter', 1)[0]!.issue!, /energy_Wh_import\/total: must be number/);
});

test('a flood of garbage does not crash the module, and valid input still arrives after it', async () => {
  const s = sessions.get('2023.12.0')!;
  const garbage: Array<[string, unknown, string?]> = [
    ['session_event', null], ['session_event', 42], ['session_event', 'TransactionStarted'], ['session_event', []],
    ['session_event', { uuid: 1, event: 'Nope' }], ['session_event', { uuid: 'x', event: 'TransactionStarted', transaction_started: { id_tag: 5 } }],
    ['session_event', { __proto__: { polluted: true }, uuid: 'x', event: 'Enabled' }], ['powermeter', { timestamp: 'yesterday', energy_Wh_import: {} }],
    ['powermeter', 'x'.repeat(100_000)], ['ready', 'yes'], ['limits', { uuid: 3 }],
    ['session_event', undefined, 'not json {'], ['powermeter', undefined, '\u0000\u0001'], ['session_event', undefined, JSON.stringify({ msg_type: 'Var' })],
  ];
  let deep: unknown = 'x';
  for (let i = 0; i < 2000; i++) deep = { a: deep };
  garbage.push(['session_event', { uuid: 'd', event: 'Enabled', deep }]);
  for (let round = 0; round < 20; round++) {
    await Promise.all(garbage.map(([name, value, raw]) => publishVar(s, round % 2 === 0 ? 'evse1' : 'evse2', name, value, raw)));
  }
  await publishVar(s, 'evse2', 'session_event', { uuid: 'after', event: 'Enabled' });
  await until(() => inputs(s, 'session_event', 2).some((l) => l.session_event!.uuid === 'after'), 15_000, 'the valid event after the flood');
  assert.ok(s.mod.running, 'the module is still running');
  // The module still serves calls.
  const r = await s.caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [] });
  assert.equal(r.data.retval, []);
  for (const evseId of [1, 2]) for (const name of ['session_event', 'powermeter', 'ready', 'limits']) {
    assert.ok(drops(s, name, evseId).length <= 1, `at most one warning for ${name} of EVSE ${evseId}`);
  }
});

test.run();
