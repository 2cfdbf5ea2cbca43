// An honest device model (issue 16 item 8): no controller claims Available/Enabled true for behaviour
// TsOcpp does not have. The seed, a database made by the old seed (migration 2) and the FullInventory a
// strict CSMS reads are held to src/device-model/capabilities.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ABSENT_CONTROLLERS, FEATURES, lackingFlags } from '../src/device-model/capabilities.js';
import { DEFAULT_DEVICE_MODEL_DIR, loadComponentDefinitions } from '../src/device-model/config.js';
import { SCHEMA_VERSION } from '../src/device-model/db.js';
import { OcppService } from '../src/ocpp/service.js';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel } from './fixtures/csms/app.js';
import { startLink } from './fixtures/csms/link.js';
import { cv, tempDb, type TempDb } from './fixtures/ocpp/helpers.js';

type R = Record<string, unknown>;
// Made by TsOcpp at schema version 1 with the seed of then (AuthCtrlr.Enabled, SampledDataCtrlr.Available
// and Enabled true), 2 EVSEs of 1 connector, then SetVariables as a CSMS would: OCPPCommCtrlr
// HeartbeatInterval 77, AuthCtrlr AuthorizeRemoteStart false, SampledDataCtrlr TxUpdatedInterval 15 and
// Enabled false.
const OLD_SEED_DB = fileURLToPath(new URL('./fixtures/device-model/seed-v1.sqlite', import.meta.url));

let db: TempDb;
test.before.each(() => {
  db = tempDb();
});
test.after.each(() => {
  db.cleanup();
});

const key = (component: string, variable: string) => `${component}.${variable}`;
const realFlags = new Set(FEATURES.filter((f) => f.real).flatMap((f) => f.flags.map((x) => key(x.component, x.variable))));
const lacking = new Set(lackingFlags().map((x) => key(x.component, x.variable)));

interface FlagRow { value: string | null; default_value: string | null; mutability: string }

function flagRow(path: string, component: string, variable: string): FlagRow | undefined {
  const raw = new Database(path, { readonly: true });
  try {
    return raw.prepare<[string, string], FlagRow>(`
      SELECT a.value, a.default_value, a.mutability FROM attributes a
      JOIN variables v ON v.id = a.variable_id JOIN components c ON c.id = v.component_id
      WHERE c.name = ? AND v.name = ? AND a.type = 'Actual' AND c.evse_id IS NULL AND v.instance IS NULL`).get(component, variable);
  } finally {
    raw.close();
  }
}

test('the seed: every capability flag of a controller is in capabilities.ts and says what it says; absent controllers are absent', () => {
  const defs = loadComponentDefinitions(DEFAULT_DEVICE_MODEL_DIR, { evseCount: 1, connectorsPerEvse: 1 });
  const names = new Set(defs.map((d) => d.component.name));
  for (const absent of ABSENT_CONTROLLERS) assert.not.ok(names.has(absent), `${absent} is in the seed`);
  const listed = new Set([...realFlags, ...lacking]);
  for (const d of defs) {
    if (!d.component.name.endsWith('Ctrlr')) continue;
    for (const v of d.variables) {
      if (v.name !== 'Available' && v.name !== 'Enabled') continue;
      const k = key(d.component.name, v.name);
      assert.ok(listed.has(k), `${k} is a capability flag missing from capabilities.ts`);
      const actual = v.attributes.find((a) => a.type === 'Actual');
      assert.is(actual?.value, lacking.has(k) ? 'false' : 'true', k);
      // A CSMS cannot switch on what is not there.
      if (lacking.has(k)) assert.is(actual?.mutability, 'ReadOnly', k);
    }
  }
  for (const k of listed) {
    const [c, v] = k.split('.');
    assert.ok(defs.some((d) => d.component.name === c && d.variables.some((x) => x.name === v)), `${k} is not in the seed`);
  }
});

