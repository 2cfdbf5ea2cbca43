// Certificates through the `security` requirement (A02/A03, M03-M05), as everest-core's OCPP201 wires libocpp's
// EvseSecurity to evse_security: a stand-in evse_security module on the bus (v25 dialect, the 2026.02 interface the
// embedded manager publishes) makes CSRs and keeps its leaf with openssl; the strict ocpp-rpc CSMS signs the CSR with
// the test CA. Without a security connection the certificate messages stay NotSupported.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms } from './fixtures/csms/csms.js';
import { makeCerts, type TestCerts } from './fixtures/csms/certs.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import type { EvseCmdServer } from './fixtures/evse-cmds.js';
import { StandInSecurity } from './fixtures/security.js';
import { OcppService } from '../src/ocpp/service.js';
import { until } from './helpers/wait.js';

type R = Record<string, unknown>;
const HASH = { hashAlgorithm: 'SHA256', issuerNameHash: 'aa11', issuerKeyHash: 'bb22', serialNumber: '1f' };

let certs: TestCerts;
let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { cwd: certs.dir, stdio: ['ignore', 'ignore', 'pipe'] });
};

async function start(o: { profile?: 1 | 3; security?: boolean } = {}): Promise<{ security: StandInSecurity; server: EvseCmdServer | undefined }> {
  seedDeviceModel(db.path);
  // The CSMS checks that the certificate's CN is the station id: the CSR's CN is ChargeBoxSerialNumber.
  const svc = OcppService.open({ dbPath: db.path, evseCount: 2, connectorsPerEvse: 1 });
  svc.setInternal({ component: { name: 'InternalCtrlr' }, variable: { name: 'ChargeBoxSerialNumber' } }, 'CS001');
  svc.setInternal({ component: { name: 'InternalCtrlr' }, variable: { name: 'CertificateCountryName' } }, 'DE');
  svc.close();
  const profile3 = o.profile === 3;
  csms = await new TestCsms(profile3
    ? { tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: true }, handlers: { SignCertificate: () => ({ status: 'Accepted' }) } }
    : { password: PASSWORD, handlers: { SignCertificate: () => ({ status: 'Accepted' }) } }).start();
  const withSecurity = o.security ?? true;
  ts = await startTsOcpp({
    csms_url: csms.url, station_id: 'CS001', device_model_db: db.path,
    // The module config's files serve the connects before the bus is up (evse_security answers from then on).
    ...(profile3 ? { security_profile: 3, csms_ca_file: certs.caFile, client_cert_file: certs.clientCertFile, client_key_file: certs.clientKeyFile } : {}),
  }, withSecurity ? { config: { connections: { security: [{ module_id: 'security1', implementation_id: 'main' }] } } } : {});
  client = await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 });
  const security = new StandInSecurity(certs);
  const server = withSecurity ? (await security.serve(client)).server : undefined;
  await csms.waitFor('BootNotification');
  return { security, server };
}

// ReconfigurationOfSecurityParameters is not critical (libocpp is_critical): the security log has it (CSRGenerationFailed is
// sent too: csms-certificates-life.test.ts).
const logged = (type: string) => ts!.app.service.securityLog().filter((e) => e.type === type);
const events = (type: string): R[] => csms!.of('SecurityEventNotification').map((r) => r.params).filter((p) => p.type === type);
const serialOf = (pem: string): string => {
  const f = join(certs.dir, 'probe.pem');
  writeFileSync(f, pem);
  return execFileSync('openssl', ['x509', '-in', f, '-noout', '-serial'], { encoding: 'utf8' }).trim().replace(/^serial=/, '').toUpperCase();
};

test.before(() => {
  certs = makeCerts('CS001');
});
test.after(() => certs.cleanup());
test.before.each(() => {
  db = tempDb();
});
test.after.each(async () => {
  await client?.endAsync();
  client = undefined;
  await ts?.stop();
  ts = undefined;
  await csms?.stop();
  csms = undefined;
  db.cleanup();
});

