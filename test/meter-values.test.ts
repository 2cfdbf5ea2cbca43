// Meter values end to end (issue 16 items 3 and 6): scripted evse_manager stand-ins publish session events and
// powermeter readings, TsOcpp (the real app, its meter timers on fake timers whose clock starts at midnight
// UTC) sends to the strict ocpp-rpc CSMS. J01 (AlignedDataCtrlr: MeterValues outside a transaction,
// TransactionEvent MeterValueClock inside one), J02 / E06 (TxEnded samples in the Ended), a variable set by the
// CSMS taking effect without a restart, F06 (TriggerMessage MeterValues and TransactionEvent).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { FakeTimers } from './fixtures/csms/fake-timers.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { Cleanup } from './helpers/cleanup.js';
import { ScriptedEvse } from './fixtures/evse.js';
import { until } from './helpers/wait.js';

type R = Record<string, unknown>;
type MV = { timestamp: string; sampledValue: R[] };
const cleanup = new Cleanup();
let db: TempDb;
let csms: TestCsms;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;
let timers: FakeTimers;

const MIDNIGHT = Date.UTC(2026, 0, 1);
const set = (component: string, name: string, value: string | number) =>
  ({ component_variable: { component: { name: component }, variable: { name } }, value: String(value) });
/** Every meter timer off; each test switches on what it is about. */
const allOff = [
  set('SampledDataCtrlr', 'TxUpdatedInterval', 0), set('SampledDataCtrlr', 'TxEndedInterval', 0),
  set('AlignedDataCtrlr', 'Interval', 0), set('AlignedDataCtrlr', 'TxEndedInterval', 0),
];

async function start(extra: ReturnType<typeof set>[]): Promise<{ evse1: ScriptedEvse; evse2: ScriptedEvse }> {
  seedDeviceModel(db.path, [...allOff, ...extra]);
  timers = new FakeTimers();
  ts = cleanup.add(await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections: { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }, { module_id: 'evse2', implementation_id: 'evse' }] } },
    sampleTimers: timers,
  }), (t) => t.stop());
  client = cleanup.add(await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 }), (c) => c.endAsync());
  const evse2 = new ScriptedEvse(client, 'everest/', 'evse2');
  evse2.uuid = 'session-2';
  await csms.waitFor('StatusNotification', 2);
  return { evse1: new ScriptedEvse(client, 'everest/', 'evse1'), evse2 };
}

const reading = (evseId: number) => until(() => ts!.app.service.transactions.reading(evseId) !== undefined, 5000, `EVSE ${evseId} reading`);
const txEvents = (): R[] => csms.of('TransactionEvent').map((r) => r.params);
const contexts = (mv: unknown): unknown[] => (mv as MV[]).map((m) => m.sampledValue[0]?.context);

async function openTransaction(evse: ScriptedEvse): Promise<void> {
  await evse.plugIn();
  await evse.authorize();
  await evse.charge();
  await evse.powermeter(500);
  await csms.waitFor('TransactionEvent', 2);
}

test.before.each(async () => {
  db = cleanup.add(tempDb(), (d) => d.cleanup());
  csms = cleanup.add(await new TestCsms({ password: PASSWORD }).start(), (c) => c.stop());
});
test.after.each(() => cleanup.run());

test('J01.FR.14: outside a transaction, MeterValues (Sample.Clock, AlignedDataCtrlr.Measurands) per EVSE with a reading at the aligned instant', async () => {
  const { evse1 } = await start([set('AlignedDataCtrlr', 'Interval', 900), set('AlignedDataCtrlr', 'Measurands', 'Power.Active.Import,Frequency')]);
  await evse1.powermeter(100);
  await reading(1);
  await until(() => timers.pending.includes(900_000), 5000, 'the aligned timer');
  assert.is(timers.fireNext(), 900_000);
  const [mv] = await csms.waitFor('MeterValues', 1);
  assert.is(mv!.params.evseId, 1, 'EVSE 2 has no reading: nothing for it');
  const value = (mv!.params.meterValue as MV[])[0]!;
  assert.is(value.timestamp, new Date(MIDNIGHT + 900_000).toISOString(), 'stamped with the aligned instant');
  // Energy.Active.Import.Register always; Frequency is not in the reading.
  assert.equal(value.sampledValue.map((s) => [s.measurand, s.value, s.context]), [
    ['Energy.Active.Import.Register', 1100, 'Sample.Clock'],
    ['Power.Active.Import', 7000, 'Sample.Clock'],
  ]);
  // The next instant follows.
  await until(() => timers.pending.includes(900_000), 5000, 'the next aligned instant');
  assert.is(csms.of('TransactionEvent').length, 0);
});

