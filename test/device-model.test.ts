// Device model storage: schema and migrations, durability pragmas, seeding from config/device_model,
// value validation per data type, non-persistent attributes, the report (allVariables).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, SCHEMA_VERSION } from '../src/device-model/db.js';
import { DEFAULT_DEVICE_MODEL_DIR, loadComponentDefinitions, parseComponentFile } from '../src/device-model/config.js';
import { DeviceModelError } from '../src/device-model/errors.js';
import { MAX_VALUE_LENGTH, validateValue, isRfc3339 } from '../src/device-model/validate.js';
import type { Characteristics } from '../src/device-model/types.js';
import { OcppService } from '../src/ocpp/service.js';
import { cv, tempDb, TEST_DEVICE_MODEL_DIR, type TempDb } from './fixtures/ocpp/helpers.js';

let db: TempDb;
test.before.each(() => {
  db = tempDb();
});
test.after.each(() => {
  db.cleanup();
});

test('a new file gets every migration, WAL and synchronous=FULL', () => {
  const { db: sqlite, created } = openDatabase(db.path);
  try {
    assert.is(created, true);
    assert.is(sqlite.pragma('journal_mode', { simple: true }), 'wal');
    assert.is(sqlite.pragma('synchronous', { simple: true }), 2); // 2 = FULL
    const versions = sqlite.prepare('SELECT version FROM schema_version ORDER BY version').all() as Array<{ version: number }>;
    assert.equal(versions.map((v) => v.version), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>)
      .map((t) => t.name);
    for (const t of ['components', 'variables', 'attributes', 'characteristics', 'monitors', 'availability', 'security_log', 'outbox', 'counters']) {
      assert.ok(tables.includes(t), `table ${t}`);
    }
  } finally {
    sqlite.close();
  }
  const again = openDatabase(db.path);
  assert.is(again.created, false, 'reopening does not migrate again');
  again.db.close();
});

test('a database newer than the program is refused', () => {
  openDatabase(db.path).db.close();
  const raw = new Database(db.path);
  raw.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', 'x');
  raw.close();
  try {
    openDatabase(db.path);
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, DeviceModelError);
    assert.is((err as DeviceModelError).code, 'TSOCPP_ERR_DB_MIGRATION');
  }
});

test('seeding: standard components, EVSE and Connector replicated per EVSE and connector', () => {
  const s = OcppService.open({ dbPath: db.path, evseCount: 2, connectorsPerEvse: 2 });
  try {
    const names = new Set(s.allVariables().map((e) => JSON.stringify(e.component)));
    for (const c of ['ChargingStation', 'OCPPCommCtrlr', 'SecurityCtrlr', 'AuthCtrlr', 'DeviceDataCtrlr', 'SampledDataCtrlr', 'TxCtrlr', 'ClockCtrlr', 'InternalCtrlr']) {
      assert.ok(names.has(JSON.stringify({ name: c })), c);
    }
    for (const e of [1, 2]) {
      assert.ok(names.has(JSON.stringify({ name: 'EVSE', evse: { id: e } })), `EVSE ${e}`);
      for (const c of [1, 2]) assert.ok(names.has(JSON.stringify({ name: 'Connector', evse: { id: e, connector_id: c } })));
    }
    assert.not.ok(names.has(JSON.stringify({ name: 'EVSE', evse: { id: 3 } })));
    const [n] = s.getVariables([{ component_variable: cv('InternalCtrlr', 'NumberOfConnectors') }]);
    assert.is(n?.value, '4', 'NumberOfConnectors follows the options');
    for (const [c, v] of [['OCPPCommCtrlr', 'HeartbeatInterval'], ['OCPPCommCtrlr', 'RetryBackOffRepeatTimes'],
      ['OCPPCommCtrlr', 'RetryBackOffRandomRange'], ['OCPPCommCtrlr', 'RetryBackOffWaitMinimum'],
      ['OCPPCommCtrlr', 'NetworkConfigurationPriority'], ['OCPPCommCtrlr', 'OfflineThreshold'],
      ['SecurityCtrlr', 'SecurityProfile'], ['SecurityCtrlr', 'Identity'], ['SecurityCtrlr', 'OrganizationName'],
      ['InternalCtrlr', 'ChargePointModel'], ['InternalCtrlr', 'ChargePointVendor'], ['ChargingStation', 'AvailabilityState']] as const) {
      const [r] = s.getVariables([{ component_variable: cv(c, v) }]);
      assert.is(r?.status, 'Accepted', `${c}.${v}`);
    }
  } finally {
    s.close();
  }
});

