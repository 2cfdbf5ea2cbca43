// Charging sessions end to end (issue 16 items 2, 3, 5): scripted evse_manager stand-ins publish session
// events and powermeter readings on the bus, TsOcpp (the real app) turns them into TransactionEvents, queues
// them in its durable outbox and delivers them to the strict ocpp-rpc CSMS, which checks every message
// against the OCPP 2.0.1 schema. E01/E02 (start), E06/E07 (stop), E04/E08 (offline, delivered in order
// afterwards), J02 (TxUpdatedInterval samples, fake timers).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms, type Received } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { FakeTimers } from './fixtures/csms/fake-timers.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { Cleanup } from './helpers/cleanup.js';
import { ScriptedEvse } from './fixtures/evse.js';
import { until } from './helpers/wait.js';

type R = Record<string, unknown>;
const cleanup = new Cleanup();
let db: TempDb;
let csms: TestCsms;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;
let timers: FakeTimers;

const interval = (s: number) => ({ component_variable: { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' } }, value: String(s) });
// Clock-aligned values off here (meter-values.test.ts has them): only the TxUpdatedInterval timer runs.
const alignedOff = ['Interval', 'TxEndedInterval'].map((name) => ({ component_variable: { component: { name: 'AlignedDataCtrlr' }, variable: { name } }, value: '0' }));

async function start(): Promise<{ evse1: ScriptedEvse; evse2: ScriptedEvse }> {
  timers = new FakeTimers();
  ts = cleanup.add(await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections: { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }, { module_id: 'evse2', implementation_id: 'evse' }] } },
    sampleTimers: timers,
  }), (t) => t.stop());
  client = cleanup.add(await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 }), (c) => c.endAsync());
  const prefix = 'everest/';
  const evse2 = new ScriptedEvse(client, prefix, 'evse2');
  evse2.uuid = 'session-2';
  return { evse1: new ScriptedEvse(client, prefix, 'evse1'), evse2 };
}

const events = (evseTx?: string): R[] => csms.of('TransactionEvent').map((r: Received) => r.params)
  .filter((p) => evseTx === undefined || (p.transactionInfo as R).transactionId === evseTx);
const shape = (p: R) => [p.eventType, p.triggerReason, p.seqNo, (p.transactionInfo as R).chargingState ?? null];

function assertContiguous(list: R[]): void {
  assert.equal(list.map((p) => p.seqNo), list.map((_, i) => i), 'seqNo contiguous from 0');
  assert.is(new Set(list.map((p) => (p.transactionInfo as R).transactionId)).size, 1, 'one transactionId');
}

async function playSession(evse: ScriptedEvse, samples: () => Promise<void> = async () => undefined): Promise<void> {
  await evse.plugIn();
  await evse.authorize();
  await evse.charge();
  await evse.powermeter(500);
  await samples();
  await evse.stop();
  await evse.unplug();
}

test.before.each(async () => {
  db = cleanup.add(tempDb(), (d) => d.cleanup());
  seedDeviceModel(db.path, [interval(60), ...alignedOff]);
  csms = cleanup.add(await new TestCsms({ password: PASSWORD }).start(), (c) => c.stop());
});
test.after.each(() => cleanup.run());

test('a whole session arrives as Started, Updated (charging, periodic sample), Ended with contiguous seqNo', async () => {
  const { evse1 } = await start();
  await csms.waitFor('StatusNotification', 2);
  await playSession(evse1, async () => {
    // The powermeter reading above is in; TxUpdatedInterval (60 s) is due: one Sample.Periodic Updated.
    await until(() => timers.pending.includes(60_000), 5000, 'the TxUpdatedInterval timer');
    await until(() => ts!.app.service.transactions.record(1)?.seqNoNext === 2, 5000, 'Started and Updated made');
    timers.fireNext();
  });
  await csms.waitFor('TransactionEvent', 4);
  const got = events();
  assert.equal(got.map(shape), [
    ['Started', 'Authorized', 0, 'EVConnected'],
    ['Updated', 'ChargingStateChanged', 1, 'Charging'],
    ['Updated', 'MeterValuePeriodic', 2, 'Charging'],
    ['Ended', 'StopAuthorized', 3, 'EVConnected'],
  ]);
  assertContiguous(got);
  const [started, , periodic, ended] = got as [R, R, R, R];
  assert.equal(started.evse, { id: 1, connectorId: 1 });
  assert.equal(started.idToken, { idToken: 'CAFE0001', type: 'ISO14443' });
  assert.is(started.offline, undefined);
  const sample = (periodic.meterValue as Array<{ sampledValue: R[] }>)[0]!.sampledValue;
  assert.equal(sample.map((s) => [s.measurand, s.value, s.context]), [
    ['Energy.Active.Import.Register', 1500, 'Sample.Periodic'], ['Power.Active.Import', 7000, 'Sample.Periodic'],
  ]);
  assert.is((ended.transactionInfo as R).stoppedReason, 'Local');
  await until(() => ts!.app.service.outbox.size() === 0, 3000, 'outbox empty');
  assert.is(ts!.app.service.transactions.record(1), undefined, 'record gone after SessionFinished');
  assert.not.ok(timers.pending.includes(60_000), 'no sample timer after the end');
});

