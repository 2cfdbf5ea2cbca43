// Firmware update (L01 signed, L02 unsigned), log upload (N01) and their TriggerMessage (F06) through the `system`
// requirement, as everest-core's OCPP201 wires them: a stand-in system module on the bus serves update_firmware,
// upload_logs and allow_firmware_installation and publishes firmware_update_status / log_status; TsOcpp is the
// real app against the strict ocpp-rpc CSMS. The SIGKILL case, in every bus dialect, is test/bus/firmware-crash.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { SystemStandIn } from './fixtures/system.js';
import { EvseCmdServer, type EvseCall } from './fixtures/evse-cmds.js';
import { ScriptedEvse } from './fixtures/evse.js';
import { Cleanup } from './helpers/cleanup.js';
import { releaseDefinitions } from './fixtures/release-definitions.js';
import { sleep, until } from './helpers/wait.js';
import { dialectFor } from '../src/everest/dialect.js';

type R = Record<string, unknown>;
const cleanup = new Cleanup();
let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

interface StartOptions {
  system?: boolean;
  /** An evse_manager stand-in on EVSE 1 (its cmds served, no session yet). */
  evse?: boolean;
  /** An evse_security stand-in answering verify_certificate with this, under the definitions of this release. */
  security?: { verify: string; release: '2023.12' | '2026.02' };
  answer?: (c: EvseCall) => unknown;
  react?: (c: EvseCall) => void | Promise<void>;
}

let evse1: { evse: ScriptedEvse; cmds: EvseCmdServer } | undefined;
let security: EvseCmdServer | undefined;

async function start(o: StartOptions = {}): Promise<SystemStandIn | undefined> {
  seedDeviceModel(db.path);
  csms = cleanup.add(await new TestCsms({ password: PASSWORD }).start(), (c) => c.stop());
  const withSystem = o.system ?? true;
  ts = cleanup.add(await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: {
      connections: {
        ...(withSystem ? { system: [{ module_id: 'system1', implementation_id: 'main' }] } : {}),
        ...(o.evse ? { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }] } : {}),
        ...(o.security ? { security: [{ module_id: 'security1', implementation_id: 'main' }] } : {}),
      },
    },
    ...(o.security ? { definitions: releaseDefinitions(o.security.release) } : {}),
  }), (t) => t.stop());
  client = cleanup.add(await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 }), (c) => c.endAsync());
  if (o.security) {
    const verify = o.security.verify;
    security = await EvseCmdServer.serve(client, 'everest/', 'security1', undefined, { impl: 'main', cmds: ['verify_certificate'], answer: () => verify });
  }
  if (o.evse) {
    const evse = new ScriptedEvse(client, 'everest/', 'evse1');
    evse1 = { evse, cmds: await EvseCmdServer.serve(client, 'everest/', 'evse1') };
  }
  const system = withSystem ? await SystemStandIn.serve(client, 'everest/', 'system1', { ...(o.answer ? { answer: o.answer } : {}), ...(o.react ? { react: o.react } : {}) }) : undefined;
  await csms.waitFor('StatusNotification', 2);
  return system;
}

const fsn = (): R[] => csms!.of('FirmwareStatusNotification').map((r) => r.params);
const lsn = (): R[] => csms!.of('LogStatusNotification').map((r) => r.params);
const securityTypes = (): string[] => csms!.of('SecurityEventNotification').map((r) => String(r.params.type));
const firmware = (extra: R = {}): R => ({ location: 'https://fw.example.com/fw-1.2.bin', retrieveDateTime: '2026-01-01T00:00:00.000Z', ...extra });

test.before.each(() => {
  db = cleanup.add(tempDb(), (d) => d.cleanup());
  evse1 = undefined;
  security = undefined;
});
test.after.each(() => cleanup.run());

test('L02 unsigned UpdateFirmware: system.update_firmware with OCPP201\'s arguments (retries + 1), the system\'s Accepted answered; statuses in order with requestId (L01.FR.20), allow_firmware_installation after Downloaded, FirmwareUpdated on Installed (L01.FR.31)', async () => {
  const system = (await start())!;
  const res = await csms!.call('UpdateFirmware', { requestId: 7, retries: 2, retryInterval: 30, firmware: firmware({ installDateTime: '2026-01-02T00:00:00.000Z' }) });
  assert.equal(res, { status: 'Accepted' });
  assert.equal(system.of('update_firmware')[0]!.args, {
    firmware_update_request: {
      request_id: 7, location: 'https://fw.example.com/fw-1.2.bin', retrieve_timestamp: '2026-01-01T00:00:00.000Z', retries: 3,
      retry_interval_s: 30, install_timestamp: '2026-01-02T00:00:00.000Z',
    },
  });
  const steps = ['DownloadScheduled', 'Downloading', 'Downloaded', 'Installing', 'Installed'];
  for (const s of steps) await system.firmware(7, s);
  await csms!.waitFor('FirmwareStatusNotification', steps.length);
  assert.equal(fsn(), steps.map((status) => ({ status, requestId: 7 })));
  await until(() => system.of('allow_firmware_installation').length === 1, 5000, 'allow_firmware_installation');
  await csms!.until(() => securityTypes().includes('FirmwareUpdated'), 5000, 'FirmwareUpdated');
});