test('seeding only adds what is missing: a larger topology keeps stored values', () => {
  const first = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1 });
  first.setVariables([{ component_variable: cv('OCPPCommCtrlr', 'HeartbeatInterval'), value: '77' }]);
  first.close();
  const second = OcppService.open({ dbPath: db.path, evseCount: 3, connectorsPerEvse: 1 });
  try {
    const [hb, evse3, conn] = second.getVariables([
      { component_variable: cv('OCPPCommCtrlr', 'HeartbeatInterval') },
      { component_variable: cv('EVSE', 'AvailabilityState', { evse: { id: 3 } }) },
      { component_variable: cv('InternalCtrlr', 'NumberOfConnectors') },
    ]);
    assert.is(hb?.value, '77');
    assert.is(evse3?.status, 'Accepted');
    assert.is(conn?.value, '3');
  } finally {
    second.close();
  }
});

test('config files: unknown keys, bad types and defaults that fail their characteristics are refused', () => {
  const bad = [
    { name: 'X', variables: [], extra: 1 },
    { name: 'X', variables: [{ name: 'A', characteristics: { dataType: 'integer' }, attributes: { Actual: { value: 5 } } }] },
    { name: 'X', variables: [{ name: 'A', characteristics: { dataType: 'integer' }, attributes: { Actual: { value: 'five' } } }] },
    { name: 'X', variables: [{ name: 'A', characteristics: { dataType: 'float' }, attributes: { Actual: {} } }] },
    { name: 'X', variables: [{ name: 'A', characteristics: { dataType: 'string' }, attributes: { Current: {} } }] },
    { name: 'X', scope: 'planet', variables: [] },
    { name: 'X', variables: [
      { name: 'A', characteristics: { dataType: 'string' }, attributes: { Actual: {} } },
      { name: 'A', characteristics: { dataType: 'string' }, attributes: { Actual: {} } },
    ] },
  ];
  for (const b of bad) {
    try {
      parseComponentFile(JSON.stringify(b), 'bad.json');
      assert.unreachable(JSON.stringify(b));
    } catch (err) {
      assert.instance(err, DeviceModelError);
      assert.is((err as DeviceModelError).code, 'TSOCPP_ERR_DEVICE_MODEL_CONFIG');
      assert.match((err as Error).message, /^bad\.json: /);
    }
  }
  // A secret default that fails validation is reported without echoing the value.
  try {
    parseComponentFile(JSON.stringify({ name: 'X', variables: [
      { name: 'P', characteristics: { dataType: 'string', minLimit: 16 }, attributes: { Actual: { mutability: 'WriteOnly', value: 'hunter2' } } },
    ] }), 'secret.json');
    assert.unreachable();
  } catch (err) {
    assert.not.match((err as Error).message, /hunter2/);
  }
});

