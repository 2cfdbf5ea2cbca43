// The clock from the CSMS (B01.FR.06, G02): the currentTime of BootNotification and Heartbeat answers goes to
// the `system` requirement's set_system_time when ClockCtrlr TimeSource names Heartbeat (as libocpp hands it
// to everest-core OCPP201's time_sync_callback); a move beyond ClockCtrlr TimeAdjustmentReportingThreshold
// (seed: 20 s) raises SettingSystemTime. A stand-in system module on the bus answers set_system_time; TsOcpp
// is the real app against the strict ocpp-rpc CSMS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { EvseCmdServer } from './fixtures/evse-cmds.js';
import { sleep, until } from './helpers/wait.js';

let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

const HOUR_AHEAD = () => new Date(Date.now() + 3600_000).toISOString();

async function start(o: { timeSource?: string; heartbeatTime?: () => string } = {}): Promise<EvseCmdServer> {
  const cv = (component: string, variable: string) => ({ component: { name: component }, variable: { name: variable } });
  seedDeviceModel(db.path, o.timeSource ? [{ component_variable: cv('ClockCtrlr', 'TimeSource'), value: o.timeSource }] : []);
  // The BootNotification is answered once the stand-in system module listens (its answer's time goes there).
  let served!: () => void;
  const listening = new Promise<void>((r) => { served = r; });
  csms = await new TestCsms({
    password: PASSWORD,
    handlers: {
      BootNotification: async () => {
        await listening;
        return { status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 };
      },
      ...(o.heartbeatTime ? { Heartbeat: () => ({ currentTime: o.heartbeatTime!() }) } : {}),
    },
  }).start();
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections: { system: [{ module_id: 'system1', implementation_id: 'main' }] } },
  });
  client = await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 });
  const system = await EvseCmdServer.serve(client, 'everest/', 'system1', undefined, { impl: 'main', cmds: ['set_system_time', 'is_reset_allowed', 'reset'] });
  served();
  await csms.waitFor('StatusNotification', 2);
  return system;
}

const settingSystemTime = () => csms!.of('SecurityEventNotification').filter((r) => r.params.type === 'SettingSystemTime');

test.before.each(() => {
  db = tempDb();
});
test.after.each(async () => {
  await client?.endAsync();
  client = undefined;
  await ts?.stop();
  ts = undefined;
  await csms?.stop();
  csms = undefined;
  db.cleanup();
});

test('B01.FR.06 TimeSource Heartbeat: the BootNotification time and a Heartbeat time go to system.set_system_time; a move of an hour raises SettingSystemTime, a small one does not', async () => {
  const system = await start({ heartbeatTime: HOUR_AHEAD });
  // The BootNotification's time (the CSMS's clock, the same as the station's): set, nothing to report.
  await until(() => system.of('set_system_time').length === 1, 5000, 'set_system_time after the BootNotification');
  const bootTime = Date.parse(system.of('set_system_time')[0]!.args.timestamp as string);
  assert.ok(Math.abs(bootTime - Date.now()) < 5000, 'the CSMS time of the BootNotification answer');
  // A Heartbeat answered with a time an hour ahead.
  assert.equal(await csms!.call('TriggerMessage', { requestedMessage: 'Heartbeat' }), { status: 'Accepted' });
  await until(() => system.of('set_system_time').length === 2, 5000, 'set_system_time after the Heartbeat');
  const hbTime = Date.parse(system.of('set_system_time')[1]!.args.timestamp as string);
  assert.ok(Math.abs(hbTime - (Date.now() + 3600_000)) < 5000, 'the Heartbeat time, an hour ahead');
  await csms!.until(() => settingSystemTime().length === 1, 8000, 'SettingSystemTime delivered');
  assert.match(String(settingSystemTime()[0]!.params.techInfo), /Heartbeat/);
  assert.is(settingSystemTime().length, 1, 'the BootNotification time raised nothing');
});

test('B01.FR.06 a system module that answers set_system_time true but leaves the clock (everest-core System): SettingSystemTime once per move, not with every Heartbeat', async () => {
  let ahead = 3600_000;
  const system = await start({ heartbeatTime: () => new Date(Date.now() + ahead).toISOString() });
  await until(() => system.of('set_system_time').length === 1, 5000, 'set_system_time after the BootNotification');
  const heartbeat = async (n: number) => {
    assert.equal(await csms!.call('TriggerMessage', { requestedMessage: 'Heartbeat' }), { status: 'Accepted' });
    await until(() => system.of('set_system_time').length === n, 5000, `set_system_time ${n}`);
  };
  // An hour ahead, three times: the stand-in does not move the station's clock, as everest-core's System does not.
  await heartbeat(2);
  await csms!.until(() => settingSystemTime().length === 1, 8000, 'SettingSystemTime for the first move');
  await heartbeat(3);
  await heartbeat(4);
  // The clocks agree again, then a new move of two hours: reported.
  ahead = 0;
  await heartbeat(5);
  ahead = 7200_000;
  await heartbeat(6);
  await csms!.until(() => settingSystemTime().length === 2, 8000, 'SettingSystemTime for the second move');
  await sleep(300);
  assert.is(settingSystemTime().length, 2, 'one event per move, none for the same offset again');
  assert.match(String(settingSystemTime()[1]!.params.techInfo), /moved by 7200/);
});

test('B01.FR.06 TimeSource without Heartbeat (NTP): the CSMS time is not sent to the system module', async () => {
  const system = await start({ timeSource: 'NTP', heartbeatTime: HOUR_AHEAD });
  assert.equal(await csms!.call('TriggerMessage', { requestedMessage: 'Heartbeat' }), { status: 'Accepted' });
  await csms!.waitFor('Heartbeat', 1);
  await sleep(300);
  assert.equal(system.of('set_system_time'), []);
  assert.equal(settingSystemTime(), []);
});

test.run();
