// InstallCertificate (OCPP 2.0.1 M05), decided as libocpp's security block handle_install_certificate_req: over
// security profile 1 a CSMS or manufacturer root is refused (Rejected, UnsecureConnection) unless InternalCtrlr
// AllowCSMSRootCertInstallWithUnsecureConnection / AllowMFRootCertInstallWithUnsecureConnection say true (their
// default); otherwise evse_security install_ca_certificate decides (WriteError: Failed; any other refusal:
// Rejected) and an installed one raises ReconfigurationOfSecurityParameters. Without a `security` connection:
// NotSupported, as before.
import type { InstallCertificateRequest, InstallCertificateResponse } from '../certificate-types.js';
import { createRPCError } from '../rpc.js';
import { recordSecurityEvent } from '../station/security-events.js';
import { cvOf, readBool, readInt, SECURITY_PROFILE } from '../variables.js';
import type { CallContext, CallHandler } from './context.js';

function allowed(req: InstallCertificateRequest, ctx: CallContext): boolean {
  if (readInt(ctx.service, SECURITY_PROFILE, 0) > 1) return true;
  if (req.certificateType === 'CSMSRootCertificate') return readBool(ctx.service, cvOf('InternalCtrlr', 'AllowCSMSRootCertInstallWithUnsecureConnection'), true);
  if (req.certificateType === 'ManufacturerRootCertificate') return readBool(ctx.service, cvOf('InternalCtrlr', 'AllowMFRootCertInstallWithUnsecureConnection'), true);
  return true;
}

export const installCertificate: CallHandler<InstallCertificateRequest, InstallCertificateResponse> = async (req, ctx) => {
  const security = ctx.securityControl;
  if (!security) throw createRPCError('NotSupported', 'InstallCertificate needs a security (evse_security) connection');
  if (!allowed(req, ctx)) {
    return { status: 'Rejected', statusInfo: { reasonCode: 'UnsecureConnection', additionalInfo: 'CertificateInstallationNotAllowedWithUnsecureConnection' } };
  }
  let status: InstallCertificateResponse['status'];
  try {
    status = await security.installCaCertificate(req.certificate, req.certificateType);
  } catch (err) {
    ctx.log.error({ err }, 'evse_security install_ca_certificate failed');
    status = 'Failed';
  }
  if (status === 'Accepted') {
    ctx.after(() => recordSecurityEvent(ctx.service, ctx.log, 'ReconfigurationOfSecurityParameters', `Installed certificate: ${req.certificateType}`));
  }
  return { status };
};
