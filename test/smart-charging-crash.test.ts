// Smart charging across a SIGKILL (issue 18, K01 storage): TsOcpp as a real process under a manager stand-in,
// killed for real in the middle of a transaction that has a TxProfile. After the restart the profiles are still
// installed (GetChargingProfiles reports them), the restarted process sends the same limits to the stand-in
// energy sink of EVSE 1, and the TxProfile still belongs to the transaction that continues; when that transaction
// ends (Ended made) the TxProfile goes and the sink gets the TxDefaultProfile's limit (K01, F01/E06 with K01.FR.16).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { dialectFor } from '../src/everest/dialect.js';
import { testBroker, uniquePrefix, type TestBroker } from './helpers/broker.js';
import { startTestManager } from './helpers/manager.js';
import { startModuleProcess, stopModule, type ModuleProcess } from './helpers/module-process.js';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel } from './fixtures/csms/app.js';
import { ScriptedEvse } from './fixtures/evse.js';
import { EvseCmdServer } from './fixtures/evse-cmds.js';
import { until } from './helpers/wait.js';

type R = Record<string, unknown>;
let broker: TestBroker;
let csms: TestCsms;
let client: MqttClient;
let mod: ModuleProcess | undefined;
let manager: Awaited<ReturnType<typeof startTestManager>> | undefined;

test.before(async () => {
  broker = await testBroker();
  csms = await new TestCsms({ password: PASSWORD, handlers: { ReportChargingProfiles: () => ({}) } }).start();
  client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
});
test.after(async () => {
  if (mod) await stopModule(mod);
  await manager?.stop();
  await client.endAsync();
  await csms.stop();
  await broker.close();
});

const schedule = (id: number, unit: 'A' | 'W', limit: number) => [{ id, startSchedule: '2020-01-01T00:00:00.000Z', chargingRateUnit: unit, chargingSchedulePeriod: [{ startPeriod: 0, limit }] }];
const txDefault = { id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', chargingSchedule: schedule(1, 'A', 16) };
const stationMax = { id: 2, stackLevel: 0, chargingProfilePurpose: 'ChargingStationMaxProfile', chargingProfileKind: 'Absolute', chargingSchedule: schedule(2, 'W', 22000) };
const txProfile = (transactionId: string) => ({
  id: 3, stackLevel: 0, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Absolute', transactionId, chargingSchedule: schedule(3, 'A', 10),
});

/** ac_max_current_A of the first entry of each set_external_limits the sink got from index `from` on (2026.02 shape). */
const amps = (sink: EvseCmdServer, from = 0): unknown[] => sink.of('set_external_limits').slice(from)
  .map((c) => ((((c.args.value as R).schedule_import as R[])[0]?.limits_to_leaves as R).ac_max_current_A as R | undefined)?.value);

test('K01 SIGKILL mid-transaction: profiles (TxDefault, ChargingStationMax, a TxProfile) survive the restart, the sink gets the same limits again; Ended then removes the TxProfile and the limit goes back to the TxDefaultProfile', async () => {
  const prefix = uniquePrefix('crashsc');
  manager = await startTestManager({
    brokerUrl: broker.url, prefix, dialect: 'v25',
    configModule: { csms_url: csms.url, station_id: 'CS-crashsc', evse_count: 2, connectors_per_evse: 1 },
    connections: {
      evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }, { module_id: 'evse2', implementation_id: 'evse' }],
      evse_energy_sink: [{ module_id: 'sink1', implementation_id: 'external_limits' }],
    },
    extraModules: { sink1: { module: 'SinkStandIn', mapping: { module: { evse: 1 } } } },
  });
  seedDeviceModel(manager.dbPath);
  const sink = await EvseCmdServer.serve(client, prefix, 'sink1', () => undefined, { impl: 'external_limits', cmds: ['set_external_limits'], answer: () => null });
  await client.publishAsync(`${prefix}modules/sink1/ready`, dialectFor('v25').readyPayload(), { qos: 2 });
  const evse = new ScriptedEvse(client, prefix, 'evse1', 'v25');
  mod = await startModuleProcess(broker.url, prefix);
  await csms.waitFor('StatusNotification', 2);
  await evse.plugIn();
  await evse.authorize();
  await evse.charge();
  const [started] = await csms.waitFor('TransactionEvent', 1);
  const txId = (started!.params.transactionInfo as R).transactionId as string;
  assert.equal(await csms.call('SetChargingProfile', { evseId: 1, chargingProfile: txDefault }), { status: 'Accepted' });
  assert.equal(await csms.call('SetChargingProfile', { evseId: 0, chargingProfile: stationMax }), { status: 'Accepted' });
  assert.equal(await csms.call('SetChargingProfile', { evseId: 1, chargingProfile: txProfile(txId) }), { status: 'Accepted' });
  await until(() => amps(sink).at(-1) === 10, 8000, 'the TxProfile limit at the sink');

  await mod.stop('SIGKILL');
  const before = sink.of('set_external_limits').length;
  mod = await startModuleProcess(broker.url, prefix);
  // The restarted process sends its limits at ready: still the TxProfile's 10 A (its transaction runs on).
  await until(() => amps(sink, before).length > 0, 8000, 'limits after the restart');
  assert.is(amps(sink, before)[0], 10);
  const reports = csms.of('ReportChargingProfiles').length;
  assert.equal(await csms.call('GetChargingProfiles', { requestId: 5, chargingProfile: {} }), { status: 'Accepted' });
  await csms.waitFor('ReportChargingProfiles', reports + 2);
  assert.equal(csms.of('ReportChargingProfiles').slice(reports).map(({ params: p }) => [p.evseId, (p.chargingProfile as R[]).map((c) => c.id).sort()]),
    [[0, [2]], [1, [1, 3]]]);

  // E06 / K01: the transaction ends; its TxProfile goes with the Ended and the sink falls back to the 16 A TxDefaultProfile.
  const n = sink.of('set_external_limits').length;
  await evse.stop();
  await csms.until(() => csms.of('TransactionEvent').some((r) => r.params.eventType === 'Ended'), 15_000, 'the Ended');
  await until(() => amps(sink, n).includes(16), 8000, 'the TxDefaultProfile limit after Ended');
  const left = csms.of('ReportChargingProfiles').length;
  assert.equal(await csms.call('GetChargingProfiles', { requestId: 6, chargingProfile: { chargingProfilePurpose: 'TxProfile' } }), { status: 'NoProfiles' });
  assert.is(csms.of('ReportChargingProfiles').length, left);
});

test.run();
