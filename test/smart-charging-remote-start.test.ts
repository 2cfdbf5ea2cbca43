// RequestStartTransaction with a chargingProfile (OCPP 2.0.1 F01 with K01; issue 18): with SmartChargingCtrlr.Enabled
// the profile is checked as a TxProfile (F01.FR.26: Rejected with a reasonCode when it is not one), held until the
// transaction the request starts is known (its TransactionEvent carries the remoteStartId) and then installed for
// that transactionId; the stand-in energy sink of EVSE 1 gets its limit; with Enabled false it is ignored.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { Cleanup } from './helpers/cleanup.js';
import { ScriptedEvse } from './fixtures/evse.js';
import { EvseCmdServer } from './fixtures/evse-cmds.js';
import { until } from './helpers/wait.js';
import { dialectFor } from '../src/everest/dialect.js';
import { releaseDefinitions } from './fixtures/release-definitions.js';

type R = Record<string, unknown>;
const cleanup = new Cleanup();
let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

interface Rig {
  evse: ScriptedEvse;
  sink: EvseCmdServer;
}

const cv = (component: string, variable: string, value: string) => ({ component_variable: { component: { name: component }, variable: { name: variable } }, value });

async function start(seed: ReturnType<typeof cv>[] = []): Promise<Rig> {
  seedDeviceModel(db.path, seed);
  csms = cleanup.add(await new TestCsms({ password: PASSWORD, handlers: { ReportChargingProfiles: () => ({}) } }).start(), (c) => c.stop());
  ts = cleanup.add(await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path, CompositeScheduleIntervalS: 0 }, {
    config: {
      connections: {
        evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }],
        auth: [{ module_id: 'auth1', implementation_id: 'main' }],
        evse_energy_sink: [{ module_id: 'sink1', implementation_id: 'external_limits' }],
      },
    },
    modules: { evse1: { module: 'EvseStandIn' }, auth1: { module: 'AuthStandIn' }, sink1: { module: 'SinkStandIn', mapping: { module: { evse: 1 } } } },
    definitions: releaseDefinitions('2026.02'),
  }), (t) => t.stop());
  client = cleanup.add(await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 }), (c) => c.endAsync());
  const evse = new ScriptedEvse(client, 'everest/', 'evse1');
  await EvseCmdServer.serve(client, 'everest/', 'evse1');
  await EvseCmdServer.serve(client, 'everest/', 'auth1', () => undefined, {
    impl: 'main', cmds: ['set_connection_timeout', 'set_master_pass_group_id', 'withdraw_authorization'], answer: () => null,
  });
  const sink = await EvseCmdServer.serve(client, 'everest/', 'sink1', () => undefined, { impl: 'external_limits', cmds: ['set_external_limits'], answer: () => null });
  const ready = dialectFor('v25').readyPayload();
  for (const id of ['evse1', 'auth1', 'sink1']) await client.publishAsync(`everest/modules/${id}/ready`, ready, { qos: 2 });
  await csms.waitFor('StatusNotification', 2);
  return { evse, sink };
}

test.before.each(() => {
  db = cleanup.add(tempDb(), (d) => d.cleanup());
});
test.after.each(() => cleanup.run());

const ID_TOKEN = { idToken: 'REMOTE01', type: 'ISO14443' };
const remoteTag = (requestId: number) => ({ id_token: { value: 'REMOTE01', type: 'ISO14443' }, authorization_type: 'OCPP', request_id: requestId, prevalidated: false });
const txProfile = (o: R = {}) => ({
  id: 30, stackLevel: 0, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative',
  chargingSchedule: [{ id: 30, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 }] }], ...o,
});
const amps = (sink: EvseCmdServer): unknown => {
  const v = sink.of('set_external_limits').at(-1)?.args.value as R | undefined;
  return (((v?.schedule_import as R[] | undefined)?.[0]?.limits_to_leaves as R | undefined)?.ac_max_current_A as R | undefined)?.value;
};

