// The security event of a start of TsOcpp (OCPP 2.0.1 A04 / the security events appendix:
// StartupOfTheDevice is critical). libocpp ChargePoint::start raises it for boot reason PowerUp, with the
// firmware version in its info; a TsOcpp process start is that power-up (a communication reset raises
// ResetOrReboot instead, src/csms/link.ts). Recorded through the one security event path, so it reaches
// the security log, the CSMS (outbox, SecurityEventNotification) and the bus var security_event.
import type { SecurityEvent } from '../generated/types/ocpp.js';
import type { OcppService } from './service.js';

const FIRMWARE_VERSION = { component: { name: 'InternalCtrlr' }, variable: { name: 'FirmwareVersion' } };

export function recordStartup(service: OcppService): SecurityEvent {
  const version = service.readInternal(FIRMWARE_VERSION) ?? 'unknown';
  return service.securityEvent({ type: 'StartupOfTheDevice', info: `Charging Station powered up! Firmware version: ${version}` });
}
