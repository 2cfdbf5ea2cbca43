// Network profiles (B09/B10) and the BasicAuthPassword rotation (A01) against real strict ocpp-rpc CSMSs that
// require Basic auth: SetNetworkProfile checked and stored in InternalCtrlr NetworkConnectionProfiles, the link
// moving to the next NetworkConfigurationPriority slot after NetworkProfileConnectionAttempts failures and back
// to the first, and a new password used at once with a fall back to the old one when the CSMS refuses it.
// No test output carries a password: the CSMS checks them, the test compares nothing but statuses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { createLogger } from '../src/log.js';
import { until } from './helpers/wait.js';
import { makeCerts } from './fixtures/csms/certs.js';
import { Cleanup } from './helpers/cleanup.js';

type R = Record<string, unknown>;
let db: TempDb;
let csmsList: TestCsms[] = [];
let ts: TsOcpp | undefined;

const NEW_PASSWORD = 'a-new-password-of-the-csms-42';
const cv = (component: string, variable: string) => ({ component: { name: component }, variable: { name: variable } });
const profile = (url: string, securityProfile = 1) => ({
  ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: url, messageTimeout: 30, securityProfile, ocppInterface: 'Wired0',
});

/** Every log line TsOcpp writes, at every level. */
const logged: string[] = [];
const sink = new Writable({ write(chunk: Buffer, _e, cb) { logged.push(chunk.toString()); cb(); } });

async function csms(password = PASSWORD): Promise<TestCsms> {
  const c = await new TestCsms({ password }).start();
  csmsList.push(c);
  return c;
}

async function start(url: string, attempts = 2): Promise<TsOcpp> {
  seedDeviceModel(db.path, [{ component_variable: cv('OCPPCommCtrlr', 'NetworkProfileConnectionAttempts'), value: String(attempts) }]);
  ts = await startTsOcpp({ csms_url: url, station_id: 'CS001', device_model_db: db.path }, { log: createLogger({ format: 'json', level: 'trace', stream: sink }) });
  return ts;
}

const internal = (component: string, variable: string) => ts!.app.service.readInternal(cv(component, variable));

test.before.each(() => {
  db = tempDb();
  logged.length = 0;
});
test.after.each(async () => {
  await ts?.stop();
  ts = undefined;
  for (const c of csmsList) await c.stop();
  csmsList = [];
  db.cleanup();
});

test('B09 SetNetworkProfile: a valid profile is stored in its slot with ReconfigurationOfSecurityParameters; a slot out of NetworkConfigurationPriority\'s list, the slot of csms_url, a lower security profile and another OCPP version are Rejected', async () => {
  const a = await csms();
  await start(a.url);
  await a.waitFor('StatusNotification', 2);
  const set = (configurationSlot: number, connectionData: R) => a.call<R>('SetNetworkProfile', { configurationSlot, connectionData });
  assert.equal(await set(2, profile('ws://127.0.0.1:1/ocpp')), { status: 'Accepted' });
  const stored = JSON.parse(internal('InternalCtrlr', 'NetworkConnectionProfiles')!) as R[];
  assert.equal(stored.find((p) => p.configurationSlot === 2), { configurationSlot: 2, connectionData: profile('ws://127.0.0.1:1/ocpp') });
  // Not critical (libocpp is_critical): in the security log, not sent.
  await until(() => ts!.app.service.securityLog().some((e) => e.type === 'ReconfigurationOfSecurityParameters'), 3000, 'ReconfigurationOfSecurityParameters logged');
  for (const [slot, data] of [[3, profile('ws://127.0.0.1:1/ocpp')], [1, profile('ws://127.0.0.1:1/ocpp')], [2, profile('ws://127.0.0.1:1/ocpp', 0)],
    [2, { ...profile('ws://127.0.0.1:1/ocpp'), ocppVersion: 'OCPP16' }], [2, profile('wss://127.0.0.1:1/ocpp', 1)]] as const) {
    const r = await set(slot, data);
    assert.is(r.status, 'Rejected', `slot ${slot} ${JSON.stringify(data)}`);
  }
});

test('B10 fallback: with csms_url down the link tries it NetworkProfileConnectionAttempts times, connects with slot 2, and when slot 2 fails goes back to the first', async () => {
  const a = await csms();
  const b = await csms();
  await start(a.url, 2);
  await a.waitFor('StatusNotification', 2);
  assert.equal(await a.call('SetNetworkProfile', { configurationSlot: 2, connectionData: profile(b.url) }), { status: 'Accepted' });
  const prio = await a.call<{ setVariableResult: R[] }>('SetVariables', { setVariableData: [{ ...cv('OCPPCommCtrlr', 'NetworkConfigurationPriority'), attributeValue: '1,2' }] });
  assert.ok(['Accepted', 'RebootRequired'].includes(prio.setVariableResult[0]!.attributeStatus as string));
  assert.is(internal('OCPPCommCtrlr', 'ActiveNetworkProfile'), '1');
  await a.stop();
  await b.waitFor('BootNotification', 1, 15_000);
  await until(() => internal('OCPPCommCtrlr', 'ActiveNetworkProfile') === '2', 5000, 'ActiveNetworkProfile 2');
  // Back: the first CSMS returns, the second goes down.
  await a.start();
  const before = a.of('BootNotification').length;
  await b.stop();
  await a.until(() => a.of('BootNotification').length > before, 15_000, 'BootNotification at the first CSMS again');
  await until(() => internal('OCPPCommCtrlr', 'ActiveNetworkProfile') === '1', 5000, 'ActiveNetworkProfile 1');
});