async function remoteStart(rig: Rig, remoteStartId: number): Promise<string> {
  await rig.evse.event('SessionStarted', { session_started: { reason: 'Authorized', id_tag: remoteTag(remoteStartId), meter_value: rig.evse.meter() } });
  await rig.evse.event('TransactionStarted', { transaction_started: { id_tag: remoteTag(remoteStartId), meter_value: rig.evse.meter() } });
  const [started] = await csms!.waitFor('TransactionEvent', 1);
  assert.is((started!.params.transactionInfo as R).remoteStartId, remoteStartId);
  return (started!.params.transactionInfo as R).transactionId as string;
}

test('F01 + K01: the chargingProfile of an Accepted RequestStartTransaction becomes the TxProfile of the transaction it starts (installed with that transactionId once the remoteStartId arrives); the sink gets its 8 A; Ended removes it', async () => {
  const rig = await start();
  assert.equal(await csms!.call('RequestStartTransaction', { evseId: 1, remoteStartId: 42, idToken: ID_TOKEN, chargingProfile: txProfile() }), { status: 'Accepted' });
  // Not installed before its transaction exists.
  assert.equal(ts!.app.service.smartCharging.installed(), []);
  const txId = await remoteStart(rig, 42);
  await until(() => ts!.app.service.smartCharging.installed().length === 1, 5000, 'the TxProfile installed');
  const [p] = ts!.app.service.smartCharging.installed();
  assert.equal([p!.evseId, p!.profile.id, p!.profile.chargingProfilePurpose, p!.profile.transactionId], [1, 30, 'TxProfile', txId]);
  await until(() => amps(rig.sink) === 8, 5000, 'the TxProfile limit at the sink');
  assert.equal(await csms!.call('GetChargingProfiles', { requestId: 3, chargingProfile: { chargingProfilePurpose: 'TxProfile' } }), { status: 'Accepted' });
  const [report] = await csms!.waitFor('ReportChargingProfiles', 1);
  assert.is(((report!.params.chargingProfile as R[])[0]!).transactionId, txId);

  await rig.evse.event('TransactionFinished', { transaction_finished: { meter_value: rig.evse.meter(), reason: 'Local', id_tag: remoteTag(42) } });
  await csms!.until(() => csms!.of('TransactionEvent').some((r) => r.params.eventType === 'Ended'), 8000, 'the Ended');
  await until(() => ts!.app.service.smartCharging.installed().length === 0, 5000, 'the TxProfile gone with its transaction');
});

test('F01.FR.26 RequestStartTransaction with a chargingProfile that is no valid TxProfile: Rejected with the reasonCode, nothing installed, no token provided', async () => {
  await start();
  const notTx = await csms!.call('RequestStartTransaction', { evseId: 1, remoteStartId: 1, idToken: ID_TOKEN, chargingProfile: txProfile({ chargingProfilePurpose: 'TxDefaultProfile' }) });
  assert.equal(notTx, { status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue', additionalInfo: 'RequestStartTransactionNonTxProfile' } });
  // K01 rules still apply: periods out of order.
  const badSchedule = txProfile({ chargingSchedule: [{ id: 30, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 60, limit: 8 }, { startPeriod: 0, limit: 6 }] }] });
  const bad = await csms!.call('RequestStartTransaction', { evseId: 1, remoteStartId: 2, idToken: ID_TOKEN, chargingProfile: badSchedule });
  assert.is(bad.status, 'Rejected');
  assert.is((bad.statusInfo as R).reasonCode, 'InvalidSchedule');
  assert.equal(ts!.app.service.smartCharging.installed(), []);
});

test('F01 with SmartChargingCtrlr.Enabled false: the chargingProfile is ignored (as libocpp): Accepted, and the started transaction has no TxProfile', async () => {
  const rig = await start([cv('SmartChargingCtrlr', 'Enabled', 'false')]);
  assert.equal(await csms!.call('RequestStartTransaction', { evseId: 1, remoteStartId: 9, idToken: ID_TOKEN, chargingProfile: txProfile({ chargingProfilePurpose: 'TxDefaultProfile' }) }), { status: 'Accepted' });
  await remoteStart(rig, 9);
  assert.equal(ts!.app.service.smartCharging.installed(), []);
});

test.run();
