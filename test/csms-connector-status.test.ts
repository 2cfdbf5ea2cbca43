// Connector status from the EVSEs (issue 16 item 4): scripted evse_manager stand-ins publish session events
// and raise/clear errors on the bus, TsOcpp (the real app) reports StatusNotification to the strict ocpp-rpc
// CSMS. G01 (Occupied at plug-in, Available after the session; Faulted from the evse_manager/Inoperative
// error and back), G03/G04 (ChangeAvailability Inoperative during a session is Scheduled and applied at its
// end; Unavailable wins over Occupied, Faulted over Unavailable: libocpp's component state manager), F06
// (TriggerMessage StatusNotification gives the current status), B04/G01 (a status changed while the CSMS was
// away is sent after the next Accepted boot).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { cv, tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { Cleanup } from './helpers/cleanup.js';
import { ScriptedEvse } from './fixtures/evse.js';
import { until } from './helpers/wait.js';

const cleanup = new Cleanup();
let db: TempDb;
let csms: TestCsms;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

async function start(): Promise<{ evse1: ScriptedEvse; evse2: ScriptedEvse }> {
  ts = cleanup.add(await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections: { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }, { module_id: 'evse2', implementation_id: 'evse' }] } },
  }), (t) => t.stop());
  client = cleanup.add(await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 }), (c) => c.endAsync());
  const evse2 = new ScriptedEvse(client, 'everest/', 'evse2');
  evse2.uuid = 'session-2';
  await csms.waitFor('StatusNotification', 2);
  return { evse1: new ScriptedEvse(client, 'everest/', 'evse1'), evse2 };
}

/** As the framework publishes a raised or cleared error of an evse_manager (v0.25: error/<type>, RaiseError/ClearError). */
async function error(moduleId: string, type: string, active: boolean, connector?: number): Promise<void> {
  const object = {
    type, sub_type: '', message: 'test', description: '', severity: 'High', vendor_id: '', uuid: `${moduleId}-${type}`,
    timestamp: new Date().toISOString(), state: active ? 'Active' : 'ClearedByModule',
    origin: { module_id: moduleId, implementation_id: 'evse', ...(connector !== undefined ? { mapping: { evse: 1, connector } } : {}) },
  };
  await client!.publishAsync(`everest/modules/${moduleId}/impl/evse/error/${type}`,
    JSON.stringify({ msg_type: active ? 'RaiseError' : 'ClearError', data: object }), { qos: 2 });
}

/** The StatusNotifications since the boot: [evseId, status]. */
const statuses = (): Array<[number, string]> => csms.of('StatusNotification').map((r) => [r.params.evseId as number, r.params.connectorStatus as string]);

async function expectStatuses(want: Array<[number, string]>, what: string): Promise<void> {
  await csms.until(() => csms.of('StatusNotification').length >= want.length, 5000, what);
  assert.equal(statuses(), want, what);
}

/**
 * Before asserting that nothing more arrived: a short real wait (there is no message to wait for when the
 * point is that none comes; the bus and the CSMS link are local, and a status arrives within milliseconds).
 */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 150));
}

const availabilityState = (evse: number, connector?: number): string | undefined => ts!.app.service.getVariables([{
  component_variable: cv(connector === undefined ? 'EVSE' : 'Connector', 'AvailabilityState', { evse: connector === undefined ? { id: evse } : { id: evse, connector_id: connector } }),
}])[0]?.value;

test.before.each(async () => {
  db = cleanup.add(tempDb(), (d) => d.cleanup());
  seedDeviceModel(db.path);
  csms = cleanup.add(await new TestCsms({ password: PASSWORD }).start(), (c) => c.stop());
});
test.after.each(() => cleanup.run());

