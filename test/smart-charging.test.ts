// Smart charging end to end (issue 18): the real app against the strict ocpp-rpc CSMS sets, reads, clears charging
// profiles and asks GetCompositeSchedule (K01, K08, K09, K10); two energy-sink stand-ins on the bus (the station's
// node mapped to evse 0 and EVSE 1's node) serve set_external_limits and record what they get; the profiles survive a
// restart of the app on the same SQLite file; the limits and the ocpp var charging_schedules in the shapes of
// everest-core 2023.12 and 2026.02. Timers of the limits are injected (FakeTimers). The SIGKILL case is in
// smart-charging-crash.test.ts.
import mqtt, { type MqttClient } from 'mqtt';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dialectFor } from '../src/everest/dialect.js';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { FakeTimers } from './fixtures/csms/fake-timers.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { EvseCmdServer } from './fixtures/evse-cmds.js';
import { until } from './helpers/wait.js';
import { compileInterface } from '../src/schema/compile.js';
import { BASE_RELEASE, managerDefinitions } from '../src/schema/releases.js';
import { releaseDefinitions } from './fixtures/release-definitions.js';

type R = Record<string, unknown>;
let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

interface Rig {
  station: EvseCmdServer;
  evse1: EvseCmdServer;
  /** Every value of the ocpp var charging_schedules TsOcpp published, in order. */
  schedules: R[];
}

type Defs = ReturnType<typeof managerDefinitions>;


const SINK = { impl: 'external_limits', cmds: ['set_external_limits'], answer: () => null };

async function startApp(timers = new FakeTimers(), definitions?: Defs): Promise<Rig> {
  ts = await startTsOcpp({ csms_url: csms!.url, station_id: 'CS001', device_model_db: db.path, CompositeScheduleIntervalS: 0 }, {
    config: {
      connections: {
        evse_energy_sink: [{ module_id: 'sink0', implementation_id: 'external_limits' }, { module_id: 'sink1', implementation_id: 'external_limits' }],
      },
    },
    // The sinks are modules of the config with their EVSE mapping (everest-core configs give EnergyNode a `mapping`).
    modules: { sink0: { module: 'SinkStandIn', mapping: { module: { evse: 0 } } }, sink1: { module: 'SinkStandIn', mapping: { module: { evse: 1 } } } },
    energyTimers: timers,
    ...(definitions ? { definitions } : {}),
  });
  client = await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 });
  const schedules: R[] = [];
  const varTopic = 'everest/modules/ocpp/impl/ocpp_generic/var/charging_schedules';
  await client.subscribeAsync(varTopic, { qos: 2 });
  client.on('message', (topic, payload) => {
    if (topic === varTopic) schedules.push((JSON.parse(payload.toString()) as { data: { data: R } }).data.data);
  });
  const station = await EvseCmdServer.serve(client, 'everest/', 'sink0', () => undefined, SINK);
  const evse1 = await EvseCmdServer.serve(client, 'everest/', 'sink1', () => undefined, SINK);
  const ready = dialectFor('v25').readyPayload();
  for (const id of ['sink0', 'sink1']) await client.publishAsync(`everest/modules/${id}/ready`, ready, { qos: 2 });
  await until(() => ts!.app.service.isAccepted(), 8000, 'BootNotification Accepted');
  return { station, evse1, schedules };
}

async function stopApp(): Promise<void> {
  await client?.endAsync();
  client = undefined;
  await ts?.stop();
  ts = undefined;
}

