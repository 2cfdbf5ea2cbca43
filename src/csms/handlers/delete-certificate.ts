// DeleteCertificate (OCPP 2.0.1 M04), as libocpp's security block handle_delete_certificate_req: evse_security
// delete_certificate decides (Accepted, Failed, NotFound; a failed call is Failed), and a deletion raises
// ReconfigurationOfSecurityParameters naming the serial number. Without a `security` connection: NotSupported.
import type { DeleteCertificateRequest, DeleteCertificateResponse } from '../certificate-types.js';
import { createRPCError } from '../rpc.js';
import { recordSecurityEvent } from '../station/security-events.js';
import type { CallHandler } from './context.js';

export const deleteCertificate: CallHandler<DeleteCertificateRequest, DeleteCertificateResponse> = async (req, ctx) => {
  const security = ctx.securityControl;
  if (!security) throw createRPCError('NotSupported', 'DeleteCertificate needs a security (evse_security) connection');
  let status: DeleteCertificateResponse['status'];
  try {
    status = await security.deleteCertificate(req.certificateHashData);
  } catch (err) {
    ctx.log.error({ err }, 'evse_security delete_certificate failed');
    status = 'Failed';
  }
  if (status === 'Accepted') {
    const serial = req.certificateHashData.serialNumber;
    ctx.after(() => recordSecurityEvent(ctx.service, ctx.log, 'ReconfigurationOfSecurityParameters', `Deleted certificate with serial number: ${serial}`));
  }
  return { status };
};
