// CertificateSigned (OCPP 2.0.1 A02/A03), decided as libocpp's security block handle_certificate_signed_req: the
// chain goes to evse_security update_leaf_certificate (no certificateType: ChargingStationCertificate); Accepted
// only when it answers Accepted, else Rejected and the security event InvalidChargingStationCertificate with its
// reason (A02.FR.06/07); an accepted charging station certificate under security profile 3 makes the link connect
// again with it (A02.FR.09/10) and raises ReconfigurationOfSecurityParameters. Without a `security` connection:
// NotSupported, as before.
import type { CertificateSignedRequest, CertificateSignedResponse } from '../certificate-types.js';
import { createRPCError } from '../rpc.js';
import { recordSecurityEvent } from '../station/security-events.js';
import { readInt, SECURITY_PROFILE } from '../variables.js';
import type { CallHandler } from './context.js';

export const certificateSigned: CallHandler<CertificateSignedRequest, CertificateSignedResponse> = async (req, ctx) => {
  const security = ctx.securityControl;
  if (!security) throw createRPCError('NotSupported', 'CertificateSigned needs a security (evse_security) connection');
  ctx.station.certificateSigned();
  const use = req.certificateType ?? 'ChargingStationCertificate';
  let result: string;
  try {
    result = await security.updateLeafCertificate(req.certificateChain, use);
  } catch (err) {
    ctx.log.error({ err }, 'evse_security update_leaf_certificate failed');
    result = 'WriteError';
  }
  if (result !== 'Accepted') {
    ctx.after(() => recordSecurityEvent(ctx.service, ctx.log, 'InvalidChargingStationCertificate', result));
    return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidCertificate', additionalInfo: result } };
  }
  if (use === 'ChargingStationCertificate' && readInt(ctx.service, SECURITY_PROFILE, 0) === 3) {
    ctx.after(() => {
      recordSecurityEvent(ctx.service, ctx.log, 'ReconfigurationOfSecurityParameters', 'Changed charging station certificate');
      ctx.station.clientCertificateChanged();
    });
  }
  return { status: 'Accepted' };
};