test('every shipped config file parses and every default value passes its characteristics', () => {
  const files = readdirSync(DEFAULT_DEVICE_MODEL_DIR).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 11);
  for (const f of files) parseComponentFile(readFileSync(join(DEFAULT_DEVICE_MODEL_DIR, f), 'utf8'), f);
  const defs = loadComponentDefinitions(DEFAULT_DEVICE_MODEL_DIR, { evseCount: 2, connectorsPerEvse: 3 });
  assert.is(defs.filter((d) => d.component.name === 'Connector').length, 6);
  // WriteOnly secrets ship without a default.
  const security = defs.find((d) => d.component.name === 'SecurityCtrlr');
  const pw = security?.variables.find((v) => v.name === 'BasicAuthPassword');
  assert.is(pw?.attributes[0]?.mutability, 'WriteOnly');
  assert.is(pw?.attributes[0]?.value, null);
  // Some variables need a reboot, so RebootRequired is reachable.
  assert.ok(defs.some((d) => d.variables.some((v) => v.reboot_required)));
});

test('a config directory of our own can add components', () => {
  const dir = join(db.dir, 'dm');
  mkdirSync(dir);
  writeFileSync(join(dir, 'Extra.json'), JSON.stringify({ name: 'Extra', scope: 'connector', variables: [
    { name: 'V', characteristics: { dataType: 'integer' }, attributes: { Actual: { mutability: 'ReadWrite', value: '1' } } },
  ] }));
  const s = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 2, deviceModelDir: dir });
  try {
    const [a, b, c] = s.getVariables([
      { component_variable: cv('Extra', 'V', { evse: { id: 1, connector_id: 2 } }) },
      { component_variable: cv('Extra', 'V', { evse: { id: 1 } }) },
      { component_variable: cv('Extra', 'V') },
    ]);
    assert.is(a?.status, 'Accepted');
    assert.is(b?.status, 'UnknownComponent');
    assert.is(c?.status, 'UnknownComponent');
  } finally {
    s.close();
  }
});

const ch = (c: Partial<Characteristics> & Pick<Characteristics, 'data_type'>): Characteristics => ({ supports_monitoring: true, ...c });

test('validate: integer, decimal, boolean, limits', () => {
  const int = ch({ data_type: 'integer', min_limit: -10, max_limit: 10 });
  for (const ok of ['0', '-10', '10', '+5', '007']) assert.is(validateValue(int, ok), undefined, ok);
  for (const bad of ['', '1.0', 'abc', '1e3', ' 1', '11', '-11', '+', '2147483648']) assert.ok(validateValue(int, bad), bad);
  const dec = ch({ data_type: 'decimal', min_limit: 0, max_limit: 1.5 });
  for (const ok of ['0', '1.5', '0.25', '.5', '1.', '+1']) assert.is(validateValue(dec, ok), undefined, ok);
  for (const bad of ['', '.', '1.6', '-0.1', '1,5', 'NaN', 'Infinity', '1e0']) assert.ok(validateValue(dec, bad), bad);
  const bool = ch({ data_type: 'boolean' });
  assert.is(validateValue(bool, 'true'), undefined);
  assert.is(validateValue(bool, 'false'), undefined);
  for (const bad of ['True', '1', '0', 'yes', '']) assert.ok(validateValue(bool, bad), bad);
  const str = ch({ data_type: 'string', min_limit: 2, max_limit: 5 });
  assert.is(validateValue(str, 'ab'), undefined);
  assert.is(validateValue(str, 'a'), 'below_min');
  assert.is(validateValue(str, 'abcdef'), 'above_max');
});

test('validate: dateTime is RFC 3339', () => {
  for (const ok of ['2024-02-29T23:59:59Z', '2024-01-01T00:00:00.123+01:00', '2024-01-01t00:00:00z', '1999-12-31T23:59:60-05:30']) {
    assert.ok(isRfc3339(ok), ok);
  }
  for (const bad of ['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00',
    '2024-01-01T24:00:00Z', '2024-01-01T00:00:00+0100', '2024-1-1T00:00:00Z', 'yesterday']) {
    assert.not.ok(isRfc3339(bad), bad);
  }
});

