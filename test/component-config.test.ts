// A station moving from everest-core's OCPP201 keeps its device model (issue 17 item 1): libocpp's component
// config folder read, imported into the device model at open, and the CSMS link configured from it (B01 boot
// with the identity and URL of the imported NetworkConnectionProfiles) against the strict ocpp-rpc CSMS.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readComponentConfig, resolveComponentConfigDir } from '../src/device-model/component-config.js';
import { OcppService } from '../src/ocpp/service.js';
import { TsOcppError } from '../src/errors.js';
import { TestCsms } from './fixtures/csms/csms.js';
import { startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { captureLogger, cv, tempDb, type TempDb } from './fixtures/ocpp/helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/component_config/', import.meta.url));
const SECRET = 'moved-station-secret-42';

let tmp: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;

test.before.each(() => {
  tmp = tempDb();
});
test.after.each(async () => {
  await ts?.stop();
  ts = undefined;
  await csms?.stop();
  csms = undefined;
  tmp.cleanup();
});

/** A copy of the fixture folder that a test may change. */
function folder(edit?: (dir: string) => void): string {
  const dir = join(tmp.dir, 'component_config');
  cpSync(FIXTURE, dir, { recursive: true });
  edit?.(dir);
  return dir;
}

function replaceIn(dir: string, file: string, from: string, to: string): void {
  const p = join(dir, file);
  const text = readFileSync(p, 'utf8');
  assert.ok(text.includes(from), `${file} has ${from}`);
  writeFileSync(p, text.replace(from, to));
}

const open = (componentConfigDir?: string, log = captureLogger().log) =>
  OcppService.open({ dbPath: tmp.path, evseCount: 2, connectorsPerEvse: 1, log, ...(componentConfigDir ? { componentConfigDir } : {}) });

function value(svc: OcppService, c: ReturnType<typeof cv>, attribute_type?: 'Actual' | 'Target' | 'MaxSet'): string | undefined {
  const [r] = svc.getVariables([{ component_variable: c, ...(attribute_type ? { attribute_type } : {}) }]);
  return r?.status === 'Accepted' ? r.value : r?.status;
}

test('reader: libocpp format to the device model shape; custom/ replaces standardized/; values as strings; "default" fills Actual', () => {
  const components = readComponentConfig(FIXTURE);
  const clock = components.filter((c) => c.component.name === 'ClockCtrlr');
  assert.is(clock.length, 1);
  assert.is(clock[0]!.source, 'custom/ClockCtrlr.json');
  const fan = components.find((c) => c.component.name === 'VendorFan')!;
  assert.equal(fan.component, { name: 'VendorFan', instance: 'Cabinet', evse_id: undefined, connector_id: undefined });
  const speed = fan.variables.find((v) => v.name === 'Speed')!;
  assert.equal(speed.characteristics, { data_type: 'integer', unit: 'RPM', min_limit: 0, max_limit: 5000, values_list: undefined, supports_monitoring: false });
  assert.equal(speed.attributes.map((a) => [a.type, a.mutability, a.value]), [['Actual', 'ReadOnly', '1200'], ['Target', 'ReadWrite', '1500']]);
  const mode = fan.variables.find((v) => v.name === 'Mode')!;
  assert.equal(mode.attributes.map((a) => [a.type, a.mutability, a.value, a.where]),
    [['Actual', 'ReadWrite', 'Auto', 'custom/VendorFan.json#/properties/VendorFanMode/default']]);
  const evse = components.find((c) => c.component.name === 'EVSE' && c.component.evse_id === 1)!;
  assert.equal(evse.variables.find((v) => v.name === 'Power')!.attributes.map((a) => a.value), [null, '11000']);
});

