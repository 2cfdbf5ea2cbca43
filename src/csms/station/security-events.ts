// Security events the CSMS link raises itself (a failed TLS handshake, a Reset). They go through the service
// like any other (security log, and the durable outbox when critical); station/outbox.ts delivers them.
import type { Logger } from '../../log.js';
import type { OcppService } from '../../ocpp/service.js';
import type { SecurityEventOptions } from '../../ocpp/security-event.js';

/** What the link's parts raise security events with; `o.send` delivers a non-critical one (as libocpp forces some). */
export type RaiseSecurityEvent = (type: string, info: string, o?: SecurityEventOptions) => void;

/** Records a security event raised by the link itself (the service decides whether it is critical, unless `o.send`). */
export function recordSecurityEvent(service: OcppService, log: Logger, type: string, info: string, o: SecurityEventOptions = {}): void {
  try {
    service.securityEvent({ type, info }, o);
  } catch (err) {
    log.error({ err, type }, 'could not record a security event');
  }
}
