// GetReport (B08) by component criteria and by componentVariable lists, answered with NotifyReport parts as
// GetBaseReport is, and the StartupOfTheDevice security event of every start (A04), against a strict CSMS
// with the real module.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';

type R = Record<string, unknown>;
let db: TempDb;
let csms: TestCsms;
let ts: TsOcpp | undefined;

const cv = (component: string, variable: string) => ({ component: { name: component }, variable: { name: variable } });
const start = () => startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path });

async function boot(): Promise<TsOcpp> {
  ts = await start();
  await csms.waitFor('StatusNotification', 2);
  return ts;
}

/** The whole report of one requestId, once its last part came: [component, evse id, variable, instance]. */
async function report(requestId: number): Promise<{ parts: R[]; rows: string[] }> {
  await csms.until(() => csms.of('NotifyReport').some((r) => r.params.requestId === requestId && r.params.tbc === false), 8000, `report ${requestId}`);
  const parts = csms.of('NotifyReport').filter((r) => r.params.requestId === requestId).map((r) => r.params);
  const rows = parts.flatMap((p) => (p.reportData as R[]).map((d) => {
    const c = d.component as R;
    const v = d.variable as R;
    return [c.name, (c.evse as R | undefined)?.id ?? '-', v.name, v.instance ?? '-'].join('/');
  }));
  return { parts, rows };
}

const componentsOf = (rows: string[]) => [...new Set(rows.map((r) => r.split('/')[0]!))].sort();

test.before.each(async () => {
  db = tempDb();
  seedDeviceModel(db.path);
  csms = await new TestCsms({ password: PASSWORD, interval: 300 }).start();
});
test.after.each(async () => {
  await ts?.stop();
  ts = undefined;
  await csms.stop();
  db.cleanup();
});

test('B08.FR.04 componentCriteria Problem: EmptyResultSet while no component has a problem; then the ChargingStation alone', async () => {
  const t = await boot();
  assert.equal(await csms.call('GetReport', { requestId: 1, componentCriteria: ['Problem'] }), { status: 'EmptyResultSet' });
  t.app.service.setInternal(cv('ChargingStation', 'Problem'), 'true');
  assert.equal(await csms.call('GetReport', { requestId: 2, componentCriteria: ['Problem'] }), { status: 'Accepted' });
  const { rows, parts } = await report(2);
  assert.equal(componentsOf(rows), ['ChargingStation']);
  // Every attribute of a reported variable, with its characteristics.
  const problem = parts.flatMap((p) => p.reportData as R[]).find((d) => (d.variable as R).name === 'Problem')!;
  assert.equal((problem.variableAttribute as R[])[0], { type: 'Actual', value: 'true', mutability: 'ReadOnly', persistent: true, constant: false });
  assert.ok(problem.variableCharacteristics);
  assert.is(csms.of('NotifyReport').some((r) => r.params.requestId === 1), false);
});

test('B08 componentCriteria Enabled: a component whose Enabled is false is left out, one without the variable is in (libocpp)', async () => {
  const t = await boot();
  t.app.service.setInternal(cv('LocalAuthListCtrlr', 'Enabled'), 'false');
  assert.equal(await csms.call('GetReport', { requestId: 3, componentCriteria: ['Enabled'] }), { status: 'Accepted' });
  const components = componentsOf((await report(3)).rows);
  assert.ok(components.includes('AuthCtrlr'), 'Enabled true');
  assert.ok(components.includes('ClockCtrlr'), 'no Enabled variable');
  assert.not.ok(components.includes('LocalAuthListCtrlr'), 'Enabled false');
  // Several criteria: any one that holds selects the component (Available is true there).
  assert.equal(await csms.call('GetReport', { requestId: 4, componentCriteria: ['Enabled', 'Available'] }), { status: 'Accepted' });
  assert.ok(componentsOf((await report(4)).rows).includes('LocalAuthListCtrlr'));
});