test('import: a whole folder at open; new variables added, values set, SecurityCtrlr secrets kept internal; lacking controllers, flags and EVSEs left out', () => {
  const cap = captureLogger();
  const svc = open(folder(), cap.log);
  try {
    assert.is(value(svc, cv('SecurityCtrlr', 'Identity')), 'CSMOVED');
    assert.is(value(svc, cv('InternalCtrlr', 'ChargePointVendor')), 'MovedVendor');
    assert.is(value(svc, cv('OCPPCommCtrlr', 'HeartbeatInterval')), '120');
    assert.is(value(svc, cv('OCPPCommCtrlr', 'NetworkConfigurationPriority')), '2,1');
    assert.is(value(svc, cv('ClockCtrlr', 'TimeSource')), 'NTP,Heartbeat');
    // New variables of known components, and a new vendor component with an instance.
    assert.is(value(svc, cv('InternalCtrlr', 'LogRotation')), 'true');
    assert.is(value(svc, cv('EVSE', 'EvseId', { evse: { id: 1 } })), 'DE*MOV*E1');
    assert.is(value(svc, cv('VendorFan', 'Speed', { componentInstance: 'Cabinet' })), '1200');
    assert.is(value(svc, cv('VendorFan', 'Speed', { componentInstance: 'Cabinet' }), 'Target'), '1500');
    assert.is(value(svc, cv('VendorFan', 'Mode', { componentInstance: 'Cabinet' })), 'Auto');
    // An existing variable's attribute value set; TsOcpp's mutability kept.
    assert.is(value(svc, cv('EVSE', 'Power', { evse: { id: 1 } }), 'MaxSet'), '11000');
    // Left out: a controller TsOcpp lacks, an EVSE beyond evse_count 2. (Every capability flag of a controller
    // TsOcpp has is real now, so the file's SampledDataCtrlr Enabled true is taken.)
    assert.is(value(svc, cv('ReservationCtrlr', 'Available')), 'UnknownComponent');
    // Smart charging is real (src/ocpp/smart-charging): its controller is taken.
    assert.is(value(svc, cv('SmartChargingCtrlr', 'Available')), 'true');
    assert.is(value(svc, cv('SampledDataCtrlr', 'Enabled')), 'true');
    assert.is(value(svc, cv('EVSE', 'Available', { evse: { id: 3 } })), 'UnknownComponent');
    // The password is imported but WriteOnly: refused to GetVariables, readable inside; never in a log line.
    assert.is(value(svc, cv('SecurityCtrlr', 'BasicAuthPassword')), 'Rejected');
    assert.is(svc.readInternal(cv('SecurityCtrlr', 'BasicAuthPassword')), SECRET);
    assert.ok(cap.lines.some((l) => l.includes('component config imported')));
    assert.not.ok(cap.lines.some((l) => l.includes(SECRET)), 'the secret is in no log line, at any level');
    const s = svc.componentConfigImport!;
    assert.is(s.componentsAdded, 1);
    assert.ok(s.skipped.some((x) => x.startsWith('ReservationCtrlr')));
    assert.ok(s.skipped.some((x) => x.startsWith('EVSE@3')));
  } finally {
    svc.close();
  }
});

test('import at the next start (libocpp rule): a value set by the CSMS is kept, a changed file changes the values nobody set', () => {
  const dir = folder();
  let svc = open(dir);
  const [r] = svc.setVariables([{ component_variable: cv('OCPPCommCtrlr', 'HeartbeatInterval'), value: '300' }]);
  assert.is(r!.status, 'Accepted');
  svc.close();
  replaceIn(dir, 'standardized/OCPPCommCtrlr.json', '"value": 120', '"value": 150');
  replaceIn(dir, 'standardized/InternalCtrlr.json', 'MovedVendor', 'RenamedVendor');
  svc = open(dir);
  try {
    assert.is(value(svc, cv('OCPPCommCtrlr', 'HeartbeatInterval')), '300');
    assert.is(value(svc, cv('InternalCtrlr', 'ChargePointVendor')), 'RenamedVendor');
    assert.ok(svc.componentConfigImport!.valuesKept.includes('OCPPCommCtrlr.HeartbeatInterval'));
  } finally {
    svc.close();
  }
});