test('G01 plug-in -> Occupied, session end -> Available; only changes go out; AvailabilityState follows; F06 trigger gives the current one', async () => {
  const { evse1 } = await start();
  assert.equal(statuses(), [[1, 'Available'], [2, 'Available']], 'every connector after the Accepted boot');
  csms.clear();
  await evse1.plugIn();
  await expectStatuses([[1, 'Occupied']], 'Occupied at plug-in');
  assert.is(availabilityState(1, 1), 'Occupied');
  assert.is(availabilityState(1), 'Occupied', 'the EVSE too (libocpp update_dm_availability_state)');
  await evse1.authorize();
  await evse1.charge();
  await evse1.stop();
  const trig = await csms.call('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } });
  assert.equal(trig, { status: 'Accepted' });
  await expectStatuses([[1, 'Occupied'], [1, 'Occupied']], 'the trigger repeats the current status');
  await evse1.unplug();
  await expectStatuses([[1, 'Occupied'], [1, 'Occupied'], [1, 'Available']], 'Available after SessionFinished');
  await settle();
  assert.is(csms.of('StatusNotification').length, 3, 'TransactionStarted/ChargingStarted/TransactionFinished send nothing (no change)');
  assert.is(availabilityState(1, 1), 'Available');
});

test('G01 the evse_manager/Inoperative error -> Faulted (over Occupied), cleared -> back; other error types change nothing', async () => {
  const { evse1, evse2 } = await start();
  csms.clear();
  await error('evse2', 'evse_manager/MREC4OverCurrentFailure', true);
  await error('evse2', 'evse_manager/Inoperative', true, 1);
  await expectStatuses([[2, 'Faulted']], 'Faulted');
  await evse2.plugIn();
  await settle();
  assert.equal(statuses(), [[2, 'Faulted']], 'a plug-in on a faulted connector stays Faulted');
  await error('evse2', 'evse_manager/Inoperative', false, 1);
  await expectStatuses([[2, 'Faulted'], [2, 'Occupied']], 'cleared: the EV is still plugged in');
  await evse2.unplug();
  await error('evse1', 'evse_manager/Inoperative', true);
  await expectStatuses([[2, 'Faulted'], [2, 'Occupied'], [2, 'Available'], [1, 'Faulted']], 'an error without mapping is connector 1 of its EVSE');
  await error('evse1', 'evse_manager/Inoperative', false);
  await expectStatuses([[2, 'Faulted'], [2, 'Occupied'], [2, 'Available'], [1, 'Faulted'], [1, 'Available']], 'cleared');
  await evse1.plugIn();
  await expectStatuses([[2, 'Faulted'], [2, 'Occupied'], [2, 'Available'], [1, 'Faulted'], [1, 'Available'], [1, 'Occupied']], 'plug-in after the fault');
});

test('G03/G04 ChangeAvailability Inoperative during a session: Scheduled, stays Occupied, Unavailable at the transaction end; Faulted wins over Unavailable', async () => {
  const { evse1 } = await start();
  csms.clear();
  await evse1.plugIn();
  await evse1.authorize();
  await expectStatuses([[1, 'Occupied']], 'Occupied');
  assert.equal(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } }), { status: 'Scheduled' });
  await settle();
  assert.equal(statuses(), [[1, 'Occupied']], 'nothing while Scheduled');
  await evse1.stop();
  await expectStatuses([[1, 'Occupied'], [1, 'Unavailable']], 'Unavailable once the transaction ended, the EV still plugged in');
  await evse1.unplug();
  await error('evse1', 'evse_manager/Inoperative', true);
  await expectStatuses([[1, 'Occupied'], [1, 'Unavailable'], [1, 'Faulted']], 'Faulted over Unavailable');
  await error('evse1', 'evse_manager/Inoperative', false);
  await expectStatuses([[1, 'Occupied'], [1, 'Unavailable'], [1, 'Faulted'], [1, 'Unavailable']], 'back to Unavailable');
  await evse1.plugIn();
  await settle();
  assert.is(statuses().length, 4, 'a plug-in while Inoperative stays Unavailable');
  assert.equal(await csms.call('ChangeAvailability', { operationalStatus: 'Operative', evse: { id: 1 } }), { status: 'Accepted' });
  await expectStatuses([[1, 'Occupied'], [1, 'Unavailable'], [1, 'Faulted'], [1, 'Unavailable'], [1, 'Occupied']], 'Operative again: the plugged-in EV shows');
});

test('B04/G01 a status that changed while the CSMS was away is sent after the next Accepted boot', async () => {
  const { evse2 } = await start();
  await csms.stop();
  await until(() => !ts!.app.service.isConnected(), 5000, 'link down');
  csms.clear();
  await evse2.plugIn();
  await until(() => availabilityState(2, 1) === 'Occupied', 5000, 'AvailabilityState written offline');
  await csms.start();
  await expectStatuses([[1, 'Available'], [2, 'Occupied']], 'every connector after the boot, with its current status');
});

test.run();
