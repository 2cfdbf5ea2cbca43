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

/** energy.yaml EnforcedLimits of 2026.02 (values with their source). */
function enforced(amps: number, source = 'energy_manager/module_config', schedule: number[] = []): R {
  const t0 = Date.UTC(2026, 0, 1, 8);
  return {
    uuid: 'evse1', valid_for: 10,
    limits_root_side: { ac_max_current_A: { value: amps, source } },
    schedule: schedule.map((a, i) => ({ timestamp: new Date(t0 + i * 900_000).toISOString(), limits_to_root: { ac_max_current_A: { value: a, source } } })),
  };
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

test('K12.FR.01/K12.FR.02 + K13.FR.01: an enforced limit below the CSMS limit is notified (EMS, evseId), a change within LimitChangeSignificance is not, its end is ClearedChargingLimit', async () => {
  const evse = await start([set('SmartChargingCtrlr', 'LimitChangeSignificance', 10)]);
  // No profile: the CSMS's composite limit is the default 48 A.
  await evse.publish('enforced_limits', enforced(16));
  const [first] = await csms.waitFor('NotifyChargingLimit', 1);
  assert.equal(first!.params, { chargingLimit: { chargingLimitSource: 'EMS' }, evseId: 1 }, 'no schedule without NotifyChargingLimitWithSchedules');
  await evse.publish('enforced_limits', enforced(15)); // 6.25 %: not significant
  await evse.publish('enforced_limits', enforced(10)); // 37.5 % of 16: notified
  await csms.waitFor('NotifyChargingLimit', 2);
  await evse.publish('enforced_limits', enforced(48)); // the CSMS's own limit holds again
  const [cleared] = await csms.waitFor('ClearedChargingLimit', 1);
  assert.equal(cleared!.params, { chargingLimitSource: 'EMS', evseId: 1 });
  // The outbox keeps the order: had 15 A been notified, it would have come before the clear.
  assert.is(csms.of('NotifyChargingLimit').length, 2);
});

test('K12.FR.04: with NotifyChargingLimitWithSchedules the energy management schedule goes along in the CSMS rate unit; a limit TsOcpp set itself is not external', async () => {
  const evse = await start([set('SmartChargingCtrlr', 'NotifyChargingLimitWithSchedules', 'true')]);
  await evse.publish('enforced_limits', enforced(20, 'ems/grid', [20, 20, 12]));
  const [n] = await csms.waitFor('NotifyChargingLimit', 1);
  assert.equal(n!.params.chargingSchedule, [{
    id: 1, startSchedule: '2026-01-01T08:00:00.000Z', chargingRateUnit: 'A',
    chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }, { startPeriod: 1800, limit: 12 }],
  }]);
  // A CSMS profile of 20 A: the enforced 20 A is now the CSMS's own limit, so the external one ended.
  const txDefault = {
    id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute',
    chargingSchedule: [{ id: 1, startSchedule: '2020-01-01T00:00:00Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }] }],
  };
  assert.equal(await csms.call('SetChargingProfile', { evseId: 1, chargingProfile: txDefault }), { status: 'Accepted' });
  await csms.waitFor('ClearedChargingLimit', 1);
  // Below it again, but from TsOcpp's own limits (its source): not external.
  await evse.publish('enforced_limits', enforced(8, `${ts!.app.module.selfId}/OCPP_set_external_limits`));
  await evse.publish('enforced_limits', enforced(6, 'ems/grid'));
  await csms.waitFor('NotifyChargingLimit', 2);
  const sched = csms.of('NotifyChargingLimit')[1]!.params.chargingSchedule as R[];
  assert.equal(sched[0]!.chargingSchedulePeriod, [{ startPeriod: 0, limit: 6 }], 'no schedule from the manager: the limit from now');
  assert.is(csms.of('ClearedChargingLimit').length, 1);
});

const settings = (sig: number, withSchedules = false): SmartChargingSettings => ({
  available: true, enabled: true, profileStackLevel: 10, maxStackLevel: undefined, periodsPerSchedule: 24, rateUnits: ['A', 'W'],
  maxEntries: undefined, supplyVoltage: 230, acPhaseSwitching: false, limitChangeSignificance: sig, notifyWithSchedules: withSchedules,
});

test('K12.FR.02 (room): significance is measured against the last limit notified; a limit equal to the CSMS composite is not external; K13 only after a notify', () => {
  const sent: ChargingLimitMessage[] = [];
  let own = 32;
  const limits = new ChargingLimits({ settings: () => settings(20), compositeLimit: () => own, send: (m) => sent.push(m), log: silentLogger() });
  const at = (limit: number) => limits.enforced(2, { unit: 'A', limit, schedule: [] });
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

test.run();
