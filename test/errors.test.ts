// One error family: the codes in src/errors.ts are exactly README's table, every code the sources name is
// in that list, a fatal start-up error names its code (a newer device-model database: TSOCPP_ERR_DB_MIGRATION),
// and a logged error keeps its stack and cause in the JSON line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, errorCode, errorMessage, TsOcppError } from '../src/errors.js';
import { DeviceModelError } from '../src/device-model/errors.js';
import { SchemaCompileError } from '../src/schema/compile.js';
import { openDatabase, SCHEMA_VERSION } from '../src/device-model/db.js';
import { createLogger } from '../src/log.js';
import { projectRoot } from '../src/schema/definitions.js';
import { tempDir } from './helpers/manager.js';
import { freePort } from './helpers/mosquitto.js';
import { spawnModule } from './helpers/module-process.js';

const ROOT = projectRoot();

function readmeTable(): Array<[string, string]> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Errors\n'));
  const body = section.slice(0, section.indexOf('\n## ', 1));
  return [...body.matchAll(/^\| `(TSOCPP_ERR_\w+)` \| (.*) \|$/gm)].map((m) => [m[1]!, m[2]!]);
}

test('README lists every error code with its meaning, in the order of ERROR_CODES', () => {
  assert.equal(readmeTable(), Object.entries(ERROR_CODES));
});

test('every TSOCPP_ERR_ code the sources name is in ERROR_CODES', () => {
  const known = new Set(Object.keys(ERROR_CODES));
  const unknown: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/TSOCPP_ERR_[A-Z_]+/g)) if (!known.has(m[0])) unknown.push(`${p.slice(ROOT.length + 1)}: ${m[0]}`);
      }
    }
  };
  walk(join(ROOT, 'src'));
  assert.equal(unknown, []);
});

test('the named errors are TsOcppErrors with their codes', () => {
  const cause = new Error('disk');
  const dm = new DeviceModelError('TSOCPP_ERR_DB_MIGRATION', 'too new', { cause });
  assert.instance(dm, TsOcppError);
  assert.is(dm.code, 'TSOCPP_ERR_DB_MIGRATION');
  assert.is(dm.cause, cause);
  assert.is(dm.name, 'DeviceModelError');
  const sc = new SchemaCompileError('bad');
  assert.instance(sc, TsOcppError);
  assert.is(sc.code, 'TSOCPP_ERR_SCHEMA_COMPILE');
  assert.is(errorCode(new Error('x')), 'TSOCPP_ERR_FATAL');
  assert.is(errorCode(dm), 'TSOCPP_ERR_DB_MIGRATION');
  assert.is(errorMessage('plain'), 'plain');
  assert.is(errorMessage({ a: 1 }), '{"a":1}');
});

test('a device-model database of a newer version stops start-up with TSOCPP_ERR_DB_MIGRATION', async () => {
  const dbPath = join(tempDir(), 'device_model.db');
  openDatabase(dbPath).db.close();
  const sqlite = new Database(dbPath);
  sqlite.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'from the future', new Date().toISOString());
  sqlite.close();
  const m = spawnModule(['--port', String(await freePort()), '--device-model-db', dbPath]);
  const { code } = await m.exited();
  assert.is(code, 1);
  const fatal = m.lines.filter((l) => l.startsWith('tsocpp: '));
  assert.equal(fatal, [`tsocpp: TSOCPP_ERR_DB_MIGRATION: device model database has schema version ${SCHEMA_VERSION + 1}, this program knows up to ${SCHEMA_VERSION}`]);
});

test('a logged error keeps its type, code, stack and cause in the JSON line', () => {
  const lines: string[] = [];
  const log = createLogger({ format: 'json', stream: { write: (s: string) => { lines.push(s); } } });
  const cause = new Error('SQLITE_BUSY');
  log.error({ err: new DeviceModelError('TSOCPP_ERR_DB', 'counter x missing', { cause }) }, 'could not count');
  const rec = JSON.parse(lines[0]!) as { msg: string; err: { type: string; code: string; message: string; stack: string } };
  assert.is(rec.msg, 'could not count');
  assert.is(rec.err.type, 'DeviceModelError');
  assert.is(rec.err.code, 'TSOCPP_ERR_DB');
  assert.match(rec.err.message, /counter x missing/);
  assert.match(rec.err.stack, /DeviceModelError: counter x missing\n\s+at /);
  assert.match(rec.err.stack, /errors\.test\.ts/);
  assert.match(rec.err.stack, /caused by: Error: SQLITE_BUSY/);
});

test.run();