/** The last StatusNotification of connector 1 of an EVSE. */
const lastStatus = (evseId: number): unknown => csms!.of('StatusNotification').map((r) => r.params).filter((p) => p.evseId === evseId).at(-1)?.connectorStatus;

test('L01.FR.06/07 the firmware is ready to install during a transaction: InstallScheduled, the idle EVSE Unavailable at once, the busy one once its transaction ended, then allow_firmware_installation; restored at an end state (InstallationFailed), nothing stored', async () => {
  let atAllow: unknown[] | undefined;
  const system = (await start({
    evse: true,
    react: (c) => {
      if (c.cmd === 'allow_firmware_installation') atAllow = [1, 2].map((e) => ts!.app.service.connectorStatus(e, 1));
    },
  }))!;
  const { evse, cmds } = evse1!;
  await evse.plugIn();
  await evse.authorize();
  await csms!.waitFor('TransactionEvent', 1);
  assert.equal(await csms!.call('UpdateFirmware', { requestId: 41, firmware: firmware() }), { status: 'Accepted' });
  for (const s of ['Downloading', 'Downloaded']) await system.firmware(41, s);
  await csms!.waitFor('FirmwareStatusNotification', 3);
  assert.equal(fsn().map((p) => p.status), ['Downloading', 'Downloaded', 'InstallScheduled']);
  await csms!.until(() => lastStatus(2) === 'Unavailable', 5000, 'EVSE 2 Unavailable');
  assert.is(lastStatus(1), 'Occupied', 'the transaction goes on');
  assert.equal(system.of('allow_firmware_installation'), []);
  await evse.stop();
  await evse.unplug();
  await until(() => system.of('allow_firmware_installation').length === 1, 5000, 'allow_firmware_installation');
  assert.equal(atAllow, ['Unavailable', 'Unavailable'], 'every connector Unavailable before the installation is allowed');
  await csms!.until(() => lastStatus(1) === 'Unavailable', 5000, 'EVSE 1 Unavailable');
  assert.equal(cmds.of('enable_disable').map((c) => (c.args.cmd_source as R).enable_state), ['Disable']);
  assert.equal(ts!.app.service.availability().evses.map((e) => e.operational_status), ['Operative', 'Operative'], 'nothing stored');
  for (const s of ['Installing', 'InstallationFailed']) await system.firmware(41, s);
  await csms!.until(() => lastStatus(1) === 'Available' && lastStatus(2) === 'Available', 5000, 'both Available again');
  assert.equal(cmds.of('enable_disable').map((c) => (c.args.cmd_source as R).enable_state), ['Disable', 'Enable']);
});

