// security_event: normalize, write to the security log (bounded) and, when critical, to the outbox for
// delivery to the CSMS as SecurityEventNotification; all in one transaction before the call returns.
import { DeviceModelError } from '../device-model/errors.js';
import type { SecurityEvent, SecurityEventEnum } from '../generated/types/ocpp.js';
import type { ServiceContext } from './context.js';

export const DEFAULT_SECURITY_LOG_MAX_ENTRIES = 10000;

// OCPP 2.0.1 SecurityEventNotificationRequest: type is string[0..50], techInfo string[0..255]; libocpp
// holds them as CiString<50> / CiString<255> (printable ASCII, compared case-insensitively).
export const SECURITY_EVENT_TYPE_MAX = 50;
export const SECURITY_EVENT_INFO_MAX = 255;

// Security events listed by OCPP 2.0.1 Part 2 Appendix "Security events" (and libocpp common/types.hpp
// security_events), spelled as the standard spells them.
const KNOWN_TYPES: readonly string[] = [
  'FirmwareUpdated', 'FailedToAuthenticateAtCsms', 'CsmsFailedToAuthenticate', 'SettingSystemTime',
  'StartupOfTheDevice', 'ResetOrReboot', 'SecurityLogWasCleared', 'ReconfigurationOfSecurityParameters',
  'MemoryExhaustion', 'InvalidMessages', 'AttemptedReplayAttacks', 'TamperDetectionActivated',
  'InvalidFirmwareSignature', 'InvalidFirmwareSigningCertificate', 'InvalidCsmsCertificate',
  'InvalidChargingStationCertificate', 'InvalidTLSVersion', 'InvalidTLSCipherSuite', 'MaintenanceLoginAccepted',
  'MaintenanceLoginFailed', 'CSRGenerationFailed', 'InvalidCentralSystemCertificate', 'InvalidChargePointCertificate',
];
const CANONICAL = new Map(KNOWN_TYPES.map((t) => [t.toLowerCase(), t]));

/**
 * The critical ones: they must reach the CSMS. Same list as libocpp v2 utils.cpp is_critical (which follows
 * the "critical" column of the OCPP 2.0.1 security events appendix).
 */
export const CRITICAL_SECURITY_EVENTS: ReadonlySet<SecurityEventEnum> = new Set<SecurityEventEnum>([
  'FirmwareUpdated', 'SettingSystemTime', 'StartupOfTheDevice', 'ResetOrReboot', 'SecurityLogWasCleared',
  'MemoryExhaustion', 'TamperDetectionActivated', 'InvalidFirmwareSignature', 'InvalidFirmwareSigningCertificate',
  'InvalidCsmsCertificate', 'InvalidChargingStationCertificate', 'InvalidTLSVersion', 'InvalidTLSCipherSuite',
  'MaintenanceLoginAccepted', 'MaintenanceLoginFailed',
]);

export function isCriticalSecurityEvent(type: string): boolean {
  return (CRITICAL_SECURITY_EVENTS as ReadonlySet<string>).has(type);
}

// CiString admits printable ASCII and '\n' only; anything else becomes '?'.
function printable(s: string): string {
  return s.replace(/[^\x20-\x7e\n]/g, '?');
}

/**
 * Trims the type, maps a known type to its standard spelling (CiString compares case-insensitively), replaces
 * characters a CiString refuses and cuts type and info to their OCPP lengths (libocpp would throw on a too
 * long CiString; an event must not be lost for that). An empty info is dropped.
 */
export function normalizeSecurityEvent(ev: SecurityEvent): SecurityEvent {
  if (typeof ev?.type !== 'string' || ev.type.trim() === '') {
    throw new DeviceModelError('TSOCPP_ERR_INVALID_ARGUMENT', 'security event type must be a non-empty string');
  }
  const trimmed = printable(ev.type.trim());
  const type = (CANONICAL.get(trimmed.toLowerCase()) ?? trimmed).slice(0, SECURITY_EVENT_TYPE_MAX);
  const out: SecurityEvent = { type };
  if (typeof ev.info === 'string') {
    const info = printable(ev.info.trim()).slice(0, SECURITY_EVENT_INFO_MAX);
    if (info !== '') out.info = info;
  }
  return out;
}

export function recordSecurityEvent(ctx: ServiceContext, ev: SecurityEvent, maxEntries: number): SecurityEvent {
  const event = normalizeSecurityEvent(ev);
  const timestamp = ctx.now().toISOString();
  const critical = isCriticalSecurityEvent(event.type);
  ctx.repo.transaction(() => {
    // libocpp security.cpp security_event_notification_req: every event goes to the security log ...
    ctx.repo.appendSecurityLog({ timestamp, type: event.type, info: event.info, critical }, maxEntries);
    // ... and a critical one is sent to the CSMS; queued here so it survives until the CSMS has it.
    if (critical) {
      const payload: { type: string; timestamp: string; tech_info?: string } = { type: event.type, timestamp };
      if (event.info !== undefined) payload.tech_info = event.info;
      ctx.repo.appendOutbox('SecurityEventNotification', payload, timestamp);
    }
  });
  ctx.log.debug({ type: event.type, critical }, 'security event');
  ctx.events.emit('security_event', { ...event });
  return event;
}
