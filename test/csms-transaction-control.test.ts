// The CSMS steering transactions through the EVSEs' evse_manager (issue 16 items 6 and 7): RequestStopTransaction
// (F03) and StopTxOnInvalidId (E05) reach a scripted evse_manager stand-in that serves its cmds on the bus and
// finishes its session as an EvseManager does; the transaction vars ocpp_transaction_event(_response) appear on
// the bus only where the ocpp interface in force declares them. TsOcpp is the real app against the strict
// ocpp-rpc CSMS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms, type StationCallHandler } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { Cleanup } from './helpers/cleanup.js';
import { ScriptedEvse } from './fixtures/evse.js';
import { EvseCmdServer, finishOnStop } from './fixtures/evse-cmds.js';
import { until } from './helpers/wait.js';
import { releaseDefinitions, type Definitions } from './fixtures/release-definitions.js';

type R = Record<string, unknown>;
const cleanup = new Cleanup();
let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

const txCtrlr = (variable: string, value: string) => ({ component_variable: { component: { name: 'TxCtrlr' }, variable: { name: variable } }, value });

interface Rig {
  evse: ScriptedEvse;
  cmds: EvseCmdServer;
  vars: Array<{ name: string; value: R }>;
}

/** TsOcpp with EVSE 1 fed by evse1, whose cmds finish the session as an EvseManager would. */
async function start(o: { handlers?: Record<string, StationCallHandler>; seed?: ReturnType<typeof txCtrlr>[]; definitions?: Definitions } = {}): Promise<Rig> {
  seedDeviceModel(db.path, o.seed ?? []);
  csms = cleanup.add(await new TestCsms({ password: PASSWORD, ...(o.handlers ? { handlers: o.handlers } : {}) }).start(), (c) => c.stop());
  ts = cleanup.add(await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections: { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }] } },
    ...(o.definitions ? { definitions: o.definitions } : {}),
  }), (t) => t.stop());
  client = cleanup.add(await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 }), (c) => c.endAsync());
  const evse = new ScriptedEvse(client, 'everest/', 'evse1');
  const cmds = await EvseCmdServer.serve(client, 'everest/', 'evse1', finishOnStop(evse));
  const vars: Rig['vars'] = [];
  const varPrefix = 'everest/modules/ocpp/impl/ocpp_generic/var/';
  await client.subscribeAsync(`${varPrefix}+`, { qos: 2 });
  client.on('message', (topic, payload) => {
    if (!topic.startsWith(varPrefix)) return;
    const name = topic.slice(varPrefix.length);
    if (!name.startsWith('ocpp_transaction_event')) return;
    vars.push({ name, value: (JSON.parse(payload.toString()) as { data: { data: R } }).data.data });
  });
  await csms.waitFor('StatusNotification', 2);
  return { evse, cmds, vars };
}

const events = (): R[] => csms!.of('TransactionEvent').map((r) => r.params);
const shape = (p: R) => [p.eventType, p.triggerReason, (p.transactionInfo as R).stoppedReason ?? null];

async function startedTransaction(rig: Rig): Promise<string> {
  await rig.evse.plugIn();
  await rig.evse.authorize();
  await rig.evse.charge();
  await csms!.waitFor('TransactionEvent', 2);
  return ((events()[0]!.transactionInfo as R).transactionId) as string;
}

test.before.each(() => {
  db = cleanup.add(tempDb(), (d) => d.cleanup());
});
test.after.each(() => cleanup.run());

test('F03.FR.07 RequestStopTransaction of an ongoing transaction: Accepted, evse_manager stop_transaction with reason Remote, then Ended with RemoteStop / Remote', async () => {
  const rig = await start();
  const txId = await startedTransaction(rig);
  const answer = await csms!.call('RequestStopTransaction', { transactionId: txId });
  assert.equal(answer, { status: 'Accepted' });
  await until(() => rig.cmds.of('stop_transaction').length === 1, 5000, 'stop_transaction called');
  assert.equal(rig.cmds.of('stop_transaction')[0]!.args, { request: { reason: 'Remote' } });
  await csms!.waitFor('TransactionEvent', 3);
  assert.equal(events().map(shape), [
    ['Started', 'Authorized', null], ['Updated', 'ChargingStateChanged', null], ['Ended', 'RemoteStop', 'Remote'],
  ]);
});

