// The embedded broker and who may use it (issue 20 item 7): beyond loopback it listens only with a username and
// password, and TsOcpp refuses to start otherwise with one clear line; with --mqtt-username/--mqtt-password the
// broker requires them of every client (TsOcpp's own included), so a client without them cannot set variables.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import { startBroker } from '../src/embedded/broker.js';
import { TsOcppError } from '../src/errors.js';
import { projectRoot } from '../src/schema/definitions.js';
import { Child } from './helpers/child.js';
import { startTsOcpp } from './fixtures/csms/app.js';
import { tempDb } from './fixtures/ocpp/helpers.js';

const CREDS = { username: 'station', password: 'open-sesame-42' };

test('beyond loopback without credentials the embedded broker does not start: a config error naming the flags', async () => {
  const err = await startBroker({ host: '0.0.0.0', port: 0 }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof TsOcppError, 'a TsOcppError');
  assert.is((err).code, 'TSOCPP_ERR_CONFIG');
  assert.match((err as Error).message, /without authentication: give --mqtt-username and --mqtt-password/);
});

test('npm start -- --host 0.0.0.0 refuses to start with one clear line and a non-zero exit', async () => {
  const db = tempDb();
  try {
    const c = new Child(process.execPath, ['--import', 'tsx', join(projectRoot(), 'src', 'main.ts'), '--host', '0.0.0.0', '--port', '0', '--device_model_db', db.path]);
    const exit = await c.exited();
    assert.is.not(exit.code, 0);
    const said = c.lines.filter((l) => /without authentication/.test(l));
    assert.is(said.length, 1, c.lines.join('\n'));
  } finally {
    db.cleanup();
  }
});

test('with credentials the broker refuses a client without them or with a wrong password, and serves TsOcpp and a client with them', async () => {
  const db = tempDb();
  const ts = await startTsOcpp({ device_model_db: db.path }, { credentials: CREDS });
  try {
    const refused = (o: { username?: string; password?: string }): Promise<string> => new Promise((resolve) => {
      const c = mqtt.connect(ts.app.brokerUrl, { ...o, reconnectPeriod: 0, connectTimeout: 3000 });
      c.once('connect', () => { c.end(true); resolve('connected'); });
      c.once('error', (e) => { c.end(true); resolve(e.message); });
    });
    assert.match(await refused({}), /Bad username or password|Not authorized/i);
    assert.match(await refused({ username: CREDS.username, password: 'guess' }), /Bad username or password|Not authorized/i);
    const r = (await ts.call('ocpp_generic', 'get_variables', { requests: [] })) as unknown[];
    assert.equal(r, []);
  } finally {
    await ts.stop();
    db.cleanup();
  }
});

test.run();
