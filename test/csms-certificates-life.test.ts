// The certificate life cycle with evse_security on the bus (A02, A00 security events): the first profile-3 connect
// waits for global ready and presents evse_security's leaf; CSRGenerationFailed reaches the CSMS; the client
// certificate expiry check (libocpp Security::scheduled_check_client_certificate_expiration); the CSMS CA bundle
// from get_verify_file; and a renewal in the 2023.12 shapes (CSR as a plain string, get_key_pair). A stand-in
// evse_security (test/fixtures/security.ts), a strict ocpp-rpc CSMS over TLS, openssl-made certificates.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import { TestCsms } from './fixtures/csms/csms.js';
import { makeCerts, type TestCerts } from './fixtures/csms/certs.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type StartOptions, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb } from './fixtures/ocpp/helpers.js';
import { StandInSecurity, type SecurityRelease } from './fixtures/security.js';
import { releaseDefinitions } from './fixtures/release-definitions.js';
import { OcppService } from '../src/ocpp/service.js';
import { dialectFor } from '../src/everest/dialect.js';
import { Cleanup } from './helpers/cleanup.js';
import { FakeTimers } from './fixtures/csms/fake-timers.js';
import { until } from './helpers/wait.js';

type R = Record<string, unknown>;

let certs: TestCerts;
const cleanup = new Cleanup();

interface Started {
  csms: TestCsms;
  ts: TsOcpp;
  security: StandInSecurity;
  /** Says the stand-in is ready: global ready follows (the config lists it as a module). */
  ready(): Promise<void>;
}

interface StartOpts {
  profile?: 1 | 3;
  /** Module config beyond csms_url, station_id and device_model_db. */
  config?: R;
  release?: SecurityRelease;
  csms?: ConstructorParameters<typeof TestCsms>[0];
  /** Device model values written before the start (InternalCtrlr ...). */
  internal?: Array<[string, string, string]>;
  before?: (security: StandInSecurity) => void;
  opts?: StartOptions;
}

async function start(o: StartOpts = {}): Promise<Started> {
  const db = cleanup.add(tempDb(), (d) => d.cleanup());
  seedDeviceModel(db.path);
  const svc = OcppService.open({ dbPath: db.path, evseCount: 2, connectorsPerEvse: 1 });
  // The CSR's CN is ChargeBoxSerialNumber; the CSMS checks it is the station id.
  for (const [c, v, value] of [['InternalCtrlr', 'ChargeBoxSerialNumber', 'CS001'], ['InternalCtrlr', 'CertificateCountryName', 'DE'], ...(o.internal ?? [])] as const) {
    svc.setInternal({ component: { name: c }, variable: { name: v } }, value);
  }
  svc.close();
  const profile3 = (o.profile ?? 3) === 3;
  const csms = cleanup.add(await new TestCsms(o.csms ?? (profile3
    ? { tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: true }, handlers: { SignCertificate: () => ({ status: 'Accepted' }) } }
    : { password: PASSWORD, handlers: { SignCertificate: () => ({ status: 'Accepted' }) } })).start(), (c) => c.stop());
  const security = new StandInSecurity(certs, o.release ?? '2026.02');
  o.before?.(security);
  const ts = cleanup.add(await startTsOcpp({
    csms_url: csms.url, station_id: 'CS001', device_model_db: db.path,
    // No client certificate files: the leaf comes from evse_security alone.
    ...(profile3 ? { security_profile: 3, csms_ca_file: certs.caFile } : {}),
    ...o.config,
  }, {
    config: { connections: { security: [{ module_id: 'security1', implementation_id: 'main' }] } },
    // Global ready waits for the stand-in, as a manager waits for every module of its config.
    modules: { security1: { module: 'SecurityStandIn' } },
    ...(o.release === '2023.12' ? { definitions: releaseDefinitions('2023.12') } : {}),
    ...o.opts,
  }), (t) => t.stop());
  const client = cleanup.add(await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 }), (c) => c.endAsync());
  await security.serve(client);
  return { csms, ts, security, ready: () => client.publishAsync('everest/modules/security1/ready', dialectFor('v25').readyPayload(), { qos: 2 }).then(() => undefined) };
}