test('F03.FR.08 RequestStopTransaction of an unknown transactionId: Rejected, and no stop_transaction', async () => {
  const rig = await start();
  await startedTransaction(rig);
  const answer = await csms!.call('RequestStopTransaction', { transactionId: 'no-such-transaction' });
  assert.equal(answer, { status: 'Rejected' });
  // The Updated of a trigger goes through the same bus: once it is made, a stop_transaction would have come.
  await rig.evse.event('ChargingPausedEV');
  await csms!.waitFor('TransactionEvent', 3);
  assert.equal(rig.cmds.of('stop_transaction'), []);
});

const invalidStart: Record<string, StationCallHandler> = {
  TransactionEvent: (p) => (p.idToken !== undefined ? { idTokenInfo: { status: 'Invalid' } } : {}),
};

test('E05 StopTxOnInvalidId true: a Started answered with idTokenInfo Invalid stops the transaction (stop_transaction DeAuthorized; Ended Deauthorized / DeAuthorized)', async () => {
  const rig = await start({ handlers: invalidStart });
  await rig.evse.plugIn();
  await rig.evse.authorize();
  await until(() => rig.cmds.of('stop_transaction').length === 1, 5000, 'stop_transaction called');
  assert.equal(rig.cmds.of('stop_transaction')[0]!.args, { request: { reason: 'DeAuthorized' } });
  await csms!.waitFor('TransactionEvent', 2);
  assert.equal(events().map(shape), [['Started', 'Authorized', null], ['Ended', 'Deauthorized', 'DeAuthorized']]);
  assert.equal(rig.cmds.of('pause_charging'), []);
});

test('E05 StopTxOnInvalidId false (MaxEnergyOnInvalidId 0): an Invalid token pauses charging (pause_charging), the transaction goes on', async () => {
  const rig = await start({ handlers: invalidStart, seed: [txCtrlr('StopTxOnInvalidId', 'false')] });
  await rig.evse.plugIn();
  await rig.evse.authorize();
  await until(() => rig.cmds.of('pause_charging').length === 1, 5000, 'pause_charging called');
  assert.equal(rig.cmds.of('stop_transaction'), []);
  assert.equal(events().map(shape), [['Started', 'Authorized', null]]);
  assert.ok(ts!.app.service.transactions.record(1)?.started && !ts!.app.service.transactions.record(1)?.ended, 'still ongoing');
});

test('E05 an Accepted token changes nothing (no stop_transaction, no pause_charging)', async () => {
  const rig = await start({ handlers: { TransactionEvent: (p) => (p.idToken !== undefined ? { idTokenInfo: { status: 'Accepted' } } : {}) } });
  await startedTransaction(rig);
  await rig.evse.stop();
  await csms!.waitFor('TransactionEvent', 3);
  assert.equal(rig.cmds.calls, []);
});

test('ocpp_transaction_event and ocpp_transaction_event_response on the bus with the 2026.02 ocpp interface: one per TransactionEvent and per answer, in the types shape', async () => {
  const rig = await start({ definitions: releaseDefinitions('2026.02'), handlers: { TransactionEvent: (p) => (p.eventType === 'Ended' ? { totalCost: 1.5 } : {}) } });
  const txId = await startedTransaction(rig);
  await rig.evse.stop();
  await csms!.waitFor('TransactionEvent', 3);
  await until(() => rig.vars.filter((v) => v.name === 'ocpp_transaction_event_response').length === 3, 5000, 'three answers on the bus');
  const made = rig.vars.filter((v) => v.name === 'ocpp_transaction_event').map((v) => v.value);
  assert.equal(made, [
    { transaction_event: 'Started', session_id: 'session-1', transaction_id: txId, evse: { id: 1, connector_id: 1 } },
    { transaction_event: 'Updated', session_id: 'session-1', transaction_id: txId },
    { transaction_event: 'Ended', session_id: 'session-1', transaction_id: txId },
  ]);
  const answers = rig.vars.filter((v) => v.name === 'ocpp_transaction_event_response').map((v) => v.value);
  assert.equal(answers.map((a) => (a.original_transaction_event as R).transaction_event), ['Started', 'Updated', 'Ended']);
  assert.is(answers[2]!.total_cost, 1.5);
  assert.equal(answers[0], { original_transaction_event: made[0] });
});

test('with the 2023.12 ocpp interface (no such vars) ocpp_transaction_event(_response) are not published', async () => {
  const rig = await start();
  await startedTransaction(rig);
  await rig.evse.stop();
  await csms!.waitFor('TransactionEvent', 3);
  await until(() => ts!.app.service.outbox.size() === 0, 5000, 'all answered');
  assert.equal(rig.vars, []);
});

test.run();
