// External charging limits (issue 18 item 3, OCPP 2.0.1 K12 NotifyChargingLimit, K13 ClearedChargingLimit): a scripted
// evse_manager publishes enforced_limits on the bus, TsOcpp (the real app) tells the strict ocpp-rpc CSMS when the
// energy management holds an EVSE below the CSMS's own composite limit; and the room's rule on its own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { ScriptedEvse } from './fixtures/evse.js';
import { silentLogger } from '../src/log.js';
import { ChargingLimits, type ChargingLimitMessage } from '../src/ocpp/smart-charging/charging-limit.js';
import type { SmartChargingSettings } from '../src/ocpp/smart-charging/settings.js';
import { toEnforcedLimit } from '../src/module/charging-limit-feed.js';
import { limitOrigin } from '../src/ocpp/smart-charging/charging-limit.js';
import { BASE_RELEASE, managerDefinitions } from '../src/schema/releases.js';

type R = Record<string, unknown>;
let db: TempDb;
let csms: TestCsms;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

const set = (component: string, name: string, value: string | number) =>
  ({ component_variable: { component: { name: component }, variable: { name } }, value: String(value) });

async function start(extra: ReturnType<typeof set>[]): Promise<ScriptedEvse> {
  seedDeviceModel(db.path, extra);
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections: { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }] } },
  });
  client = await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 });
  await csms.waitFor('StatusNotification', 1);
  return new ScriptedEvse(client, 'everest/', 'evse1');
}

/** energy.yaml EnforcedLimits of 2026.02 (values with their source, as the energy manager names it). */
function enforced(amps: number, source: string, schedule: number[] = []): R {
  const t0 = Date.UTC(2026, 0, 1, 8);
  return {
    uuid: 'evse1', valid_for: 10,
    limits_root_side: { ac_max_current_A: { value: amps, source } },
    schedule: schedule.map((a, i) => ({ timestamp: new Date(t0 + i * 900_000).toISOString(), limits_to_root: { ac_max_current_A: { value: a, source } } })),
  };
}

/** Resolves once the n-th enforced_limits of EVSE 1 was judged (the feed's listener was added before this one). */
function judged(n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const off = ts!.app.evseInputs!.on('enforced_limits', (evseId) => {
      if (evseId === 1 && ++seen === n) {
        off();
        resolve();
      }
    });
  });
}

/** Every NotifyChargingLimit / ClearedChargingLimit made so far: delivered to the CSMS or still in the outbox. */
function made(kind: 'NotifyChargingLimit' | 'ClearedChargingLimit'): number {
  return csms.of(kind).length + ts!.app.service.outbox.pending().filter((e) => e.kind === kind).length;
}

test.before.each(async () => {
  db = tempDb();
  csms = await new TestCsms({ password: PASSWORD }).start();
});
test.after.each(async () => {
  await client?.endAsync();
  client = undefined;
  await ts?.stop();
  ts = undefined;
  await csms.stop();
  db.cleanup();
});

const limitOf = (params: R): unknown => ((params.chargingSchedule as R[])[0]!.chargingSchedulePeriod as R[])[0]!.limit;

test('K12.FR.02/K12.FR.04 + K13.FR.02 (2026.02 sources): own, hardware and fuse limits below the CSMS limit are not notified; an external one is (EMS), a change within LimitChangeSignificance is not; when the external limit is gone, ClearedChargingLimit', async () => {
  const evse = await start([set('SmartChargingCtrlr', 'LimitChangeSignificance', 10), set('SmartChargingCtrlr', 'NotifyChargingLimitWithSchedules', 'true')]);
  const own = `${ts!.app.module.selfId}/OCPP_set_external_limits`;
  // No profile: the CSMS's composite limit is the default 48 A, so every value here is below it.
  const first4 = judged(4);
  await evse.publish('enforced_limits', enforced(8, own)); // TsOcpp's own limit
  await evse.publish('enforced_limits', enforced(16, 'evse1/evse_board_support_caps')); // the EVSE's board
  await evse.publish('enforced_limits', enforced(20, 'grid_connection_point/module_config')); // an EnergyNode's fuse
  await evse.publish('enforced_limits', enforced(16, 'API_module,evse1/evse_board_support_caps')); // a tie with the board
  await first4;
  assert.is(made('NotifyChargingLimit'), 0, 'no external limit yet');
  await evse.publish('enforced_limits', enforced(16, 'API_module')); // the API module's set_external_limits
  const [first] = await csms.waitFor('NotifyChargingLimit', 1);
  assert.equal(first!.params.chargingLimit, { chargingLimitSource: 'EMS' }, 'K12.FR.04: not CSO');
  assert.is(first!.params.evseId, 1);
  assert.is(limitOf(first!.params), 16);
  await evse.publish('enforced_limits', enforced(15, 'API_module')); // 6.25 % of 16: not significant
  await evse.publish('enforced_limits', enforced(10, 'ems/external_limits')); // 37.5 %: notified
  const notes = await csms.waitFor('NotifyChargingLimit', 2);
  assert.equal(notes.map((n) => limitOf(n.params)), [16, 10], 'the 15 A change was not notified');
  assert.is(made('ClearedChargingLimit'), 0);
  // The external limit is gone: the board's 16 A holds now, below the CSMS's 48 A, but it is no external limit.
  await evse.publish('enforced_limits', enforced(16, 'evse1/evse_board_support_caps'));
  const [cleared] = await csms.waitFor('ClearedChargingLimit', 1);
  assert.equal(cleared!.params, { chargingLimitSource: 'EMS', evseId: 1 });
  assert.is(made('NotifyChargingLimit'), 2);
});

