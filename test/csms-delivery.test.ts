// What must survive a CSMS outage, a TsOcpp restart and a connection cut mid-call: critical security
// events raised on the bus arrive once each; is_connected follows the link; stop/restart on the bus close
// and reopen it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { FakeTimers } from './fixtures/csms/fake-timers.js';
import { startLink, type LinkUnderTest } from './fixtures/csms/link.js';
import { sleep, until } from './helpers/wait.js';

type R = Record<string, unknown>;
let db: TempDb;
let csms: TestCsms;
let ts: TsOcpp | undefined;
let link: LinkUnderTest | undefined;

const raise = (t: TsOcpp, type: string, info: string) => t.call('ocpp_generic', 'security_event', { type, info });
const start = () => startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path });
// Every start of TsOcpp raises StartupOfTheDevice (A04, test/csms-get-report.test.ts); these tests count the
// events they raise themselves.
const raised = () => csms.of('SecurityEventNotification').filter((r) => r.params.type !== 'StartupOfTheDevice');
const waitRaised = async (n: number, ms = 8000) => {
  await csms.until(() => raised().length >= n, ms, `${n} x SecurityEventNotification`);
  return raised();
};
/** Boot accepted, the connectors reported and the start-up event delivered (the outbox empty). */
const booted = async (t: TsOcpp) => {
  await csms.waitFor('StatusNotification', 2);
  await until(() => t.app.service.outbox.size() === 0 && csms.of('SecurityEventNotification').length > 0, 5000, 'StartupOfTheDevice delivered');
};

test.before.each(async () => {
  db = tempDb();
  seedDeviceModel(db.path);
  csms = await new TestCsms({ password: PASSWORD }).start();
});
test.after.each(async () => {
  await ts?.stop();
  ts = undefined;
  await link?.stop();
  link = undefined;
  await csms.stop();
  db.cleanup();
});

test('security events raised while the CSMS is down arrive after it comes back, in order, once each', async () => {
  ts = await start();
  await booted(ts);
  const connected: boolean[] = [];
  await ts.bus.callers[0]!.subscribeVar('ocpp', 'ocpp_generic', 'is_connected', (v) => { connected.push(v as boolean); });
  await csms.stop();
  await until(() => !ts!.app.service.isConnected(), 5000, 'is_connected false');
  await raise(ts, 'TamperDetectionActivated', 'one');
  await raise(ts, 'InvalidMessages', 'not critical: log only');
  await raise(ts, 'SettingSystemTime', 'two');
  await raise(ts, 'MemoryExhaustion', 'three');
  assert.is(ts.app.service.outbox.size(), 3);
  await sleep(300);
  await csms.start();
  const got = await waitRaised(3);
  assert.equal(got.map((r) => [r.params.type, r.params.techInfo]), [['TamperDetectionActivated', 'one'], ['SettingSystemTime', 'two'], ['MemoryExhaustion', 'three']]);
  await until(() => ts!.app.service.outbox.size() === 0, 2000, 'outbox empty');
  await sleep(300);
  assert.is(raised().length, 3);
  // The bus var followed the link: down, then up again.
  await until(() => connected.at(-1) === true, 3000, 'is_connected true on the bus');
  assert.ok(connected.includes(false));
});

test('an outage past outbox_max_entries, and csms_url removed meanwhile: the newest queued events arrive in order, nothing raised without a link', async () => {
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path, outbox_max_entries: 100 });
  await booted(ts);
  await csms.stop();
  await until(() => !ts!.app.service.isConnected(), 5000, 'is_connected false');
  for (let i = 1; i <= 150; i++) await raise(ts, 'TamperDetectionActivated', `t${i}`);
  // A tenth of the bound at a time, oldest first: t1..t50 dropped.
  assert.is(ts.app.service.outbox.size(), 100);
  await ts.stop();
  // Without csms_url the queued events stay (docs/security.md) and nothing new is queued.
  ts = await startTsOcpp({ device_model_db: db.path, outbox_max_entries: 100 });
  await raise(ts, 'TamperDetectionActivated', 'no link');
  assert.is(ts.app.service.outbox.size(), 100);
  assert.is(ts.app.service.securityLog(1)[0]?.info, 'no link');
  await ts.stop();
  await csms.start();
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path, outbox_max_entries: 100 });
  // The start-up event of this start is the 101st entry: the oldest tenth (t51..t60) makes room for it.
  const got = await waitRaised(90);
  assert.equal(got.map((r) => r.params.techInfo), Array.from({ length: 90 }, (_, i) => `t${i + 61}`));
  await until(() => ts!.app.service.outbox.size() === 0, 5000, 'outbox empty');
  await sleep(300);
  assert.is(raised().length, 90);
  assert.is(csms.of('SecurityEventNotification').at(-1)?.params.type, 'StartupOfTheDevice');
});

test('security events survive a restart of TsOcpp and are delivered once each', async () => {
  ts = await start();
  await booted(ts);
  await raise(ts, 'FirmwareUpdated', 'delivered before the outage');
  await waitRaised(1);
  await csms.stop();
  await until(() => !ts!.app.service.isConnected(), 5000, 'is_connected false');
  await raise(ts, 'InvalidFirmwareSignature', 'a');
  await raise(ts, 'InvalidCsmsCertificate', 'b');
  await ts.stop();
  ts = undefined;
  await csms.start();
  ts = await start();
  const got = await waitRaised(3);
  assert.equal(got.map((r) => r.params.type), ['FirmwareUpdated', 'InvalidFirmwareSignature', 'InvalidCsmsCertificate']);
  await until(() => ts!.app.service.outbox.size() === 0, 5000, 'outbox empty');
  await sleep(300);
  // One start-up event per start, each delivered once.
  assert.is(csms.of('SecurityEventNotification').filter((r) => r.params.type === 'StartupOfTheDevice').length, 2);
  assert.is(raised().length, 3);
  assert.is(csms.of('BootNotification').length, 2);
  assert.is(ts.app.service.outbox.size(), 0);
});

