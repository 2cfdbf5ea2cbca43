// The client certificate expiry check, as libocpp's security functional block does it
// (Security::init_certificate_expiration_check_timers, scheduled_check_client_certificate_expiration): under
// security profile 3, InternalCtrlr.ClientCertificateExpireCheckInitialDelaySeconds (default 60) after the boot is
// accepted and then every ClientCertificateExpireCheckIntervalSeconds (default 12 h), evse_security's
// get_leaf_expiry_days_count for the CSMS leaf; under 30 days a SignCertificate for ChargingStationCertificate is
// sent (A02, the station starts the renewal). The timers run while the link is up and stop when it goes down;
// they start again at the next accepted boot or reconnect, as in libocpp's ChargePoint.
import type { Logger } from '../../log.js';
import type { OcppService } from '../../ocpp/service.js';
import type { SecurityControl } from '../security-control.js';
import type { TimerSlot } from '../timers.js';
import { cvOf, readInt, SECURITY_PROFILE } from '../variables.js';
import type { CertificateSigning } from './sign-certificate.js';

const INITIAL_DELAY = cvOf('InternalCtrlr', 'ClientCertificateExpireCheckInitialDelaySeconds');
const INTERVAL = cvOf('InternalCtrlr', 'ClientCertificateExpireCheckIntervalSeconds');
/** libocpp's defaults when the device model lacks the variables. */
const DEFAULT_INITIAL_DELAY_S = 60;
const DEFAULT_INTERVAL_S = 12 * 60 * 60;
/** libocpp renews when the leaf expires in fewer days than this. */
export const RENEW_BELOW_DAYS = 30;

export class ClientCertificateExpiry {
  readonly #service: OcppService;
  readonly #security: SecurityControl;
  readonly #signing: CertificateSigning;
  readonly #timer: TimerSlot;
  readonly #log: Logger;

  constructor(o: { service: OcppService; security: SecurityControl; signing: CertificateSigning; timer: TimerSlot; log: Logger }) {
    this.#service = o.service;
    this.#security = o.security;
    this.#signing = o.signing;
    this.#timer = o.timer;
    this.#log = o.log;
  }

  /** The boot was accepted or the link is back: the first check after the initial delay (profile 3 only). */
  start(): void {
    this.#timer.clear();
    if (readInt(this.#service, SECURITY_PROFILE, 0) !== 3) return;
    this.#timer.set(readInt(this.#service, INITIAL_DELAY, DEFAULT_INITIAL_DELAY_S) * 1000, () => this.#check());
  }

  /** The link went down or stops. */
  stop(): void {
    this.#timer.clear();
  }

  #check(): void {
    // The next check is scheduled first: one that fails or hangs must not end the checks.
    this.#timer.set(readInt(this.#service, INTERVAL, DEFAULT_INTERVAL_S) * 1000, () => this.#check());
    this.#security.leafExpiryDays('ChargingStationCertificate').then((days) => {
      if (days >= RENEW_BELOW_DAYS) {
        this.#log.debug({ days }, 'the CSMS client certificate is still valid');
        return;
      }
      this.#log.info({ days }, 'the CSMS client certificate expires soon: SignCertificate for a new one');
      return this.#signing.request('ChargingStationCertificate', false);
    }).catch((err: unknown) => this.#log.error({ err }, 'client certificate expiry check failed'));
  }
}