test('K12.FR.03: with NotifyChargingLimitWithSchedules the energy management schedule goes along in the CSMS rate unit; an external limit at the CSMS limit is not below it (K13.FR.02 after a profile)', async () => {
  const evse = await start([set('SmartChargingCtrlr', 'NotifyChargingLimitWithSchedules', 'true')]);
  await evse.publish('enforced_limits', enforced(20, 'ems/grid', [20, 20, 12]));
  const [n] = await csms.waitFor('NotifyChargingLimit', 1);
  assert.equal(n!.params.chargingSchedule, [{
    id: 1, startSchedule: '2026-01-01T08:00:00.000Z', chargingRateUnit: 'A',
    chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }, { startPeriod: 1800, limit: 12 }],
  }]);
  // A CSMS profile of 20 A: the enforced 20 A is no longer below the CSMS's own limit, so the external one ended.
  const txDefault = {
    id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute',
    chargingSchedule: [{ id: 1, startSchedule: '2020-01-01T00:00:00Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }] }],
  };
  assert.equal(await csms.call('SetChargingProfile', { evseId: 1, chargingProfile: txDefault }), { status: 'Accepted' });
  await csms.waitFor('ClearedChargingLimit', 1);
  await evse.publish('enforced_limits', enforced(6, 'ems/grid'));
  await csms.waitFor('NotifyChargingLimit', 2);
  const sched = csms.of('NotifyChargingLimit')[1]!.params.chargingSchedule as R[];
  assert.equal(sched[0]!.chargingSchedulePeriod, [{ startPeriod: 0, limit: 6 }], 'no schedule from the manager: the limit from now');
  assert.is(csms.of('ClearedChargingLimit').length, 1);
});

test('K12.FR.02 (2023.12 bare numbers): a limit without a source cannot be told external from hardware and is never notified', async () => {
  seedDeviceModel(db.path, []);
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections: { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }] } },
    definitions: managerDefinitions(BASE_RELEASE),
  });
  client = await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 });
  await csms.waitFor('StatusNotification', 1);
  const evse = new ScriptedEvse(client, 'everest/', 'evse1');
  const both = judged(2);
  await evse.publish('enforced_limits', { uuid: 'evse1', valid_until: '2026-01-01T00:00:10Z', limits_root_side: { ac_max_current_A: 10, total_power_W: 6900 },
    schedule: [{ timestamp: '2026-01-01T00:00:00Z', limits_to_root: { ac_max_current_A: 10 } }] });
  await evse.publish('enforced_limits', { uuid: 'evse1', valid_until: '2026-01-01T00:00:20Z', limits_root_side: { ac_max_current_A: 6 } });
  await both; // accepted by the 2023.12 schema and judged
  assert.is(made('NotifyChargingLimit'), 0);
  assert.is(ts.app.service.chargingLimits.notified(1), undefined);
});

const settings = (sig: number, withSchedules = false): SmartChargingSettings => ({
  available: true, enabled: true, profileStackLevel: 10, maxStackLevel: undefined, periodsPerSchedule: 24, rateUnits: ['A', 'W'],
  maxEntries: undefined, supplyVoltage: 230, acPhaseSwitching: false, limitChangeSignificance: sig, notifyWithSchedules: withSchedules,
});