test('the CSMS drops the connection mid-call: the link comes back and the unanswered event is sent again', async () => {
  let dropped = false;
  csms.opts.handlers = {
    SecurityEventNotification: (p) => {
      if (dropped || (p as R).type === 'StartupOfTheDevice') return {};
      dropped = true;
      return 'drop';
    },
  };
  ts = await start();
  await booted(ts);
  await raise(ts, 'TamperDetectionActivated', 'x');
  await until(() => csms.connections === 2, 5000, 'a second connection');
  const got = await waitRaised(1);
  assert.is(got[0]!.params.techInfo, 'x');
  assert.is(csms.of('BootNotification').length, 2);
  await until(() => ts!.app.service.outbox.size() === 0, 2000, 'outbox empty');
  await sleep(300);
  assert.is(raised().length, 1);
  assert.ok(ts.app.service.isConnected());
});

test('the CSMS drops the connection during a bus data_transfer: Rejected/Offline, then the link is back', async () => {
  csms.opts.handlers = { DataTransfer: () => 'drop' };
  ts = await start();
  await csms.waitFor('StatusNotification', 2);
  const r = (await ts.call('data_transfer', 'data_transfer', { request: { vendor_id: 'com.example', message_id: 'X' } })) as R;
  assert.equal(r, { status: 'Rejected', data: JSON.stringify({ status: 'Offline' }) });
  await until(() => csms.connections === 2 && ts!.app.service.isConnected(), 5000, 'reconnected');
  await csms.waitFor('BootNotification', 2);
});

test('the CSMS drops the connection while it waits for our answer to its call: the link comes back', async () => {
  ts = await start();
  await csms.waitFor('StatusNotification', 2);
  const client = await csms.connected();
  const pending = client.call('GetBaseReport', { requestId: 5, reportBase: 'FullInventory' }).catch(() => 'cut');
  await client.close({ force: true });
  assert.is(await pending, 'cut');
  await until(() => csms.connections === 2, 5000, 'a second connection');
  const again = await csms.call<R>('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] }).catch(async () => {
    // The CALL may race the new BootNotification; once Accepted it is served.
    await csms.waitFor('StatusNotification', 4);
    return csms.call<R>('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
  });
  assert.is((again.getVariableResult as R[])[0]!.attributeStatus, 'Accepted');
});

test('stop and restart on the bus close and reopen the link', async () => {
  ts = await start();
  await csms.waitFor('StatusNotification', 2);
  assert.is(await ts.call('ocpp_generic', 'stop', {}), true);
  await until(() => csms.client === undefined, 3000, 'the CSMS sees the close');
  assert.is(ts.app.service.isConnected(), false);
  await sleep(600);
  assert.is(csms.connections, 1);
  // Events raised while stopped wait in the outbox.
  await raise(ts, 'SecurityLogWasCleared', 'while stopped');
  assert.is(await ts.call('ocpp_generic', 'restart', {}), true);
  await csms.waitFor('BootNotification', 2);
  await until(() => ts!.app.service.isConnected(), 3000, 'connected again');
  const [ev] = await waitRaised(1);
  assert.is(ev!.params.type, 'SecurityLogWasCleared');
});

test('reconnect back-off: the waits grow as OCPPCommCtrlr RetryBackOff* says, the link reconnects, and the next outage starts over', async () => {
  // RetryBackOffWaitMinimum 1 s, RandomRange 2 s with random 0.5 (1 s), RepeatTimes 2: 1+1, then 2*2+1,
  // then 2*5+1, then the same (libocpp websocket_base.cpp get_reconnect_interval).
  const cv = (variable: string) => ({ component: { name: 'OCPPCommCtrlr' }, variable: { name: variable } });
  seedDeviceModel(db.path, [
    { component_variable: cv('RetryBackOffWaitMinimum'), value: '1' },
    { component_variable: cv('RetryBackOffRandomRange'), value: '2' },
    { component_variable: cv('RetryBackOffRepeatTimes'), value: '2' },
  ]);
  link = startLink(db.path, { csms_url: csms.url, station_id: 'CS001' }, new FakeTimers(() => 0.5));
  const { timers } = link;
  await csms.waitFor('StatusNotification', 2);
  // Each refused attempt schedules the next: the only timer pending while the CSMS is down.
  const failedAttempt = () => until(() => timers.pending.length === 1, 5000, 'the next attempt scheduled');
  const outage = async (attempts: number): Promise<number[]> => {
    await csms.stop();
    // The heartbeat goes with the connection; from then on only reconnects are pending.
    await until(() => !link!.csms.link.connected, 5000, 'the loss seen');
    const waits: number[] = [];
    for (let i = 0; i < attempts; i++) {
      await failedAttempt();
      waits.push(timers.fireNext());
    }
    await failedAttempt();
    assert.is(link!.csms.link.connected, false);
    await csms.start();
    waits.push(timers.fireNext());
    await until(() => link!.csms.link.connected, 5000, 'reconnected');
    return waits;
  };
  assert.equal(await outage(4), [2000, 5000, 11000, 11000, 11000]);
  const boots = await csms.waitFor('BootNotification', 2);
  assert.is(boots.at(-1)!.params.reason, 'Unknown');
  assert.is(csms.connections, 2);
  // A successful connection resets the back-off: the next outage waits 2 s first again.
  await csms.waitFor('StatusNotification', 4);
  assert.equal(await outage(1), [2000, 5000]);
  await csms.waitFor('BootNotification', 3);
});

test.run();