test('L01.FR.03 signed UpdateFirmware whose signature the system finds invalid: signingCertificate and signature passed on; InvalidSignature status and the InvalidFirmwareSignature security event', async () => {
  const system = (await start())!;
  const signed = firmware({ signingCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', signature: 'c2lnbmF0dXJl' });
  assert.equal(await csms!.call('UpdateFirmware', { requestId: 8, firmware: signed }), { status: 'Accepted' });
  const args = system.of('update_firmware')[0]!.args.firmware_update_request as R;
  assert.is(args.signing_certificate, signed.signingCertificate);
  assert.is(args.signature, 'c2lnbmF0dXJl');
  assert.not.ok('retries' in args, 'no retries given, none passed on');
  await system.firmware(8, 'Downloaded');
  await system.firmware(8, 'InvalidSignature');
  await csms!.waitFor('FirmwareStatusNotification', 2);
  assert.equal(fsn(), [{ status: 'Downloaded', requestId: 8 }, { status: 'InvalidSignature', requestId: 8 }]);
  await csms!.until(() => securityTypes().includes('InvalidFirmwareSignature'), 5000, 'InvalidFirmwareSignature');
  assert.equal(system.of('allow_firmware_installation'), [], 'a signed update is not installed before SignatureVerified');
});

test('L01.FR.02 the system answers InvalidCertificate: InvalidCertificate answered and InvalidFirmwareSigningCertificate raised; 2023.12\'s AcceptedCancelled is AcceptedCanceled', async () => {
  let answer = 'InvalidCertificate';
  await start({ answer: (c) => (c.cmd === 'update_firmware' ? answer : null) });
  const signed = firmware({ signingCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', signature: 'c2ln' });
  assert.equal(await csms!.call('UpdateFirmware', { requestId: 9, firmware: signed }), { status: 'InvalidCertificate' });
  await csms!.until(() => securityTypes().includes('InvalidFirmwareSigningCertificate'), 5000, 'InvalidFirmwareSigningCertificate');
  answer = 'AcceptedCancelled';
  assert.equal(await csms!.call('UpdateFirmware', { requestId: 10, firmware: firmware() }), { status: 'AcceptedCanceled' });
});

const SIGNED = { signingCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', signature: 'c2ln' };

test('L01.FR.02/22 with a security connection: evse_security verify_certificate (MF, 2026.02\'s certificate_types) first; Expired: InvalidCertificate answered, InvalidFirmwareSigningCertificate raised, system.update_firmware never called', async () => {
  const system = (await start({ security: { verify: 'Expired', release: '2026.02' } }))!;
  assert.equal(await csms!.call('UpdateFirmware', { requestId: 51, firmware: firmware(SIGNED) }), { status: 'InvalidCertificate' });
  assert.equal(security!.of('verify_certificate').map((c) => c.args), [{ certificate_chain: SIGNED.signingCertificate, certificate_types: ['MF'] }]);
  await csms!.until(() => securityTypes().includes('InvalidFirmwareSigningCertificate'), 5000, 'InvalidFirmwareSigningCertificate');
  await sleep(200);
  assert.equal(system.of('update_firmware'), []);
  // An unsigned update has no certificate to check.
  assert.equal(await csms!.call('UpdateFirmware', { requestId: 52, firmware: firmware() }), { status: 'Accepted' });
  assert.is(security!.of('verify_certificate').length, 1);
});

test('L01.FR.22 with a 2023.12 evse_security: verify_certificate with its single certificate_type; its Accepted is valid, and the update goes to system.update_firmware', async () => {
  const system = (await start({ security: { verify: 'Accepted', release: '2023.12' } }))!;
  assert.equal(await csms!.call('UpdateFirmware', { requestId: 53, firmware: firmware(SIGNED) }), { status: 'Accepted' });
  assert.equal(security!.of('verify_certificate').map((c) => c.args), [{ certificate_chain: SIGNED.signingCertificate, certificate_type: 'MF' }]);
  assert.is((system.of('update_firmware')[0]!.args.firmware_update_request as R).signing_certificate, SIGNED.signingCertificate);
  assert.not.ok(securityTypes().includes('InvalidFirmwareSigningCertificate'));
});

test('L01 answer first: a status the system publishes before it answers update_firmware reaches the CSMS after the UpdateFirmware CALLRESULT', async () => {
  const box: { sys?: SystemStandIn } = {};
  box.sys = (await start({ react: async (c) => {
    if (c.cmd === 'update_firmware') {
      await box.sys!.firmware(11, 'DownloadScheduled');
      await new Promise((r) => setTimeout(r, 200));
    }
  } }))!;
  assert.equal(await csms!.call('UpdateFirmware', { requestId: 11, firmware: firmware() }), { status: 'Accepted' });
  await csms!.waitFor('FirmwareStatusNotification', 1);
  const frames = csms!.frames.filter((f) => f.action === 'FirmwareStatusNotification' || f.type === 'CALLRESULT');
  const resultAt = csms!.frames.findIndex((f) => f.type === 'CALLRESULT');
  const fsnAt = csms!.frames.findIndex((f) => f.action === 'FirmwareStatusNotification');
  assert.ok(frames.length >= 2 && resultAt < fsnAt, 'the CALLRESULT first');
});

test('N01 GetLog: system.upload_logs with OCPP201\'s arguments, Accepted with the file name; Uploading and Uploaded as LogStatusNotifications in order with requestId', async () => {
  const system = (await start({ answer: (c) => (c.cmd === 'upload_logs' ? { upload_logs_status: 'Accepted', file_name: 'diag-1.tar.gz' } : null) }))!;
  const res = await csms!.call('GetLog', {
    logType: 'DiagnosticsLog', requestId: 21, retries: 1, retryInterval: 5,
    log: { remoteLocation: 'ftp://logs.example.com/up', oldestTimestamp: '2026-01-01T00:00:00.000Z', latestTimestamp: '2026-01-02T00:00:00.000Z' },
  });
  assert.equal(res, { status: 'Accepted', filename: 'diag-1.tar.gz' });
  assert.equal(system.of('upload_logs')[0]!.args, {
    upload_logs_request: {
      location: 'ftp://logs.example.com/up', type: 'DiagnosticsLog', request_id: 21, retries: 2, retry_interval_s: 5,
      oldest_timestamp: '2026-01-01T00:00:00.000Z', latest_timestamp: '2026-01-02T00:00:00.000Z',
    },
  });
  for (const s of ['Uploading', 'Uploaded']) await system.log(21, s);
  await csms!.waitFor('LogStatusNotification', 2);
  assert.equal(lsn(), [{ status: 'Uploading', requestId: 21 }, { status: 'Uploaded', requestId: 21 }]);
});

test('F06 TriggerMessage FirmwareStatusNotification / LogStatusNotification: Idle without requestId when nothing goes on, the status with its requestId during an update or upload (L01.FR.25/26), Idle again after Installed', async () => {
  const system = (await start())!;
  const trigger = async (requestedMessage: string, action: string, n: number): Promise<R> => {
    assert.equal(await csms!.call('TriggerMessage', { requestedMessage }), { status: 'Accepted' });
    return (await csms!.waitFor(action, n)).at(-1)!.params;
  };
  assert.equal(await trigger('FirmwareStatusNotification', 'FirmwareStatusNotification', 1), { status: 'Idle' });
  assert.equal(await trigger('LogStatusNotification', 'LogStatusNotification', 1), { status: 'Idle' });
  await csms!.call('UpdateFirmware', { requestId: 31, firmware: firmware() });
  await system.firmware(31, 'Downloading');
  await csms!.waitFor('FirmwareStatusNotification', 2);
  assert.equal(await trigger('FirmwareStatusNotification', 'FirmwareStatusNotification', 3), { status: 'Downloading', requestId: 31 });
  await system.firmware(31, 'Installed');
  await csms!.waitFor('FirmwareStatusNotification', 4);
  assert.equal(await trigger('FirmwareStatusNotification', 'FirmwareStatusNotification', 5), { status: 'Idle' });
  await csms!.call('GetLog', { logType: 'SecurityLog', requestId: 32, log: { remoteLocation: 'ftp://logs.example.com/up' } });
  await system.log(32, 'Uploading');
  await csms!.waitFor('LogStatusNotification', 2);
  assert.equal(await trigger('LogStatusNotification', 'LogStatusNotification', 3), { status: 'Uploading', requestId: 32 });
});

test('L01/N01 without a system connection: UpdateFirmware and GetLog Rejected (NoSystemModule); TriggerMessage still answers Idle', async () => {
  await start({ system: false });
  const fw = await csms!.call<R>('UpdateFirmware', { requestId: 1, firmware: firmware() });
  assert.is(fw.status, 'Rejected');
  assert.is((fw.statusInfo as R).reasonCode, 'NoSystemModule');
  const log = await csms!.call<R>('GetLog', { logType: 'DiagnosticsLog', requestId: 2, log: { remoteLocation: 'ftp://x.example.com/' } });
  assert.is(log.status, 'Rejected');
  assert.is((log.statusInfo as R).reasonCode, 'NoSystemModule');
  assert.equal(await csms!.call('TriggerMessage', { requestedMessage: 'FirmwareStatusNotification' }), { status: 'Accepted' });
  assert.equal((await csms!.waitFor('FirmwareStatusNotification', 1))[0]!.params, { status: 'Idle' });
});

test('B01 after a firmware update: the first BootNotification gives the system module\'s get_boot_reason (FirmwareUpdate), asked at global ready as OCPP201 does', async () => {
  seedDeviceModel(db.path);
  csms = cleanup.add(await new TestCsms({ password: PASSWORD }).start(), (c) => c.stop());
  ts = cleanup.add(await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections: { system: [{ module_id: 'system1', implementation_id: 'main' }] } },
    // Global ready waits for the stand-in, as a manager waits for every module of its config.
    modules: { system1: { module: 'SystemStandIn' } },
  }), (t) => t.stop());
  client = cleanup.add(await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 }), (c) => c.endAsync());
  const system = await SystemStandIn.serve(client, 'everest/', 'system1', { answer: (c) => (c.cmd === 'get_boot_reason' ? 'FirmwareUpdate' : null) });
  assert.equal(csms.of('BootNotification'), [], 'no BootNotification before the boot reason is known');
  await client.publishAsync('everest/modules/system1/ready', dialectFor('v25').readyPayload(), { qos: 2 });
  await csms.waitFor('BootNotification', 1);
  assert.is(csms.of('BootNotification')[0]!.params.reason, 'FirmwareUpdate');
  assert.equal(system.of('get_boot_reason').length, 1);
});

test('B01 a system module that does not answer get_boot_reason: the BootNotification says PowerUp, after the call\'s short bound', async () => {
  seedDeviceModel(db.path);
  csms = cleanup.add(await new TestCsms({ password: PASSWORD }).start(), (c) => c.stop());
  // No stand-in serves the system's cmds: the call goes unanswered.
  ts = cleanup.add(await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections: { system: [{ module_id: 'system1', implementation_id: 'main' }] } },
  }), (t) => t.stop());
  await csms.waitFor('BootNotification', 1);
  assert.is(csms.of('BootNotification')[0]!.params.reason, 'PowerUp');
});

test.run();
