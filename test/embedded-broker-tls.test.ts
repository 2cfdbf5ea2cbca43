// The embedded broker over TLS (issue 20 item 7): with --mqtt-tls-cert and --mqtt-tls-key it serves MQTT over TLS
// only (mqtts), TsOcpp's own clients included; the username/password rule stays. Certificates made by openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import { startApp } from '../src/app.js';
import { resolveBusSettings } from '../src/everest/settings.js';
import { silentLogger } from '../src/log.js';
import { projectRoot } from '../src/schema/definitions.js';
import { Child } from './helpers/child.js';
import { tempDb } from './fixtures/ocpp/helpers.js';

let dir: string;
const CREDS = { username: 'station', password: 'open-sesame-42' };

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsocpp-broker-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'broker.key', '-out', 'broker.pem',
    '-subj', '/CN=127.0.0.1', '-days', '2', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const outcome = (url: string, o: mqtt.IClientOptions): Promise<string> => new Promise((resolve) => {
  const c = mqtt.connect(url, { ...o, reconnectPeriod: 0, connectTimeout: 3000 });
  c.once('connect', () => { c.end(true); resolve('connected'); });
  c.once('error', (e) => { c.end(true); resolve(e.message); });
  c.once('close', () => resolve('closed'));
});

test('with --mqtt-tls-cert/--mqtt-tls-key the embedded broker serves mqtts (TsOcpp runs on it); a TLS client with the credentials connects, a plain one cannot', async () => {
  const db = tempDb();
  const settings = { ...resolveBusSettings({}, {}, { moduleId: 'ocpp', brokerUrl: 'mqtt://127.0.0.1:0' }), dialect: 'v25' as const, ...CREDS };
  const app = await startApp({
    settings, log: silentLogger(),
    embedded: {
      broker: { host: '127.0.0.1', port: 0, tls: { certFile: join(dir, 'broker.pem'), keyFile: join(dir, 'broker.key') } }, dialect: 'v25',
      config: { settings: { validate_schema: false }, active_modules: { ocpp: { module: 'TsOcpp', config_module: { device_model_db: db.path, log_level: 'fatal' } } } },
    },
  });
  try {
    assert.match(app.brokerUrl, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const port = new URL(app.brokerUrl).port;
    const ca = readFileSync(join(dir, 'broker.pem'));
    assert.is(await outcome(app.brokerUrl, { ...CREDS, ca }), 'connected');
    assert.match(await outcome(app.brokerUrl, { username: CREDS.username, password: 'guess', ca }), /Bad username or password|Not authorized/i);
    assert.is.not(await outcome(`mqtt://127.0.0.1:${port}`, CREDS), 'connected');
  } finally {
    await app.stop();
    db.cleanup();
  }
});

test('a missing key file: TsOcpp refuses to start with one clear line naming the flag and a non-zero exit', async () => {
  const db = tempDb();
  try {
    const c = new Child(process.execPath, ['--import', 'tsx', join(projectRoot(), 'src', 'main.ts'), '--port', '0', '--device_model_db', db.path,
      '--mqtt-tls-cert', join(dir, 'broker.pem'), '--mqtt-tls-key', join(dir, 'missing.key')]);
    const exit = await c.exited();
    assert.is.not(exit.code, 0);
    const said = c.lines.filter((l) => /mqtt_tls_key/.test(l));
    assert.is(said.length, 1, c.lines.join('\n'));
    assert.match(said[0]!, /cannot read .*missing\.key/);
  } finally {
    db.cleanup();
  }
});

test.run();