test('K12.FR.02 + K13.FR.02 (room): significance is measured against the last limit notified; an external limit equal to the CSMS composite is not below it; cleared only after a notify', () => {
  const sent: ChargingLimitMessage[] = [];
  let own = 32;
  const limits = new ChargingLimits({ settings: () => settings(20), compositeLimit: () => own, send: (m) => sent.push(m), log: silentLogger() });
  const at = (limit: number) => limits.enforced(2, { unit: 'A', limit, source: 'ems/grid', ownSource: 'me/OCPP_set_external_limits', schedule: [] });
  at(32);
  assert.is(sent.length, 0, 'the CSMS limit itself');
  at(20); at(17); at(16); // 15 %, 20 %: not more than 20 % of 20
  assert.is(sent.length, 1);
  at(15.9); // 20.5 % of 20
  assert.is(sent.length, 2);
  assert.is(limits.notified(2), 15.9);
  own = 15.9;
  at(15.9);
  assert.equal(sent.map((m) => m.action), ['NotifyChargingLimit', 'NotifyChargingLimit', 'ClearedChargingLimit']);
  at(15.9);
  assert.is(sent.length, 3, 'cleared once');
});

test('K12 (feed): enforced_limits of 2023.12 (bare numbers) and 2026.02 (with source) read in the CSMS rate unit', () => {
  const bare = { uuid: 'e', valid_until: '2026-01-01T00:00:00Z', limits_root_side: { ac_max_current_A: 10, total_power_W: 6900 },
    schedule: [{ timestamp: '2026-01-01T00:00:00Z', limits_to_root: { total_power_W: 6900 } }] };
  assert.equal(toEnforcedLimit(bare, 'A', 'me/x'), { unit: 'A', limit: 10, ownSource: 'me/x', schedule: [] });
  assert.equal(toEnforcedLimit(bare, 'W', 'me/x'), { unit: 'W', limit: 6900, ownSource: 'me/x', schedule: [{ timestamp: '2026-01-01T00:00:00Z', limit: 6900 }] });
  const withSource = { uuid: 'e', limits_root_side: { total_power_W: { value: 11000, source: 'ems' } } };
  assert.equal(toEnforcedLimit(withSource, 'W', 'me/x'), { unit: 'W', limit: 11000, source: 'ems', ownSource: 'me/x', schedule: [] });
  assert.is(toEnforcedLimit(withSource, 'A', 'me/x').limit, undefined, 'no value in A: nothing to judge');
});

test('K12.FR.04 (room): who set a limit, from the sources everest-core 2026.02 names: the tree, TsOcpp itself, an external module, or unknown (2023.12)', () => {
  const me = 'ocpp/OCPP_set_external_limits';
  for (const s of ['evse1/evse_board_support_caps', 'evse1/evse_board_support_caps_pause', 'evse1/powersupply_dc_caps',
    'evse1/clear_import_request_schedule', 'evse1/setup_v2h_mode', 'evse1 update_max_current_limit', 'evse1 update_max_watt_limit',
    'evse1 set_zero_discharge_limit', 'grid_connection_point/module_config', 'Idle', '']) {
    assert.is(limitOrigin(s, me), 'tree', s);
  }
  assert.is(limitOrigin(me, me), 'own');
  for (const s of ['API_module', 'RpcApi_module', 'ocpp16/OCPP_set_external_limits', 'my_ems', 'ems/grid,API_module']) {
    assert.is(limitOrigin(s, me), 'external', s);
  }
  // Ties are joined with ','; with the tree or TsOcpp in it the limit holds without the external one.
  assert.is(limitOrigin('API_module,evse1/evse_board_support_caps', me), 'tree');
  assert.is(limitOrigin(`API_module,${me}`, me), 'own');
  assert.is(limitOrigin(undefined, me), 'unknown');
  const sent: ChargingLimitMessage[] = [];
  const limits = new ChargingLimits({ settings: () => settings(0), compositeLimit: () => 32, send: (m) => sent.push(m), log: silentLogger() });
  limits.enforced(1, { unit: 'A', limit: 10, ownSource: me, schedule: [] });
  limits.enforced(1, { unit: 'A', limit: 10, source: 'evse1/evse_board_support_caps', ownSource: me, schedule: [] });
  assert.is(sent.length, 0, 'bare and hardware: nothing');
});

test.run();