test('A02.FR.09 profile 3: TriggerMessage SignChargingStationCertificate, the CSR from evse_security, CertificateSigned to update_leaf_certificate, and the reconnect presents the new certificate', async () => {
  const { server } = await start({ profile: 3 });
  assert.is(csms!.peerSerials.length, 1);
  const first = csms!.peerSerials[0]!;
  assert.equal(await csms!.call('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' }), { status: 'Accepted' });
  const [sign] = await csms!.waitFor('SignCertificate');
  assert.is(sign!.params.certificateType, 'ChargingStationCertificate');
  assert.equal(server!.of('generate_certificate_signing_request')[0]!.args, { certificate_type: 'CSMS', country: 'DE', organization: 'TsOcpp', common: 'CS001', use_tpm: false });
  // The CSMS signs the CSR with its CA.
  writeFileSync(join(certs.dir, 'station.csr'), String(sign!.params.csr));
  writeFileSync(join(certs.dir, 'station.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(['x509', '-req', '-in', 'station.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', 'station.ext', '-out', 'station.pem']);
  const chain = readFileSync(join(certs.dir, 'station.pem'), 'utf8');
  assert.equal(await csms!.call('CertificateSigned', { certificateChain: chain, certificateType: 'ChargingStationCertificate' }), { status: 'Accepted' });
  assert.equal(server!.of('update_leaf_certificate')[0]!.args, { certificate_chain: chain, certificate_type: 'CSMS' });
  await until(() => csms!.peerSerials.length >= 2 && csms!.of('BootNotification').length >= 2, 8000, 'a second connection');
  assert.is.not(csms!.peerSerials[1], first);
  assert.is(csms!.peerSerials[1]!.toUpperCase(), serialOf(chain));
  await until(() => logged('ReconfigurationOfSecurityParameters').length === 1, 5000, 'ReconfigurationOfSecurityParameters logged');
});

test('A02.FR.06 CertificateSigned that evse_security refuses: Rejected and InvalidChargingStationCertificate with its reason; no reconnect', async () => {
  const { security } = await start();
  security.answers.update_leaf_certificate = 'InvalidCertificateChain';
  const res = await csms!.call('CertificateSigned', { certificateChain: readFileSync(certs.clientCertFile, 'utf8') });
  assert.is((res as R).status, 'Rejected');
  await csms!.until(() => events('InvalidChargingStationCertificate').length === 1);
  assert.is(events('InvalidChargingStationCertificate')[0]!.techInfo, 'InvalidCertificateChain');
  assert.is(csms!.connections, 1);
});

test('A02 CSR generation failure: no SignCertificate and the security event CSRGenerationFailed', async () => {
  const { security } = await start();
  security.answers.generate_certificate_signing_request = { status: 'KeyGenError' };
  assert.equal(await csms!.call('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' }), { status: 'Accepted' });
  await until(() => logged('CSRGenerationFailed').length === 1, 5000, 'CSRGenerationFailed logged');
  assert.is(csms!.of('SignCertificate').length, 0);
});

test('M05 InstallCertificate to install_ca_certificate (ManufacturerRootCertificate -> MF); WriteError is Failed, InvalidFormat Rejected; Accepted raises ReconfigurationOfSecurityParameters', async () => {
  const { security, server } = await start();
  const pem = readFileSync(certs.caFile, 'utf8');
  assert.equal(await csms!.call('InstallCertificate', { certificateType: 'ManufacturerRootCertificate', certificate: pem }), { status: 'Accepted' });
  assert.equal(server!.of('install_ca_certificate')[0]!.args, { certificate: pem, certificate_type: 'MF' });
  await until(() => logged('ReconfigurationOfSecurityParameters').length === 1, 5000, 'ReconfigurationOfSecurityParameters logged');
  security.answers.install_ca_certificate = 'WriteError';
  assert.equal(await csms!.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: pem }), { status: 'Failed' });
  security.answers.install_ca_certificate = 'InvalidFormat';
  assert.equal(await csms!.call('InstallCertificate', { certificateType: 'V2GRootCertificate', certificate: pem }), { status: 'Rejected' });
});

test('M04 DeleteCertificate to delete_certificate with the hash data in snake_case; NotFound passed on; Accepted raises ReconfigurationOfSecurityParameters', async () => {
  const { security, server } = await start();
  assert.equal(await csms!.call('DeleteCertificate', { certificateHashData: HASH }), { status: 'Accepted' });
  assert.equal(server!.of('delete_certificate')[0]!.args, { certificate_hash_data: { hash_algorithm: 'SHA256', issuer_name_hash: 'aa11', issuer_key_hash: 'bb22', serial_number: '1f' } });
  await until(() => logged('ReconfigurationOfSecurityParameters').some((e) => String(e.info).includes('1f')), 5000, 'deletion logged');
  security.answers.delete_certificate = 'NotFound';
  assert.equal(await csms!.call('DeleteCertificate', { certificateHashData: HASH }), { status: 'NotFound' });
});

test('M03 GetInstalledCertificateIds: the types asked (none: all five) to get_installed_certificates, MFRootCertificate back as ManufacturerRootCertificate; none installed is NotFound', async () => {
  const { security, server } = await start();
  const res = await csms!.call('GetInstalledCertificateIds', { certificateType: ['ManufacturerRootCertificate'] });
  assert.equal(res, { status: 'Accepted', certificateHashDataChain: [{ certificateType: 'ManufacturerRootCertificate', certificateHashData: HASH }] });
  assert.equal(server!.of('get_installed_certificates')[0]!.args, { certificate_types: ['MFRootCertificate'] });
  security.answers.get_installed_certificates = { status: 'NotFound', certificate_hash_data_chain: [] };
  assert.equal(await csms!.call('GetInstalledCertificateIds', {}), { status: 'NotFound' });
  assert.equal(server!.of('get_installed_certificates')[1]!.args.certificate_types,
    ['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate', 'V2GCertificateChain', 'MFRootCertificate']);
});

test('without a security connection: certificate messages are NotSupported and TriggerMessage SignChargingStationCertificate NotImplemented, as before', async () => {
  await start({ security: false });
  const err = await csms!.call('CertificateSigned', { certificateChain: readFileSync(certs.clientCertFile, 'utf8') }).then(() => undefined, (e: unknown) => e as { code?: string });
  assert.is(err?.code, 'NotSupported');
  assert.equal(await csms!.call('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' }), { status: 'NotImplemented' });
});

test.run();