test('validate: OptionList, SequenceList, MemberList', () => {
  const opt = ch({ data_type: 'OptionList', values_list: 'a,b,c' });
  assert.is(validateValue(opt, 'b'), undefined);
  assert.ok(validateValue(opt, 'a,b'));
  assert.ok(validateValue(opt, 'd'));
  for (const t of ['SequenceList', 'MemberList'] as const) {
    const list = ch({ data_type: t, values_list: '1,2,3' });
    assert.is(validateValue(list, '3,1'), undefined);
    assert.is(validateValue(list, ''), undefined, 'the empty subset');
    assert.ok(validateValue(list, '1,4'));
    assert.ok(validateValue(list, '1,1'), 'no duplicates');
    assert.ok(validateValue(list, '1, 2'), 'members are not trimmed');
  }
});

test('validate (property): any int32 within limits passes, anything longer than 1000 fails', () => {
  fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), (n) =>
    validateValue(ch({ data_type: 'integer', min_limit: -1000, max_limit: 1000 }), String(n)) === undefined));
  fc.assert(fc.property(fc.string({ minLength: MAX_VALUE_LENGTH + 1, maxLength: MAX_VALUE_LENGTH + 50 }), (s) =>
    validateValue(ch({ data_type: 'string' }), s) === 'too_long'));
  fc.assert(fc.property(fc.string(), (s) => {
    const r = validateValue(ch({ data_type: 'boolean' }), s);
    return (s === 'true' || s === 'false') === (r === undefined);
  }));
});

test('non-persistent attributes go back to their default on reopen; persistent ones stay', () => {
  const s = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1, deviceModelDir: TEST_DEVICE_MODEL_DIR });
  s.setVariables([
    { component_variable: cv('TestCtrlr', 'Volatile'), value: '5' },
    { component_variable: cv('TestCtrlr', 'Int'), value: '5' },
  ]);
  s.close();
  const again = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1, deviceModelDir: TEST_DEVICE_MODEL_DIR });
  try {
    const [v, i] = again.getVariables([
      { component_variable: cv('TestCtrlr', 'Volatile') },
      { component_variable: cv('TestCtrlr', 'Int') },
    ]);
    assert.is(v?.value, '1');
    assert.is(i?.value, '5');
  } finally {
    again.close();
  }
});

test('allVariables: attributes and characteristics of every variable, WriteOnly without value', () => {
  const s = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1, deviceModelDir: TEST_DEVICE_MODEL_DIR });
  try {
    s.setVariables([{ component_variable: cv('TestCtrlr', 'Secret'), value: 'swordfish-123' }]);
    const all = s.allVariables();
    assert.not.match(JSON.stringify(all), /swordfish/);
    const secret = all.find((e) => e.variable.name === 'Secret');
    assert.equal(secret?.variable_attribute, [{ type: 'Actual', mutability: 'WriteOnly', persistent: true, constant: false }]);
    const limits = all.find((e) => e.variable.name === 'Limits');
    assert.equal(limits?.variable_attribute.map((a) => a.type), ['Actual', 'Target', 'MinSet', 'MaxSet']);
    assert.equal(limits?.variable_characteristics, { data_type: 'integer', min_limit: 0, max_limit: 100, supports_monitoring: true });
    const inst = all.filter((e) => e.variable.name === 'Inst').map((e) => e.variable.instance);
    assert.equal(inst, ['One', 'Two']);
    assert.ok(all.some((e) => e.component.name === 'TestEvse' && e.component.evse?.id === 1));
  } finally {
    s.close();
  }
});

test('device_model_sync: full fsyncs every commit, normal only at checkpoints; any other mode is refused', () => {
  const t = tempDb();
  try {
    for (const [mode, level] of [['full', 2], ['normal', 1]] as const) {
      const { db } = openDatabase(t.path, mode);
      try {
        assert.is(db.pragma('synchronous', { simple: true }), level, mode);
        assert.is(db.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        db.close();
      }
    }
    assert.throws(() => openDatabase(t.path, 'fast' as 'full'), /device_model_sync must be one of full, normal/);
  } finally {
    t.cleanup();
  }
});

test.run();