test('a broken file is refused naming the file and the JSON pointer; nothing of the folder is imported', () => {
  open().close(); // the device model exists, seeded by TsOcpp alone
  const broken = folder((d) => replaceIn(d, 'standardized/SecurityCtrlr.json', '"value": 1 }', '"value": 7 }'));
  try {
    open(broken).close();
    assert.unreachable('the folder was imported');
  } catch (err) {
    assert.instance(err, TsOcppError);
    assert.is((err as TsOcppError).code, 'TSOCPP_ERR_DEVICE_MODEL_CONFIG');
    assert.match((err as Error).message, 'standardized/SecurityCtrlr.json#/properties/SecurityProfile/attributes/0/value');
    assert.not.match((err as Error).message, SECRET);
  }
  replaceIn(broken, 'standardized/SecurityCtrlr.json', '"value": 7 }', '"value": 1 }');
  writeFileSync(join(broken, 'custom', 'VendorFan.json'), '{ "name": "VendorFan", "properties": { ');
  assert.throws(() => open(broken), (e: Error) => e.message.startsWith('custom/VendorFan.json#: not JSON'));
  const svc = open();
  try {
    assert.is(value(svc, cv('SecurityCtrlr', 'Identity')), 'cp001');
    assert.is(value(svc, cv('InternalCtrlr', 'ChargePointVendor')), 'TsOcpp');
    assert.is(value(svc, cv('VendorFan', 'Speed', { componentInstance: 'Cabinet' })), 'UnknownComponent');
  } finally {
    svc.close();
  }
});

test('DeviceModelConfigPath resolves as OCPP201 does: the module share folder (TsOcpp, else OCPP201) under the prefix', () => {
  const prefix = join(tmp.dir, 'prefix');
  const loc = { componentConfigDir: '', deviceModelConfigPath: 'component_config', installPrefix: prefix, moduleName: 'TsOcpp' };
  assert.is(resolveComponentConfigDir(loc), undefined);
  const ocpp201 = join(prefix, 'share', 'everest', 'modules', 'OCPP201', 'component_config');
  mkdirSync(ocpp201, { recursive: true });
  assert.is(resolveComponentConfigDir(loc), ocpp201);
  const own = join(prefix, 'share', 'everest', 'modules', 'TsOcpp', 'component_config');
  mkdirSync(own, { recursive: true });
  assert.is(resolveComponentConfigDir(loc), own);
  assert.is(resolveComponentConfigDir({ ...loc, componentConfigDir: FIXTURE }), FIXTURE.replace(/\/$/, ''));
  assert.throws(() => resolveComponentConfigDir({ ...loc, componentConfigDir: join(tmp.dir, 'nope') }), /component_config_dir/);
});

test('B01: without csms_url and station_id the link boots with the URL, identity and password of the imported device model', async () => {
  csms = await new TestCsms({ password: SECRET }).start();
  const dir = folder((d) => replaceIn(d, 'standardized/InternalCtrlr.json', 'CSMS_URL', csms!.url));
  ts = await startTsOcpp({ component_config_dir: dir, device_model_db: tmp.path });
  const [boot] = await csms.waitFor('BootNotification');
  assert.is(boot!.identity, 'CSMOVED');
  assert.is(csms.rejections.length, 0);
  assert.ok(ts.app.service.isConnected());
});

test('B01: an imported device model with no usable network profile stops the start naming csms_url', async () => {
  const dir = folder((d) => replaceIn(d, 'standardized/OCPPCommCtrlr.json', '"value": "2,1"', '"value": "1"'));
  // Slot 1 is security profile 2, below which nothing is wrong; SecurityCtrlr SecurityProfile 3 rules it out.
  replaceIn(dir, 'standardized/SecurityCtrlr.json', '"value": 1 }', '"value": 3 }');
  try {
    ts = await startTsOcpp({ component_config_dir: dir, device_model_db: tmp.path });
    assert.unreachable('started');
  } catch (err) {
    assert.is((err as TsOcppError).code, 'TSOCPP_ERR_CONFIG');
    assert.match((err as Error).message, "config key 'csms_url'");
    assert.match((err as Error).message, 'slot 1: security profile 2 is below SecurityCtrlr SecurityProfile 3');
  }
});

test.run();