const events = (csms: TestCsms, type: string): R[] => csms.of('SecurityEventNotification').map((r) => r.params).filter((p) => p.type === type);

test.before(() => {
  certs = makeCerts('CS001');
});
test.after(() => certs.cleanup());
test.after.each(() => cleanup.run());

test('A02.FR.09 profile 3 without client certificate files: the first connect waits for global ready and presents evse_security\'s certificate, on the first attempt', async () => {
  const s = await start({ before: (sec) => { sec.leaf = sec.issue('evse-leaf', 'CS001'); } });
  // TsOcpp is up, its link started: still no connect and no call, since global ready has not come.
  assert.is(s.csms.connections, 0);
  assert.is(s.security.of('get_leaf_certificate_info').length, 0);
  await s.ready();
  await s.csms.waitFor('BootNotification');
  assert.is(s.csms.connections, 1);
  assert.equal(s.csms.rejections, []);
  assert.equal(s.security.of('get_leaf_certificate_info')[0]!.args, { certificate_type: 'CSMS', encoding: 'PEM', include_ocsp: false });
  assert.is(s.csms.peerSerials[0]!.toUpperCase(), s.security.serialOf(s.security.leaf.certificate));
});

test('A02 CSRGenerationFailed reaches the CSMS although not critical (libocpp sends it), with evse_security\'s status, and no SignCertificate', async () => {
  const s = await start({ profile: 1 });
  await s.ready();
  s.security.answers.generate_certificate_signing_request = { status: 'KeyGenError' };
  await s.csms.waitFor('BootNotification');
  assert.equal(await s.csms.call('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' }), { status: 'Accepted' });
  await s.csms.until(() => events(s.csms, 'CSRGenerationFailed').length === 1);
  assert.is(events(s.csms, 'CSRGenerationFailed')[0]!.techInfo, 'Sign certificate req failed due to:KeyGenError');
  // Recorded as sent (critical) in the security log, through the durable outbox like a critical one.
  assert.is(s.ts.app.service.securityLog().find((e) => e.type === 'CSRGenerationFailed')?.critical, true);
  assert.is(s.csms.of('SignCertificate').length, 0);
});

test('A02 client certificate expiry check (libocpp): ClientCertificateExpireCheckInitialDelaySeconds after the accepted boot, then every ClientCertificateExpireCheckIntervalSeconds; under 30 days a SignCertificate for ChargingStationCertificate', async () => {
  const timers = new FakeTimers();
  const s = await start({
    before: (sec) => { sec.leaf = sec.issue('expiring', 'CS001'); },
    internal: [['InternalCtrlr', 'ClientCertificateExpireCheckInitialDelaySeconds', '90'], ['InternalCtrlr', 'ClientCertificateExpireCheckIntervalSeconds', '3600']],
    opts: { csmsTimers: timers },
  });
  await s.ready();
  await s.csms.waitFor('BootNotification');
  await until(() => timers.pending.includes(90_000), 5000, 'the first check scheduled');
  // Valid for a year: checked, nothing asked of the CSMS, the next check in an interval.
  s.security.answers.get_leaf_expiry_days_count = 365;
  timers.fire(90_000);
  await until(() => s.security.of('get_leaf_expiry_days_count').length === 1 && timers.pending.includes(3_600_000), 5000, 'the first check');
  assert.equal(s.security.of('get_leaf_expiry_days_count')[0]!.args, { certificate_type: 'CSMS' });
  assert.is(s.csms.of('SignCertificate').length, 0);
  // 29 days left: a CSR from evse_security and a SignCertificate.
  s.security.answers.get_leaf_expiry_days_count = 29;
  timers.fire(3_600_000);
  const [sign] = await s.csms.waitFor('SignCertificate');
  assert.is(sign!.params.certificateType, 'ChargingStationCertificate');
  assert.is(s.security.of('generate_certificate_signing_request').length, 1);
  assert.ok(timers.pending.includes(3_600_000), 'the checks go on');
});

