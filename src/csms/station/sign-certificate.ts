// A02/A03 SignCertificate from the station, decided as libocpp's security functional block sign_certificate_req:
// the CSR subject from the device model (ChargingStationCertificate: InternalCtrlr.ChargeBoxSerialNumber,
// SecurityCtrlr.OrganizationName, ISO15118Ctrlr.CountryName (else InternalCtrlr.CertificateCountryName, since
// TsOcpp has no ISO15118Ctrlr), InternalCtrlr.UseTPM; V2GCertificate: ISO15118Ctrlr
// SeccId, OrganizationName, CountryName, InternalCtrlr.UseTPMSeccLeafCertificate), a missing one means no request;
// the CSR from evse_security (a failure raises CSRGenerationFailed, sent to the CSMS as libocpp sends it); one request awaited at a time; when the CSMS
// accepts it and no CertificateSigned comes, the request is repeated after max(250 s, CertSigningWaitMinimum) *
// 2^attempt, CertSigningRepeatTimes times at most (A02.FR.17/18).
import type { Logger } from '../../log.js';
import type { OcppService } from '../../ocpp/service.js';
import type { CertificateSigningUse, SignCertificateRequest, SignCertificateResponse } from '../certificate-types.js';
import type { SecurityControl } from '../security-control.js';
import type { Sender } from '../sender.js';
import type { RaiseSecurityEvent } from './security-events.js';
import type { TimerSlot } from '../timers.js';
import { cvOf, readBool, readInt, readString } from '../variables.js';

// libocpp minimum_cert_signing_wait_time_seconds: a CertSigningWaitMinimum of 0 must not repeat at once.
const MIN_WAIT_S = 250;

export class CertificateSigning {
  readonly #service: OcppService;
  readonly #security: SecurityControl;
  readonly #sender: Sender;
  readonly #timer: TimerSlot;
  readonly #log: Logger;
  readonly #securityEvent: RaiseSecurityEvent;
  #awaiting: CertificateSigningUse | undefined;
  #attempt = 1;

  constructor(o: { service: OcppService; security: SecurityControl; sender: Sender; timer: TimerSlot; log: Logger; securityEvent: RaiseSecurityEvent }) {
    this.#service = o.service;
    this.#security = o.security;
    this.#sender = o.sender;
    this.#timer = o.timer;
    this.#log = o.log;
    this.#securityEvent = o.securityEvent;
  }

  /** Sends a SignCertificate for `use` (triggered: asked by TriggerMessage, so allowed before an accepted boot). */
  async request(use: CertificateSigningUse, triggered: boolean): Promise<void> {
    if (this.#awaiting !== undefined) {
      this.#log.warn({ use }, 'no new SignCertificate: a CertificateSigned is still awaited');
      return;
    }
    const subject = this.#subject(use);
    if (typeof subject === 'string') {
      this.#log.warn({ use, missing: subject }, 'no SignCertificate: the CSR subject is not configured');
      return;
    }
    const made = await this.#security.generateCsr(use, subject);
    if ('failed' in made) {
      this.#log.error({ use, status: made.failed }, 'evse_security could not generate the CSR');
      // Not critical by the appendix, but libocpp sends it (critical = true in sign_certificate_req): so does TsOcpp.
      this.#securityEvent('CSRGenerationFailed', `Sign certificate req failed due to:${made.failed}`, { send: true });
      return;
    }
    this.#awaiting = use;
    const req: SignCertificateRequest = { csr: made.csr, certificateType: use };
    let res: SignCertificateResponse;
    try {
      res = await this.#sender.call<SignCertificateResponse>('SignCertificate', req, { triggered });
    } catch (err) {
      this.#log.warn({ err, use }, 'SignCertificate not answered');
      this.#reset();
      return;
    }
    if (res.status !== 'Accepted') {
      this.#log.warn({ use }, 'the CSMS rejected the SignCertificate');
      this.#reset();
      return;
    }
    const repeat = readInt(this.#service, cvOf('SecurityCtrlr', 'CertSigningRepeatTimes'), -1);
    const waitMin = readInt(this.#service, cvOf('SecurityCtrlr', 'CertSigningWaitMinimum'), -1);
    if (repeat < 0 || waitMin < 0) return;
    if (this.#attempt > repeat) {
      this.#reset();
      return;
    }
    const s = Math.max(MIN_WAIT_S, waitMin) * 2 ** this.#attempt;
    this.#timer.set(s * 1000, () => {
      this.#log.info({ use }, 'no CertificateSigned in time: SignCertificate again');
      this.#attempt++;
      this.#awaiting = undefined;
      this.request(use, false).catch((err: unknown) => this.#log.error({ err }, 'SignCertificate repeat failed'));
    });
  }

  /** A CertificateSigned arrived: nothing is awaited any more (libocpp resets the attempt and its timer). */
  certificateSigned(): void {
    this.#reset();
  }

  stop(): void {
    this.#timer.clear();
  }

  #reset(): void {
    this.#awaiting = undefined;
    this.#attempt = 1;
    this.#timer.clear();
  }

  #subject(use: CertificateSigningUse): { country: string; organization: string; common: string; useTpm: boolean } | string {
    const s = this.#service;
    const station = use === 'ChargingStationCertificate';
    const common = readString(s, station ? cvOf('InternalCtrlr', 'ChargeBoxSerialNumber') : cvOf('ISO15118Ctrlr', 'SeccId'));
    const organization = readString(s, station ? cvOf('SecurityCtrlr', 'OrganizationName') : cvOf('ISO15118Ctrlr', 'OrganizationName'));
    // ISO15118Ctrlr is not in TsOcpp's device model: InternalCtrlr.CertificateCountryName stands in for it.
    const country = readString(s, cvOf('ISO15118Ctrlr', 'CountryName')) || readString(s, cvOf('InternalCtrlr', 'CertificateCountryName')) || undefined;
    const useTpm = readBool(s, cvOf('InternalCtrlr', station ? 'UseTPM' : 'UseTPMSeccLeafCertificate'), false);
    if (common === undefined) return 'commonName';
    if (country === undefined) return 'countryName (InternalCtrlr.CertificateCountryName)';
    if (organization === undefined) return 'organizationName';
    return { country, organization, common, useTpm };
  }
}
