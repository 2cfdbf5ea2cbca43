// Security profiles 2 (TLS + Basic auth) and 3 (TLS + client certificate) with certificates made by
// openssl for this run, against a CSMS that refuses a wrong password or certificate; and the config checks.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestCsms } from './fixtures/csms/csms.js';
import { makeCerts, type TestCerts } from './fixtures/csms/certs.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { startLink, type LinkUnderTest } from './fixtures/csms/link.js';
import { until } from './helpers/wait.js';

type R = Record<string, unknown>;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
let certs: TestCerts;
let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let link: LinkUnderTest | undefined;

const tls = (requireClientCert: boolean) => ({ cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert });
const securityLog = (type: string) => ts!.app.service.securityLog().filter((e) => e.type === type);

test.before(() => {
  certs = makeCerts('CS001');
});
test.after(() => certs.cleanup());
test.before.each(() => {
  db = tempDb();
  seedDeviceModel(db.path);
});
test.after.each(async () => {
  await ts?.stop();
  ts = undefined;
  await link?.stop();
  link = undefined;
  await csms?.stop();
  csms = undefined;
  db.cleanup();
});

test('profile 2: TLS with the CSMS CA and Basic auth with SecurityCtrlr BasicAuthPassword', async () => {
  csms = await new TestCsms({ tls: tls(false), password: PASSWORD }).start();
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', security_profile: 2, csms_ca_file: certs.caFile, device_model_db: db.path });
  const [boot] = await csms.waitFor('BootNotification');
  assert.is(boot!.identity, 'CS001');
  assert.ok(ts.app.service.isConnected());
  // The device model shows the profile in force.
  const [sp] = (await ts.call('ocpp_generic', 'get_variables', { requests: [{ component_variable: { component: { name: 'SecurityCtrlr' }, variable: { name: 'SecurityProfile' } } }] })) as R[];
  assert.is(sp!.value, '2');
});

test('profile 2: a wrong password is refused; the new password set on the bus is used at the next attempt', async () => {
  csms = await new TestCsms({ tls: tls(false), password: 'the-password-the-csms-wants' }).start();
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', security_profile: 2, csms_ca_file: certs.caFile, device_model_db: db.path });
  await until(() => csms!.rejections.length >= 2, 5000, 'two refused attempts');
  assert.ok(csms.rejections.every((r) => r.why === 'wrong password'));
  assert.is(csms.of('BootNotification').length, 0);
  assert.is(ts.app.service.isConnected(), false);
  // FailedToAuthenticateAtCsms once per failure streak, not once per attempt.
  assert.is(securityLog('FailedToAuthenticateAtCsms').length, 1);
  const set = (await ts.call('ocpp_generic', 'set_variables', {
    requests: [{ component_variable: { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }, value: 'the-password-the-csms-wants' }],
  })) as R[];
  assert.is(set[0]!.status, 'Accepted');
  await csms.waitFor('BootNotification');
  assert.ok(ts.app.service.isConnected());
});

test('profile 2: a CSMS certificate that does not verify is refused (InvalidCsmsCertificate once per failure streak)', async () => {
  csms = await new TestCsms({ tls: tls(false), password: PASSWORD }).start();
  // No csms_ca_file: Node's built-in roots do not know the test CA.
  link = startLink(db.path, { csms_url: csms.url, station_id: 'CS001', security_profile: 2 });
  const { timers, service } = link;
  // Three attempts, each refused by the TLS handshake: the next one is scheduled after each.
  for (let attempt = 1; attempt <= 3; attempt++) {
    await until(() => timers.pending.length === 1, 5000, `attempt ${attempt} refused`);
    if (attempt < 3) timers.fireNext();
  }
  assert.is(csms.connections, 0);
  assert.is(link.csms.link.connected, false);
  const events = service.securityLog().filter((e) => e.type === 'InvalidCsmsCertificate');
  assert.is(events.length, 1);
  assert.ok(events[0]!.critical);
  // Critical: it waits in the outbox for a CSMS that can be trusted.
  assert.ok(service.outbox.pending().some((e) => e.payload.type === 'InvalidCsmsCertificate'));
});