test('A01 password rotation accepted: the CSMS sets BasicAuthPassword and the station reconnects with it at once', async () => {
  const a = await csms();
  await start(a.url);
  await a.waitFor('StatusNotification', 2);
  a.opts.password = NEW_PASSWORD; // the CSMS takes only the new password from now on
  const r = await a.call<{ setVariableResult: R[] }>('SetVariables', { setVariableData: [{ ...cv('SecurityCtrlr', 'BasicAuthPassword'), attributeValue: NEW_PASSWORD }] });
  assert.is(r.setVariableResult[0]!.attributeStatus, 'Accepted');
  await a.waitFor('BootNotification', 2);
  assert.is(a.rejections.length, 0, 'never refused');
  assert.is(ts!.app.service.basicAuth.pending, false, 'the old password is no longer kept');
});

test('A01 password rotation refused: the CSMS answers 401 to the new password and the station connects with the old one again', async () => {
  const a = await csms();
  await start(a.url);
  await a.waitFor('StatusNotification', 2);
  // The CSMS keeps expecting the old password (a rotation that went wrong on its side).
  const r = await a.call<{ setVariableResult: R[] }>('SetVariables', { setVariableData: [{ ...cv('SecurityCtrlr', 'BasicAuthPassword'), attributeValue: NEW_PASSWORD }] });
  assert.is(r.setVariableResult[0]!.attributeStatus, 'Accepted');
  await a.waitFor('StatusNotification', 4);
  assert.is(a.rejections.length, 1, 'the new password was refused once');
  assert.is(ts!.app.service.basicAuth.pending, false);
  assert.is(ts!.app.service.basicAuth.current() === PASSWORD, true, 'the old password is in force again');
  assert.ok(ts!.app.service.securityLog().some((e) => e.type === 'FailedToAuthenticateAtCsms'), 'FailedToAuthenticateAtCsms logged');
  // Secrets: no log line, at any level, carries either password or its Basic auth form.
  const secrets = [PASSWORD, NEW_PASSWORD, ...[PASSWORD, NEW_PASSWORD].map((p) => Buffer.from(`CS001:${p}`).toString('base64'))];
  assert.is(logged.filter((l) => secrets.some((s) => l.includes(s))).length, 0, 'no password in the log');
  // WriteOnly: the CSMS cannot read it back.
  const g = await a.call<{ getVariableResult: R[] }>('GetVariables', { getVariableData: [cv('SecurityCtrlr', 'BasicAuthPassword')] });
  assert.not.ok('attributeValue' in g.getVariableResult[0]!);
});

test('A05 upgrade of the security profile: NetworkConfigurationPriority 2,1 (slot 2 a TLS profile 2) Accepted and used after the Reset, SecurityProfile 2 recorded on connecting; a priority back to profile 1 or naming an empty slot Rejected', async () => {
  const cleanup = new Cleanup();
  try {
    const certs = cleanup.add(makeCerts('CS001'), (c) => c.cleanup());
    const a = await csms();
    const b = cleanup.add(await new TestCsms({ password: PASSWORD, tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: false } }).start(), (c) => c.stop());
    seedDeviceModel(db.path, []);
    ts = await startTsOcpp({ csms_url: a.url, station_id: 'CS001', device_model_db: db.path, csms_ca_file: certs.caFile }, { log: createLogger({ format: 'json', level: 'trace', stream: sink }) });
    await a.waitFor('StatusNotification', 2);
    const priority = async (c: TestCsms, value: string) => (await c.call<{ setVariableResult: R[] }>('SetVariables', {
      setVariableData: [{ ...cv('OCPPCommCtrlr', 'NetworkConfigurationPriority'), attributeValue: value }] })).setVariableResult[0]!.attributeStatus;
    assert.is(await priority(a, '3,1'), 'Rejected', 'slot 3 holds no profile');
    assert.equal(await a.call('SetNetworkProfile', { configurationSlot: 2, connectionData: profile(b.url, 2) }), { status: 'Accepted' });
    // A05.FR.04: a higher profile first is taken (RebootRequired: used from the next Reset on).
    assert.ok(['Accepted', 'RebootRequired'].includes(await priority(a, '2,1') as string), 'a higher profile first');
    assert.is(internal('SecurityCtrlr', 'SecurityProfile'), '1', 'not recorded before the connection with it');
    assert.equal(await a.call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
    await b.waitFor('BootNotification', 1, 15_000);
    await until(() => internal('SecurityCtrlr', 'SecurityProfile') === '2', 5000, 'SecurityProfile 2 once connected with slot 2');
    assert.is(internal('OCPPCommCtrlr', 'ActiveNetworkProfile'), '2');
    // Downgrade: csms_url (slot 1, profile 1) first again is refused, and the priority stays.
    assert.is(await priority(b, '1,2'), 'Rejected', 'A05: a lower profile first');
    assert.is(internal('OCPPCommCtrlr', 'NetworkConfigurationPriority'), '2,1');
    // A restart of TsOcpp with the same module config (csms_url at profile 1): the upgrade holds.
    await ts.stop();
    b.clear();
    ts = await startTsOcpp({ csms_url: a.url, station_id: 'CS001', device_model_db: db.path, csms_ca_file: certs.caFile }, { log: createLogger({ format: 'json', level: 'trace', stream: sink }) });
    await b.waitFor('BootNotification', 1, 15_000);
    assert.is(internal('SecurityCtrlr', 'SecurityProfile'), '2', 'still 2 after the restart');
    assert.is(internal('OCPPCommCtrlr', 'ActiveNetworkProfile'), '2');
  } finally {
    await ts?.stop();
    ts = undefined;
    await cleanup.run();
  }
});

test.run();
