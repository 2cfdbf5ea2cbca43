// security_event: normalization, the critical list, bounded security log, outbox order and confirmation,
// persistence before return, the security_event event.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OcppService } from '../src/ocpp/service.js';
import { CRITICAL_SECURITY_EVENTS, isCriticalSecurityEvent, normalizeSecurityEvent } from '../src/ocpp/security-event.js';
import { DeviceModelError } from '../src/device-model/errors.js';
import type { SecurityEvent, SecurityEventEnum } from '../src/generated/types/ocpp.js';
import { steppingClock, tempDb, type TempDb } from './fixtures/ocpp/helpers.js';

let db: TempDb;
let service: OcppService;

const open = (max?: number): OcppService =>
  OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1, now: steppingClock(), securityLogMaxEntries: max });

test.before.each(() => {
  db = tempDb();
  service = open();
});
test.after.each(() => {
  service.close();
  db.cleanup();
});

// libocpp lib/ocpp/v2/utils.cpp is_critical, spelled out so a change to the list is a visible test change.
const CRITICAL: SecurityEventEnum[] = [
  'FirmwareUpdated', 'SettingSystemTime', 'StartupOfTheDevice', 'ResetOrReboot', 'SecurityLogWasCleared',
  'MemoryExhaustion', 'TamperDetectionActivated', 'InvalidFirmwareSignature', 'InvalidFirmwareSigningCertificate',
  'InvalidCsmsCertificate', 'InvalidChargingStationCertificate', 'InvalidTLSVersion', 'InvalidTLSCipherSuite',
  'MaintenanceLoginAccepted', 'MaintenanceLoginFailed',
];
const NOT_CRITICAL: SecurityEventEnum[] = [
  'FailedToAuthenticateAtCsms', 'CsmsFailedToAuthenticate', 'ReconfigurationOfSecurityParameters', 'InvalidMessages',
  'AttemptedReplayAttacks',
];

test('the critical list is libocpp\'s', () => {
  assert.equal([...CRITICAL_SECURITY_EVENTS].sort(), [...CRITICAL].sort());
  for (const t of NOT_CRITICAL) assert.not.ok(isCriticalSecurityEvent(t), t);
  assert.not.ok(isCriticalSecurityEvent('SomethingCustom'));
});

test('every event goes to the security log; critical ones also to the outbox, in order', () => {
  const all = [...CRITICAL, ...NOT_CRITICAL];
  for (const type of all) service.securityEvent({ type, info: `info ${type}` });
  const log = service.securityLog();
  assert.equal(log.map((e) => e.type), all);
  assert.equal(log.map((e) => e.critical), all.map((t) => CRITICAL.includes(t)));
  assert.is(log[0]?.timestamp, '2025-01-01T12:00:00.000Z');
  assert.ok(log.every((e, i) => i === 0 || e.id > (log[i - 1]?.id ?? 0)));
  assert.is(service.outbox.size(), CRITICAL.length);
  const pending = service.outbox.pending(100);
  assert.equal(pending.map((p) => p.payload.type), CRITICAL);
  assert.equal(pending[0]?.payload, { type: 'FirmwareUpdated', timestamp: '2025-01-01T12:00:00.000Z', tech_info: 'info FirmwareUpdated' });
  assert.is(pending[0]?.kind, 'SecurityEventNotification');
});

test('outbox: pending(limit), confirm in any order, size', () => {
  for (let i = 0; i < 5; i++) service.securityEvent({ type: 'ResetOrReboot', info: String(i) });
  const firstTwo = service.outbox.pending(2);
  assert.equal(firstTwo.map((p) => p.payload.tech_info), ['0', '1']);
  service.outbox.confirm(firstTwo[0]?.id ?? -1);
  assert.is(service.outbox.size(), 4);
  assert.equal(service.outbox.pending().map((p) => p.payload.tech_info), ['1', '2', '3', '4']);
  service.outbox.confirm(12345); // unknown id: nothing happens
  assert.is(service.outbox.size(), 4);
});

test('normalization: standard spelling, trimming, OCPP lengths, printable ASCII', () => {
  assert.equal(normalizeSecurityEvent({ type: '  startupofthedevice ' }), { type: 'StartupOfTheDevice' });
  assert.equal(normalizeSecurityEvent({ type: 'INVALIDTLSVERSION', info: '  ' }), { type: 'InvalidTLSVersion' });
  const long = normalizeSecurityEvent({ type: 'X'.repeat(80), info: 'y'.repeat(400) });
  assert.is(long.type.length, 50);
  assert.is(long.info?.length, 255);
  assert.equal(normalizeSecurityEvent({ type: 'Custom\u0000Event', info: 'caf\u00e9\nline' }), { type: 'Custom?Event', info: 'caf?\nline' });
  for (const bad of [{ type: '' }, { type: '   ' }, {} as SecurityEvent]) {
    try {
      normalizeSecurityEvent(bad);
      assert.unreachable();
    } catch (err) {
      assert.instance(err, DeviceModelError);
      assert.is((err as DeviceModelError).code, 'TSOCPP_ERR_INVALID_ARGUMENT');
    }
  }
});

test('securityEvent returns the normalized event and emits it; a case-variant critical event is queued', () => {
  const seen: SecurityEvent[] = [];
  service.on('security_event', (e) => seen.push(e));
  const out = service.securityEvent({ type: 'tamperdetectionactivated', info: 'lid open' });
  assert.equal(out, { type: 'TamperDetectionActivated', info: 'lid open' });
  assert.equal(seen, [out]);
  assert.is(service.outbox.size(), 1);
  assert.is(service.securityLog()[0]?.critical, true);
});

test('the security log is bounded: the oldest entries are deleted', () => {
  service.close();
  service = open(5);
  for (let i = 1; i <= 12; i++) service.securityEvent({ type: 'InvalidMessages', info: String(i) });
  const log = service.securityLog();
  assert.equal(log.map((e) => e.info), ['8', '9', '10', '11', '12']);
  assert.equal(service.securityLog(2).map((e) => e.info), ['11', '12'], 'the newest, oldest first');
});

test('log and outbox survive close and reopen', () => {
  service.securityEvent({ type: 'SettingSystemTime', info: 'ntp' });
  service.securityEvent({ type: 'InvalidMessages' });
  service.close();
  service = open();
  assert.equal(service.securityLog().map((e) => e.type), ['SettingSystemTime', 'InvalidMessages']);
  assert.is(service.securityLog()[1]?.info, undefined);
  assert.equal(service.outbox.pending().map((p) => p.payload), [{ type: 'SettingSystemTime', timestamp: '2025-01-01T12:00:00.000Z', tech_info: 'ntp' }]);
});

test.run();