const txDefault = {
  id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute',
  chargingSchedule: [{ id: 1, startSchedule: '2020-01-01T00:00:00.000Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
};
const stationMax = {
  id: 2, stackLevel: 0, chargingProfilePurpose: 'ChargingStationMaxProfile', chargingProfileKind: 'Absolute',
  chargingSchedule: [{ id: 2, startSchedule: '2020-01-01T00:00:00.000Z', chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] }],
};
const lastLimits = (s: EvseCmdServer): R => (s.of('set_external_limits').at(-1)?.args.value ?? {}) as R;
const importOf = (s: EvseCmdServer): R[] => (lastLimits(s).schedule_import ?? []) as R[];

test.before.each(async () => {
  db = tempDb();
  seedDeviceModel(db.path);
  csms = await new TestCsms({ password: PASSWORD, handlers: { ReportChargingProfiles: () => ({}) } }).start();
});
test.after.each(async () => {
  await stopApp();
  await csms?.stop();
  csms = undefined;
  db.cleanup();
});

test('K01 SetChargingProfile Accepted from a strict CSMS; K09 GetChargingProfiles answers Accepted and then ReportChargingProfiles per EVSE; K08 GetCompositeSchedule; K10 ClearChargingProfile by id and by criteria', async () => {
  await startApp();
  assert.equal(await csms!.call('SetChargingProfile', { evseId: 1, chargingProfile: txDefault }), { status: 'Accepted' });
  assert.equal(await csms!.call('SetChargingProfile', { evseId: 0, chargingProfile: stationMax }), { status: 'Accepted' });
  // K01.FR.?: a ChargingStationMaxProfile only at EVSE 0; an EVSE that does not exist (K01.FR.28).
  const atEvse = await csms!.call('SetChargingProfile', { evseId: 1, chargingProfile: { ...stationMax, id: 3 } });
  assert.is(atEvse.status, 'Rejected');
  assert.is((await csms!.call('SetChargingProfile', { evseId: 9, chargingProfile: { ...txDefault, id: 4 } })).status, 'Rejected');
  assert.is(ts!.app.service.getVariables([{ component_variable: { component: { name: 'SmartChargingCtrlr' }, variable: { name: 'Entries' } } }])[0]?.value, '2');

  assert.equal(await csms!.call('GetChargingProfiles', { requestId: 7, chargingProfile: {} }), { status: 'Accepted' });
  await csms!.waitFor('ReportChargingProfiles', 2);
  const reports = csms!.of('ReportChargingProfiles').map((r) => r.params);
  assert.equal(reports.map((r) => [r.requestId, r.evseId, r.tbc, r.chargingLimitSource, (r.chargingProfile as R[]).map((p) => p.id)]),
    [[7, 0, true, 'CSO', [2]], [7, 1, false, 'CSO', [1]]]);
  assert.equal(await csms!.call('GetChargingProfiles', { requestId: 8, chargingProfile: { chargingProfilePurpose: 'TxProfile' } }), { status: 'NoProfiles' });

  const composite = await csms!.call('GetCompositeSchedule', { evseId: 1, duration: 3600, chargingRateUnit: 'A' });
  assert.is(composite.status, 'Accepted');
  const schedule = composite.schedule as R;
  assert.is(schedule.evseId, 1);
  assert.is(schedule.chargingRateUnit, 'A');
  // The lower of 16 A and 11 kW over 3 phases at 230 V (15.94 A).
  const limit = (schedule.chargingSchedulePeriod as R[])[0]!.limit as number;
  assert.ok(limit > 15.9 && limit < 16, `limit ${limit}`);
  assert.is((await csms!.call('GetCompositeSchedule', { evseId: 5, duration: 60 })).status, 'Rejected');

  assert.equal(await csms!.call('ClearChargingProfile', { chargingProfileId: 1 }), { status: 'Accepted' });
  assert.equal(await csms!.call('ClearChargingProfile', { chargingProfileId: 1 }), { status: 'Unknown' });
  assert.equal(await csms!.call('ClearChargingProfile', { chargingProfileCriteria: { chargingProfilePurpose: 'ChargingStationMaxProfile', evseId: 0 } }), { status: 'Accepted' });
  assert.equal(await csms!.call('GetChargingProfiles', { requestId: 9, chargingProfile: {} }), { status: 'NoProfiles' });
});

test('issue 18 item 3: a stand-in evse_energy_sink on the bus gets set_external_limits of its mapped EVSE after each change, in the 2026.02 shape ({value, source}), and again at the period boundary', async () => {
  const timers = new FakeTimers();
  const rig = await startApp(timers);
  await until(() => rig.evse1.of('set_external_limits').length >= 1 && rig.station.of('set_external_limits').length >= 1, 5000, 'limits at ready');
  const before = rig.evse1.of('set_external_limits').length;
  const now = timers.now().getTime();
  // 16 A now, 10 A from 60 s on (the limits' clock is the fake one).
  const stepped = {
    ...txDefault, chargingSchedule: [{ id: 1, startSchedule: new Date(now - 1000).toISOString(), chargingRateUnit: 'A',
      chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 61, limit: 10 }] }],
  };
  assert.equal(await csms!.call('SetChargingProfile', { evseId: 1, chargingProfile: stepped }), { status: 'Accepted' });
  await until(() => rig.evse1.of('set_external_limits').length > before, 5000, 'limits after SetChargingProfile');
  const entries = importOf(rig.evse1);
  const amps = (e: R | undefined): unknown => ((e?.limits_to_leaves as R | undefined)?.ac_max_current_A as R | undefined)?.value;
  assert.equal(entries.slice(0, 2).map(amps), [16, 10]);
  assert.is(((entries[0]!.limits_to_leaves as R).ac_max_current_A as R).source, 'ocpp/OCPP_set_external_limits');
  assert.equal(lastLimits(rig.evse1).schedule_export, []);
  assert.equal(lastLimits(rig.evse1).schedule_setpoints, []);
  assert.is(Date.parse(entries[1]!.timestamp as string) - Date.parse(entries[0]!.timestamp as string), 60_000);
  // The next period boundary is a pending timer; when it fires the limits go again, 10 A first.
  assert.ok(timers.pending.includes(60_000), `pending ${JSON.stringify(timers.pending)}`);
  const n = rig.evse1.of('set_external_limits').length;
  while (timers.fireNext() !== 60_000);
  await until(() => rig.evse1.of('set_external_limits').length > n, 5000, 'limits at the boundary');
  assert.is(amps(importOf(rig.evse1)[0]), 10);
  // The station's node got the station's composite schedule (evse 0) as well.
  assert.ok(rig.station.of('set_external_limits').length >= 2);
});