test('B08.FR.06 a componentVariable list: one variable, a whole component, and a component without evse at every EVSE (B08.FR.23)', async () => {
  await boot();
  const res = await csms.call('GetReport', {
    requestId: 5,
    componentVariable: [
      cv('OCPPCommCtrlr', 'HeartbeatInterval'),
      { component: { name: 'ClockCtrlr' } },
      cv('EVSE', 'AvailabilityState'),
      { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage' } },
    ],
  });
  assert.equal(res, { status: 'Accepted' });
  const { rows } = await report(5);
  const clock = rows.filter((r) => r.startsWith('ClockCtrlr/'));
  assert.ok(clock.length > 1, 'every variable of ClockCtrlr');
  assert.equal(rows.filter((r) => !r.startsWith('ClockCtrlr/')).sort(), [
    'DeviceDataCtrlr/-/ItemsPerMessage/GetReport',
    'DeviceDataCtrlr/-/ItemsPerMessage/GetVariables',
    'DeviceDataCtrlr/-/ItemsPerMessage/SetVariables',
    'EVSE/1/AvailabilityState/-',
    'EVSE/2/AvailabilityState/-',
    'OCPPCommCtrlr/-/HeartbeatInterval/-',
  ]);
  // Criteria and a list together: both must hold.
  assert.equal(await csms.call('GetReport', { requestId: 6, componentCriteria: ['Problem'], componentVariable: [cv('OCPPCommCtrlr', 'HeartbeatInterval')] }), { status: 'EmptyResultSet' });
  assert.equal(await csms.call('GetReport', { requestId: 7, componentVariable: [cv('NoSuchCtrlr', 'X')] }), { status: 'EmptyResultSet' });
});

test('B08 a report larger than MaxMessageSize comes in parts with seqNo and tbc, as GetBaseReport', async () => {
  const t = await boot();
  t.app.service.setInternal({ component: { name: 'InternalCtrlr' }, variable: { name: 'MaxMessageSize' } }, '3000');
  assert.equal(await csms.call('GetReport', { requestId: 8, componentCriteria: ['Available'] }), { status: 'Accepted' });
  const { parts, rows } = await report(8);
  assert.ok(parts.length > 1, `expected several parts, got ${parts.length}`);
  assert.equal(parts.map((p) => p.seqNo), parts.map((_, i) => i));
  assert.equal(parts.map((p) => p.tbc), parts.map((_, i) => i < parts.length - 1));
  assert.is(new Set(rows).size, rows.length);
});

test('B08: a criterion SupportedCriteria lacks is NotSupported; more than ItemsPerMessage[GetReport] entries is OccurrenceConstraintViolation (B08.FR.17)', async () => {
  const t = await boot();
  t.app.service.setInternal(cv('InternalCtrlr', 'SupportedCriteria'), 'Enabled,Problem,Available');
  const r = await csms.call<R>('GetReport', { requestId: 9, componentCriteria: ['Active'] });
  assert.is(r.status, 'NotSupported');
  t.app.service.setInternal({ component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetReport' } }, '2');
  const err = await csms.call('GetReport', {
    requestId: 10, componentVariable: [cv('OCPPCommCtrlr', 'HeartbeatInterval'), cv('OCPPCommCtrlr', 'OfflineThreshold'), cv('ClockCtrlr', 'DateTime')],
  }).then(() => undefined, (e: { code?: string }) => e.code);
  assert.is(err, 'OccurrenceConstraintViolation');
  assert.is(csms.of('NotifyReport').length, 0);
});

test('A04 StartupOfTheDevice on every start: in the security log and delivered to the CSMS once per start', async () => {
  let t = await boot();
  const [first] = await csms.waitFor('SecurityEventNotification', 1);
  assert.is(first!.params.type, 'StartupOfTheDevice');
  assert.is(first!.params.techInfo, 'Charging Station powered up! Firmware version: 0.1.0');
  assert.is(t.app.service.securityLog(1)[0]?.type, 'StartupOfTheDevice');
  await t.stop();
  ts = undefined;
  t = await boot();
  await csms.waitFor('SecurityEventNotification', 2);
  assert.equal(csms.of('SecurityEventNotification').map((r) => r.params.type), ['StartupOfTheDevice', 'StartupOfTheDevice']);
  assert.equal(t.app.service.securityLog().filter((e) => e.type === 'StartupOfTheDevice').length, 2);
});

test.run();
