// UpdateFirmware (OCPP 2.0.1 L01 signed, L02 unsigned), as libocpp firmware_update.cpp handle_firmware_update_req
// with everest-core OCPP201's update_firmware_request_callback: the request goes to system.update_firmware
// (retries + 1: EVerest counts attempts, OCPP counts retries), and the CSMS gets the system's answer
// (UpdateFirmwareStatusEnum; 2023.12's AcceptedCancelled is AcceptedCanceled). InvalidCertificate or
// RevokedCertificate raise InvalidFirmwareSigningCertificate after the answer (L01.FR.02). The statuses the system
// module reports afterwards become FirmwareStatusNotifications (src/ocpp/firmware/activity.ts).
// With a security connection the signingCertificate is first checked as libocpp does (L01.FR.02/22): evse_security
// verify_certificate as an MF leaf; anything but Valid is answered InvalidCertificate (evse_security has no
// revocation result; RevokedCertificate can only come from the system module) with InvalidFirmwareSigningCertificate
// after it, and update_firmware is not called. Without one the certificate goes to the system module unchecked,
// which checks it (everest-core's System module does).
// Without a system connection: Rejected, with reasonCode NoSystemModule; nothing can install firmware.
import type { FirmwareUpdateRequest } from '../../generated/types/system.js';
import type { UpdateFirmwareRequest, UpdateFirmwareResponse, UpdateFirmwareStatus } from '../../ocpp/firmware/ocpp-types.js';
import { recordSecurityEvent } from '../station/security-events.js';
import type { CallHandler } from './context.js';

const STATUSES: ReadonlySet<string> = new Set<UpdateFirmwareStatus>(['Accepted', 'Rejected', 'AcceptedCanceled', 'InvalidCertificate', 'RevokedCertificate']);

/** The system's UpdateFirmwareResponse as OCPP's UpdateFirmwareStatusEnum (either release's spelling). */
export function toUpdateFirmwareStatus(answer: string): UpdateFirmwareStatus | undefined {
  if (answer === 'AcceptedCancelled') return 'AcceptedCanceled';
  return STATUSES.has(answer) ? (answer as UpdateFirmwareStatus) : undefined;
}

/** OCPP201 conversions to_everest_firmware_update_request. */
export function toSystemFirmwareUpdate(req: UpdateFirmwareRequest): FirmwareUpdateRequest {
  const f = req.firmware;
  return {
    request_id: req.requestId,
    location: f.location,
    retrieve_timestamp: f.retrieveDateTime,
    ...(req.retries !== undefined ? { retries: req.retries + 1 } : {}),
    ...(req.retryInterval !== undefined ? { retry_interval_s: req.retryInterval } : {}),
    ...(f.installDateTime !== undefined ? { install_timestamp: f.installDateTime } : {}),
    ...(f.signingCertificate !== undefined ? { signing_certificate: f.signingCertificate } : {}),
    ...(f.signature !== undefined ? { signature: f.signature } : {}),
  };
}

export const updateFirmware: CallHandler<UpdateFirmwareRequest, UpdateFirmwareResponse> = async (req, ctx) => {
  const system = ctx.systemControl;
  if (!system) {
    return { status: 'Rejected', statusInfo: { reasonCode: 'NoSystemModule', additionalInfo: 'no system module connected to install firmware' } };
  }
  const certificate = req.firmware.signingCertificate;
  if (certificate !== undefined && ctx.securityControl) {
    let check: string;
    try {
      check = await ctx.securityControl.verifyCertificate(certificate, 'MF');
    } catch (err) {
      ctx.log.error({ err, requestId: req.requestId }, 'evse_security verify_certificate failed; UpdateFirmware Rejected');
      return { status: 'Rejected', statusInfo: { reasonCode: 'InternalError', additionalInfo: 'the signing certificate could not be checked' } };
    }
    if (check !== 'Valid') {
      ctx.log.warn({ check, requestId: req.requestId }, 'firmware signing certificate not valid; UpdateFirmware InvalidCertificate');
      ctx.after(() => recordSecurityEvent(ctx.service, ctx.log, 'InvalidFirmwareSigningCertificate', `Provided signing certificate is not valid (${check.slice(0, 50)})`));
      return { status: 'InvalidCertificate' };
    }
  }
  const activity = ctx.service.activity;
  // Statuses the system reports while it answers are queued, and sent once the answer is out.
  activity.hold();
  ctx.after(() => activity.release());
  let answer: string;
  try {
    answer = await system.updateFirmware(toSystemFirmwareUpdate(req));
  } catch (err) {
    ctx.log.error({ err, requestId: req.requestId }, 'system update_firmware failed; UpdateFirmware Rejected');
    return { status: 'Rejected', statusInfo: { reasonCode: 'InternalError', additionalInfo: 'the system module did not answer update_firmware' } };
  }
  const status = toUpdateFirmwareStatus(answer);
  if (status === undefined) {
    ctx.log.error({ answer, requestId: req.requestId }, 'system update_firmware gave an unknown answer; UpdateFirmware Rejected');
    return { status: 'Rejected' };
  }
  if (status === 'Accepted' || status === 'AcceptedCanceled') {
    activity.updateRequested(req.firmware.signingCertificate !== undefined || req.firmware.signature !== undefined);
  }
  if (status === 'InvalidCertificate' || status === 'RevokedCertificate') {
    ctx.after(() => recordSecurityEvent(ctx.service, ctx.log, 'InvalidFirmwareSigningCertificate', `Provided signing certificate is not valid (${status})`));
  }
  return { status };
};