test('two EVSEs at once: each its own transaction, each contiguous', async () => {
  const { evse1, evse2 } = await start();
  await csms.waitFor('StatusNotification', 2);
  await evse1.plugIn();
  await evse2.plugIn();
  await evse1.authorize();
  await evse2.authorize();
  await evse2.charge();
  await evse1.charge();
  await evse1.stop();
  await evse2.stop();
  await evse2.unplug();
  await evse1.unplug();
  await csms.waitFor('TransactionEvent', 6);
  const byEvse = new Map<string, R[]>();
  for (const p of events()) {
    const id = (p.transactionInfo as R).transactionId as string;
    byEvse.set(id, [...(byEvse.get(id) ?? []), p]);
  }
  assert.is(byEvse.size, 2);
  for (const list of byEvse.values()) {
    assertContiguous(list);
    assert.equal(list.map((p) => p.eventType), ['Started', 'Updated', 'Ended']);
  }
  assert.equal([...byEvse.values()].map((l) => (l[0]!.evse as R).id).sort(), [1, 2]);
});

test('a session played while the CSMS is down arrives afterwards, in order, with offline: true', async () => {
  const { evse1 } = await start();
  await csms.waitFor('StatusNotification', 2);
  await csms.stop();
  await until(() => !ts!.app.service.isConnected(), 5000, 'link down');
  await playSession(evse1);
  await until(() => ts!.app.service.outbox.size() === 3, 5000, 'three TransactionEvents queued');
  await csms.start();
  await csms.waitFor('TransactionEvent', 3);
  const got = events();
  assertContiguous(got);
  assert.equal(got.map((p) => p.eventType), ['Started', 'Updated', 'Ended']);
  assert.ok(got.every((p) => p.offline === true), 'every one offline');
  await until(() => ts!.app.service.outbox.size() === 0, 3000, 'outbox empty');
});

test('a TransactionEvent the CSMS refuses is retried per MessageAttempts, then dropped; the next one follows', async () => {
  db = cleanup.add(tempDb(), (d) => d.cleanup());
  // Two attempts one second apart (MessageAttemptInterval 0 is taken as the minimum, one second).
  seedDeviceModel(db.path, [
    { component_variable: { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'MessageAttempts', instance: 'TransactionEvent' } }, value: '2' },
    { component_variable: { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'MessageAttemptInterval', instance: 'TransactionEvent' } }, value: '0' },
  ]);
  let refused = 0;
  csms.opts.handlers = {
    TransactionEvent: (p) => {
      if (p.eventType === 'Started') refused++;
      if (p.eventType === 'Started') throw Object.assign(new Error('no'), { rpcErrorCode: 'InternalError' });
      return {};
    },
  };
  const { evse1 } = await start();
  await csms.waitFor('StatusNotification', 2);
  await evse1.plugIn();
  await evse1.authorize();
  await evse1.charge();
  await until(() => ts!.app.service.outbox.size() === 2, 5000, 'two queued');
  assert.ok(ts!.app.service.outbox.pending(1)[0]?.kind === 'TransactionEvent');
  await csms.waitFor('TransactionEvent', 1, 8000);
  assert.is(refused, 2, 'two attempts');
  assert.equal(events().map((p) => p.seqNo), [1]);
  await until(() => ts!.app.service.outbox.size() === 0, 3000, 'outbox empty');
});

test('GetTransactionStatus (E14): ongoing and queued while the CSMS has not answered, then neither', async () => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => { release = r; });
  let started: R | undefined;
  csms.opts.handlers = {
    TransactionEvent: async (p) => {
      if (p.eventType !== 'Started') return {};
      started = p;
      await held; // the Started stays in the outbox until answered
      return {};
    },
  };
  const { evse1 } = await start();
  await csms.waitFor('StatusNotification', 2);
  await evse1.plugIn();
  await evse1.authorize();
  await evse1.charge();
  await until(() => started !== undefined, 5000, 'the Started at the CSMS');
  const id = (started!.transactionInfo as R).transactionId as string;
  assert.equal(await csms.call('GetTransactionStatus', { transactionId: id }), { ongoingIndicator: true, messagesInQueue: true });
  assert.equal(await csms.call('GetTransactionStatus', {}), { messagesInQueue: true });
  assert.equal(await csms.call('GetTransactionStatus', { transactionId: 'not-a-transaction-here' }), { ongoingIndicator: false, messagesInQueue: false });
  release();
  await until(() => ts!.app.service.outbox.size() === 0, 5000, 'outbox empty');
  assert.equal(await csms.call('GetTransactionStatus', { transactionId: id }), { ongoingIndicator: true, messagesInQueue: false });
  await evse1.stop();
  await evse1.unplug();
  await csms.waitFor('TransactionEvent', 3);
  await until(() => ts!.app.service.outbox.size() === 0, 5000, 'outbox empty');
  assert.equal(await csms.call('GetTransactionStatus', { transactionId: id }), { ongoingIndicator: false, messagesInQueue: false });
  assert.equal(await csms.call('GetTransactionStatus', {}), { messagesInQueue: false });
});

test.run();