test('A02 the client certificate expiry check runs under security profile 3 only', async () => {
  const timers = new FakeTimers();
  const s = await start({ profile: 1, opts: { csmsTimers: timers } });
  await s.ready();
  await s.csms.waitFor('BootNotification');
  await s.csms.waitFor('StatusNotification');
  assert.not.ok(timers.pending.includes(60_000), 'no check at the default initial delay');
});

const profile2 = (): StartOpts => ({
  profile: 1,
  // Profile 2: TLS and Basic auth, and no csms_ca_file: the CSMS's CA must come from evse_security.
  config: { security_profile: 2 },
  csms: { tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: false }, password: PASSWORD },
});

test('the CSMS CA from evse_security (is_ca_certificate_installed, get_verify_file CSMS) verifies the CSMS when the module config has no csms_ca_file', async () => {
  const s = await start({ ...profile2(), before: (sec) => { sec.csmsCaFile = certs.caFile; } });
  await s.ready();
  await s.csms.waitFor('BootNotification');
  assert.is(s.csms.connections, 1);
  assert.equal(s.security.of('is_ca_certificate_installed')[0]!.args, { certificate_type: 'CSMS' });
  assert.equal(s.security.of('get_verify_file')[0]!.args, { certificate_type: 'CSMS' });
  assert.is(s.ts.app.service.securityLog().filter((e) => e.type === 'InvalidCsmsCertificate').length, 0);
});

test('without a CSMS CA in evse_security nor csms_ca_file the CSMS certificate is not trusted: no connection, InvalidCsmsCertificate', async () => {
  const s = await start(profile2());
  await s.ready();
  await until(() => s.ts.app.service.securityLog().some((e) => e.type === 'InvalidCsmsCertificate'), 8000, 'InvalidCsmsCertificate');
  assert.is(s.csms.connections, 0);
  assert.is(s.security.of('get_verify_file').length, 0);
});

test('A02.FR.09 everest-core 2023.12 evse_security: the CSR as a plain string, CertificateSigned to update_leaf_certificate, and the reconnect presents the new certificate from get_key_pair', async () => {
  const s = await start({ release: '2023.12' });
  await s.ready();
  await s.csms.waitFor('BootNotification');
  assert.equal(s.security.of('get_key_pair')[0]!.args, { certificate_type: 'CSMS', encoding: 'PEM' });
  assert.is(s.security.of('get_leaf_certificate_info').length, 0);
  assert.equal(await s.csms.call('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' }), { status: 'Accepted' });
  const [sign] = await s.csms.waitFor('SignCertificate');
  const csr = String(sign!.params.csr);
  assert.ok(csr.startsWith('-----BEGIN CERTIFICATE REQUEST-----'), 'the plain-string CSR is sent as it is');
  // The CSMS signs it with its CA.
  writeFileSync(join(certs.dir, 'old-station.csr'), csr);
  writeFileSync(join(certs.dir, 'old-station.ext'), 'extendedKeyUsage=clientAuth\n');
  execFileSync('openssl', ['x509', '-req', '-in', 'old-station.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256',
    '-extfile', 'old-station.ext', '-out', 'old-station.pem'], { cwd: certs.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const chainFile = join(certs.dir, 'old-station.pem');
  const chain = readFileSync(chainFile, 'utf8');
  assert.equal(await s.csms.call('CertificateSigned', { certificateChain: chain, certificateType: 'ChargingStationCertificate' }), { status: 'Accepted' });
  assert.equal(s.security.of('update_leaf_certificate')[0]!.args, { certificate_chain: chain, certificate_type: 'CSMS' });
  await until(() => s.csms.peerSerials.length >= 2 && s.csms.of('BootNotification').length >= 2, 8000, 'a second connection');
  assert.is(s.csms.peerSerials[1]!.toUpperCase(), s.security.serialOf(chainFile));
  assert.is(s.security.of('get_key_pair').length, 2);
});

test.run();