test('profile 3: TLS with a client certificate (no password); the CSMS checks the certificate and its CN', async () => {
  csms = await new TestCsms({ tls: tls(true) }).start();
  ts = await startTsOcpp({
    csms_url: csms.url, station_id: 'CS001', security_profile: 3, csms_ca_file: certs.caFile,
    client_cert_file: certs.clientCertFile, client_key_file: certs.clientKeyFile, device_model_db: db.path,
  });
  await csms.waitFor('BootNotification');
  assert.ok(ts.app.service.isConnected());
  assert.is(csms.rejections.length, 0);
});

test('profile 3: a client certificate from another CA is refused (FailedToAuthenticateAtCsms once per failure streak)', async () => {
  csms = await new TestCsms({ tls: tls(true) }).start();
  link = startLink(db.path, {
    csms_url: csms.url, station_id: 'CS001', security_profile: 3, csms_ca_file: certs.caFile,
    client_cert_file: certs.rogueCertFile, client_key_file: certs.rogueKeyFile,
  });
  const { timers, service } = link;
  for (let attempt = 1; attempt <= 2; attempt++) {
    await until(() => timers.pending.length === 1, 5000, `attempt ${attempt} refused`);
    if (attempt < 2) timers.fireNext();
  }
  assert.is(csms.rejections.length, 2);
  assert.match(csms.rejections[0]!.why, /client certificate refused/);
  assert.is(csms.of('BootNotification').length, 0);
  assert.is(link.csms.link.connected, false);
  assert.is(service.securityLog().filter((e) => e.type === 'FailedToAuthenticateAtCsms').length, 1);
});

test('profile 3: a certificate whose CN is another station is refused', async () => {
  csms = await new TestCsms({ tls: tls(true) }).start();
  ts = await startTsOcpp({
    csms_url: csms.url, station_id: 'CS002', security_profile: 3, csms_ca_file: certs.caFile,
    client_cert_file: certs.clientCertFile, client_key_file: certs.clientKeyFile, device_model_db: db.path,
  });
  await until(() => csms!.rejections.length >= 1, 5000, 'a refused attempt');
  assert.is(csms.rejections[0]!.why, 'certificate CN CS001 is not CS002');
});

test('config: the URL scheme must fit the profile, profile 3 needs a certificate, unreadable files are named', async () => {
  // The real command line: a bad CSMS setting stops the start with one line naming the key, exit code 1.
  const fails = async (flags: string[], key: RegExp) => {
    const args = ['--import', 'tsx', 'src/main.ts', '--port', '0', '--device-model-db', db.path, '--station-id', 'CS001', ...flags];
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      // node with tsx's loader directly: npx in front of it costs seconds per process on a busy machine.
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
      child.on('exit', (c) => resolve({ code: c, stderr: err }));
    });
    assert.is(code, 1, `expected ${flags.join(' ')} to fail`);
    assert.match(stderr, /^tsocpp: TSOCPP_ERR_CONFIG: /m);
    assert.match(stderr, key);
  };
  await Promise.all([
    fails(['--csms-url', 'wss://127.0.0.1:19500/ocpp', '--security-profile', '1'], /csms_url.*profile 1 uses ws/),
    fails(['--csms-url', 'ws://127.0.0.1:19500/ocpp', '--security-profile', '2'], /csms_url.*needs wss/),
    fails(['--csms-url', 'wss://127.0.0.1:19500/ocpp', '--security-profile', '3'], /client_cert_file/),
    fails(['--csms-url', 'wss://127.0.0.1:19500/ocpp', '--security-profile', '2', '--csms-ca-file', '/nonexistent/ca.pem'], /csms_ca_file.*cannot read/),
    fails(['--csms-url', 'http://127.0.0.1:19500/ocpp'], /csms_url.*ws:\/\//),
    fails(['--csms-url', 'ws://127.0.0.1:19500/ocpp', '--station-id', 'has space'], /station_id/),
  ]);
});

test.run();