test('J01: during a transaction, a TransactionEvent Updated MeterValueClock with Sample.Clock instead of MeterValues', async () => {
  const { evse1 } = await start([set('AlignedDataCtrlr', 'Interval', 900)]);
  await openTransaction(evse1);
  await until(() => timers.pending.includes(900_000), 5000, 'the aligned timer');
  timers.fireNext();
  await csms.waitFor('TransactionEvent', 3);
  const clock = txEvents()[2]!;
  assert.equal([clock.eventType, clock.triggerReason, clock.seqNo], ['Updated', 'MeterValueClock', 2]);
  assert.equal(contexts(clock.meterValue), ['Sample.Clock']);
  assert.is((clock.meterValue as MV[])[0]!.timestamp, new Date(MIDNIGHT + 900_000).toISOString());
  assert.is(csms.of('MeterValues').length, 0, 'no MeterValues for the EVSE in a transaction');
});

test('J02 / E06: the Ended carries Transaction.Begin, the TxEndedInterval samples (Sample.Periodic) and Transaction.End, then the samples are gone', async () => {
  const { evse1 } = await start([set('SampledDataCtrlr', 'TxEndedInterval', 60)]);
  await openTransaction(evse1);
  for (let i = 0; i < 2; i++) {
    await until(() => timers.pending.includes(60_000), 5000, 'the TxEndedInterval timer');
    timers.fireNext();
    await evse1.powermeter(100);
  }
  await evse1.stop();
  await csms.waitFor('TransactionEvent', 3);
  const ended = txEvents()[2]!;
  assert.is(ended.eventType, 'Ended');
  assert.equal(contexts(ended.meterValue), ['Transaction.Begin', 'Sample.Periodic', 'Sample.Periodic', 'Transaction.End']);
  const energy = (ended.meterValue as MV[]).map((m) => m.sampledValue[0]?.value);
  assert.equal(energy, [1000, 1500, 1600, 1700], 'each sample the reading of its time');
  assert.equal(txEvents().slice(0, 2).map((e) => e.triggerReason), ['Authorized', 'ChargingStateChanged'], 'samples make no message of their own');
  const raw = new Database(db.path, { readonly: true });
  try {
    assert.is((raw.prepare('SELECT COUNT(*) AS n FROM tx_meter_values').get() as { n: number }).n, 0, 'kept samples removed with the Ended');
  } finally {
    raw.close();
  }
});

test('J01: AlignedDataCtrlr.Interval set by the CSMS takes effect without a restart (on, then off)', async () => {
  const { evse1 } = await start([]);
  await evse1.powermeter(100);
  await reading(1);
  assert.not.ok(timers.pending.includes(300_000));
  const res = await csms.call<{ setVariableResult: R[] }>('SetVariables', {
    setVariableData: [{ component: { name: 'AlignedDataCtrlr' }, variable: { name: 'Interval' }, attributeValue: '300' }],
  });
  assert.is(res.setVariableResult[0]?.attributeStatus, 'Accepted');
  await until(() => timers.pending.includes(300_000), 5000, 'the aligned timer after SetVariables');
  timers.fireNext();
  const [mv] = await csms.waitFor('MeterValues', 1);
  assert.is((mv!.params.meterValue as MV[])[0]!.timestamp, new Date(MIDNIGHT + 300_000).toISOString());
  await csms.call('SetVariables', {
    setVariableData: [{ component: { name: 'AlignedDataCtrlr' }, variable: { name: 'Interval' }, attributeValue: '0' }],
  });
  await until(() => timers.pending.length === 0, 5000, 'no aligned timer after Interval 0');
});

test('F06: TriggerMessage MeterValues Accepted for an EVSE with a reading (Trigger context, after the answer), Rejected for one without', async () => {
  const { evse1 } = await start([]);
  await evse1.powermeter(100);
  await reading(1);
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'MeterValues', evse: { id: 2 } }), { status: 'Rejected' });
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'MeterValues', evse: { id: 1 } }), { status: 'Accepted' });
  const [mv] = await csms.waitFor('MeterValues', 1);
  assert.is(mv!.params.evseId, 1);
  assert.equal(contexts(mv!.params.meterValue), ['Trigger']);
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'MeterValues' }), { status: 'Accepted' });
  await csms.waitFor('MeterValues', 2);
});

test('F06.FR.07: TriggerMessage TransactionEvent: Updated with triggerReason Trigger for the ongoing transaction, Rejected without one', async () => {
  const { evse1 } = await start([]);
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'TransactionEvent', evse: { id: 1 } }), { status: 'Rejected' });
  await openTransaction(evse1);
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'TransactionEvent', evse: { id: 2 } }), { status: 'Rejected' });
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'TransactionEvent', evse: { id: 1 } }), { status: 'Accepted' });
  await csms.waitFor('TransactionEvent', 3);
  const trig = txEvents()[2]!;
  assert.equal([trig.eventType, trig.triggerReason, trig.seqNo], ['Updated', 'Trigger', 2]);
  assert.equal(contexts(trig.meterValue), ['Trigger']);
});

test.run();
