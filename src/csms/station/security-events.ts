// Security events the CSMS link raises itself (a failed TLS handshake, a Reset). They go through the service
// like any other (security log, and the durable outbox when critical); station/outbox.ts delivers them.
import type { Logger } from '../../log.js';
import type { OcppService } from '../../ocpp/service.js';

/** Records a security event raised by the link itself (the service decides whether it is critical). */
export function recordSecurityEvent(service: OcppService, log: Logger, type: string, info: string): void {
  try {
    service.securityEvent({ type, info });
  } catch (err) {
    log.error({ err, type }, 'could not record a security event');
  }
}