test('migration 2 on a database of the old seed: the flags corrected in place, what a CSMS set kept, the same as a new database', () => {
  copyFileSync(OLD_SEED_DB, db.path);
  // The file really is of the old seed.
  assert.equal(flagRow(db.path, 'AuthCtrlr', 'Enabled'), { value: 'true', default_value: 'true', mutability: 'ReadWrite' });
  assert.equal(flagRow(db.path, 'SampledDataCtrlr', 'Available'), { value: 'true', default_value: 'true', mutability: 'ReadOnly' });
  assert.equal(flagRow(db.path, 'SampledDataCtrlr', 'Enabled'), { value: 'false', default_value: 'true', mutability: 'ReadWrite' });
  assert.is(flagRow(db.path, 'TxCtrlr', 'Enabled'), undefined);

  const service = OcppService.open({ dbPath: db.path, evseCount: 2, connectorsPerEvse: 1 });
  try {
    const get = (c: string, v: string) => service.getVariables([{ component_variable: cv(c, v) }])[0]?.value;
    for (const k of lacking) {
      const [c, v] = k.split('.') as [string, string];
      assert.is(get(c, v), 'false', k);
    }
    assert.is(get('OCPPCommCtrlr', 'HeartbeatInterval'), '77');
    assert.is(get('AuthCtrlr', 'AuthorizeRemoteStart'), 'false');
    assert.is(get('SampledDataCtrlr', 'TxUpdatedInterval'), '15');
    assert.is(get('OCPPCommCtrlr', 'Enabled'), 'true');
    // Authorization went false and ReadOnly (migration 4) and is real again (migration 8): true, and a CSMS may
    // switch it off, as OCPP 2.0.1 and libocpp have it.
    assert.is(get('AuthCtrlr', 'Enabled'), 'true');
    const set = service.setVariables([{ component_variable: cv('AuthCtrlr', 'Enabled'), value: 'false' }]);
    assert.is(set[0]?.status, 'Accepted');
  } finally {
    service.close();
  }
  const raw = new Database(db.path, { readonly: true });
  const versions = raw.prepare('SELECT version FROM schema_version ORDER BY version').all() as Array<{ version: number }>;
  raw.close();
  assert.equal(versions.map((v) => v.version), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));

  // A database seeded by this version has the same flags.
  const fresh = tempDb();
  try {
    OcppService.open({ dbPath: fresh.path, evseCount: 2, connectorsPerEvse: 1 }).close();
    for (const k of lacking) {
      const [c, v] = k.split('.') as [string, string];
      assert.equal(flagRow(db.path, c, v), flagRow(fresh.path, c, v), k);
    }
  } finally {
    fresh.cleanup();
  }
});

test('GetBaseReport FullInventory from a strict CSMS: Available/Enabled true only for what TsOcpp does', async () => {
  seedDeviceModel(db.path);
  const csms = await new TestCsms({ password: PASSWORD }).start();
  const link = startLink(db.path, { csms_url: csms.url, station_id: 'CS001' });
  try {
    await csms.waitFor('StatusNotification', 2);
    assert.equal(await csms.call('GetBaseReport', { requestId: 7, reportBase: 'FullInventory' }), { status: 'Accepted' });
    await csms.until(() => csms.of('NotifyReport').some((r) => r.params.requestId === 7 && r.params.tbc === false), 8000, 'the last NotifyReport part');
    const data = csms.of('NotifyReport').filter((r) => r.params.requestId === 7).flatMap((r) => r.params.reportData as R[]);
    const flags = new Map<string, string | undefined>();
    const physical = new Set<string>();
    for (const d of data) {
      const component = (d.component as R).name as string;
      const variable = (d.variable as R).name as string;
      assert.not.ok(ABSENT_CONTROLLERS.includes(component), `${component} reported`);
      if (variable !== 'Available' && variable !== 'Enabled') continue;
      const actual = (d.variableAttribute as R[]).find((a) => (a.type ?? 'Actual') === 'Actual');
      const value = actual?.value as string | undefined;
      if (!component.endsWith('Ctrlr')) {
        // ChargingStation, EVSE, Connector: the physical parts exist.
        physical.add(`${component}=${String(value)}`);
        continue;
      }
      flags.set(key(component, variable), value);
    }
    const claimed = [...flags].filter(([, v]) => v === 'true').map(([k]) => k).sort();
    assert.equal(claimed, [...realFlags].sort());
    for (const k of lacking) assert.is(flags.get(k), 'false', k);
    assert.equal([...physical].sort(), ['ChargingStation=true', 'Connector=true', 'EVSE=true']);
  } finally {
    await link.stop();
    await csms.stop();
  }
});

test.run();
