// security_event: normalize, write to the security log (bounded) and, when critical and there is a CSMS link,
// to the bounded outbox for delivery as SecurityEventNotification; all in one transaction before the call returns.
import type { Applied } from './group-commit.js';
import { DeviceModelError } from '../device-model/errors.js';
import type { OutboxPayload } from '../device-model/types.js';
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

interface Prepared {
  event: SecurityEvent;
  timestamp: string;
  critical: boolean;
}

/** How one event is recorded beyond the rule. */
export interface SecurityEventOptions {
  /**
   * Deliver it to the CSMS although its type is not critical: libocpp does so for the events it raises with
   * critical = true regardless of is_critical (CSRGenerationFailed in Security::sign_certificate_req).
   */
  send?: boolean;
}

function prepare(ctx: ServiceContext, ev: SecurityEvent, o: SecurityEventOptions = {}): Prepared {
  const event = normalizeSecurityEvent(ev);
  return { event, timestamp: ctx.now().toISOString(), critical: o.send === true || isCriticalSecurityEvent(event.type) };
}

function persist(ctx: ServiceContext, p: Prepared, maxEntries: number): void {
  const { event, timestamp, critical } = p;
  // libocpp security.cpp security_event_notification_req: every event goes to the security log ...
  ctx.repo.appendSecurityLog({ timestamp, type: event.type, info: event.info, critical }, maxEntries);
  // ... and a critical one is sent to the CSMS; queued here so it survives until the CSMS has it. Without a
  // CSMS link there is no outbox: the security log is the record (service.ts logs that once at start).
  if (critical && ctx.outbox) {
    const payload: OutboxPayload<'SecurityEventNotification'> = { type: event.type, timestamp };
    if (event.info !== undefined) payload.tech_info = event.info;
    ctx.outbox.append(ctx.repo, 'SecurityEventNotification', payload, timestamp);
  }
}

function announce(ctx: ServiceContext, p: Prepared): void {
  ctx.log.debug({ type: p.event.type, critical: p.critical }, 'security event');
  ctx.events.emit('security_event', { ...p.event });
}

export function recordSecurityEvent(ctx: ServiceContext, ev: SecurityEvent, maxEntries: number, o: SecurityEventOptions = {}): SecurityEvent {
  const p = prepare(ctx, ev, o);
  ctx.repo.transaction(() => persist(ctx, p, maxEntries));
  announce(ctx, p);
  return p.event;
}

/**
 * A security event for the group commit (group-commit.ts): normalized at once (a bad event throws here, before
 * anything is queued); written, in its own savepoint, in the transaction of this event-loop turn's durable calls;
 * published only after that COMMIT.
 */
export function securityEventWrite(ctx: ServiceContext, ev: SecurityEvent, maxEntries: number): () => Applied<SecurityEvent> {
  const p = prepare(ctx, ev);
  return () => {
    ctx.repo.transaction(() => persist(ctx, p, maxEntries));
    return { value: p.event, announce: () => announce(ctx, p) };
  };
}