test('issue 18 item 3 with everest-core 2023.12 definitions: set_external_limits carries bare numbers (2023.12 energy types, no schedule_export) and fits 2023.12 external_energy_limits; charging_schedules published (2023.12 ocpp.yaml declares it) with one composite schedule per EVSE from 0', async () => {
  const timers = new FakeTimers();
  const base = managerDefinitions(BASE_RELEASE);
  const rig = await startApp(timers, base);
  assert.equal(await csms!.call('SetChargingProfile', { evseId: 1, chargingProfile: txDefault }), { status: 'Accepted' });
  await until(() => importOf(rig.evse1).length > 0 && (importOf(rig.evse1)[0]!.limits_to_leaves as R).ac_max_current_A === 16, 5000, 'bare 16 A at the sink');
  const value = lastLimits(rig.evse1);
  assert.equal(Object.keys(value), ['schedule_import']);
  assert.equal(importOf(rig.evse1)[0]!.limits_to_leaves, { ac_max_current_A: 16, ac_max_phase_count: 3 });
  assert.is(Date.parse(importOf(rig.evse1)[0]!.timestamp as string), timers.now().getTime());
  // What a 2023.12 EnergyNode checks its argument against.
  const check = compileInterface('external_energy_limits', base.interfaces.external_energy_limits!, base.types).cmds.get('set_external_limits')!.args;
  assert.is(check({ value }), null);
  // The station's node (evse 0) gets the station's composite schedule as well.
  assert.ok(rig.station.of('set_external_limits').length > 0);

  await until(() => rig.schedules.some((v) => JSON.stringify(v).includes('"limit":16')), 5000, 'charging_schedules with 16 A');
  const last = rig.schedules.at(-1)!;
  const all = last.schedules as R[];
  assert.equal(all.map((x) => [x.evse, x.charging_rate_unit, x.duration, x.start_schedule]),
    [0, 1, 2].map((evse) => [evse, 'A', 600, timers.now().toISOString()]));
  assert.equal((all[1]!.charging_schedule_period as R[])[0], { start_period: 0, limit: 16, number_phases: 3 });
});

test('issue 18 item 3: charging_schedules fits everest-core 2026.02 ocpp.yaml ChargingSchedules and carries, per EVSE from 0 (the station), the periods GetCompositeSchedule (K08) answers', async () => {
  const timers = new FakeTimers();
  const d = releaseDefinitions('2026.02');
  const rig = await startApp(timers, d);
  const check = compileInterface('ocpp', d.interfaces.ocpp!, d.types).vars.get('charging_schedules')!;
  const tx10 = { ...txDefault, chargingSchedule: [{ ...txDefault.chargingSchedule[0]!, chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }] };
  assert.equal(await csms!.call('SetChargingProfile', { evseId: 0, chargingProfile: stationMax }), { status: 'Accepted' });
  assert.equal(await csms!.call('SetChargingProfile', { evseId: 1, chargingProfile: tx10 }), { status: 'Accepted' });
  const periods = (x: R | undefined): R[] => (x?.charging_schedule_period ?? []) as R[];
  // EVSE 1: its 10 A; EVSE 2: only the 11 kW station maximum (15.94 A at 230 V, 3 phases).
  await until(() => {
    const all = (rig.schedules.at(-1)?.schedules ?? []) as R[];
    return periods(all[1])[0]?.limit === 10 && periods(all[2]).length > 0;
  }, 5000, 'both profiles in charging_schedules');
  for (const v of rig.schedules) assert.is(check(v), null, JSON.stringify(v));
  const all = rig.schedules.at(-1)!.schedules as R[];
  assert.equal(all.map((x) => [x.evse, x.charging_rate_unit]), [[0, 'A'], [1, 'A'], [2, 'A']]);
  for (const x of all) {
    const answer = await csms!.call('GetCompositeSchedule', { evseId: x.evse, duration: 600, chargingRateUnit: 'A' });
    const expected = ((answer.schedule as R).chargingSchedulePeriod as R[])
      .map((p) => ({ start_period: p.startPeriod, limit: p.limit, ...(p.numberPhases !== undefined ? { number_phases: p.numberPhases } : {}) }));
    assert.equal(periods(x), expected, `evse ${String(x.evse)}`);
  }
  const evse2 = periods(all[2])[0]!.limit as number;
  assert.ok(evse2 > 15.9 && evse2 < 16, `evse 2 ${evse2}`);
});

test('K01 storage: installed profiles survive a restart of the app on the same device model file', async () => {
  await startApp();
  assert.equal(await csms!.call('SetChargingProfile', { evseId: 1, chargingProfile: txDefault }), { status: 'Accepted' });
  assert.equal(await csms!.call('SetChargingProfile', { evseId: 0, chargingProfile: stationMax }), { status: 'Accepted' });
  await stopApp();
  await startApp();
  assert.equal(ts!.app.service.smartCharging.installed().map((p) => [p.evseId, p.profile.id]), [[0, 2], [1, 1]]);
  assert.equal(await csms!.call('GetChargingProfiles', { requestId: 1, evseId: 1, chargingProfile: {} }), { status: 'Accepted' });
});

test.run();
