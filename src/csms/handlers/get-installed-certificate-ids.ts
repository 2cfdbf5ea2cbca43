// GetInstalledCertificateIds (OCPP 2.0.1 M03), as libocpp's security block handle_get_installed_certificate_ids_req:
// evse_security get_installed_certificates of the asked types (none asked: all five), Accepted with the chains,
// NotFound when there are none. A failed call is answered with a CALLERROR InternalError. Without a `security`
// connection: NotSupported.
import type { GetInstalledCertificateIdsRequest, GetInstalledCertificateIdsResponse } from '../certificate-types.js';
import { createRPCError } from '../rpc.js';
import type { CallHandler } from './context.js';

export const getInstalledCertificateIds: CallHandler<GetInstalledCertificateIdsRequest, GetInstalledCertificateIdsResponse> = async (req, ctx) => {
  const security = ctx.securityControl;
  if (!security) throw createRPCError('NotSupported', 'GetInstalledCertificateIds needs a security (evse_security) connection');
  let chains;
  try {
    chains = await security.installedCertificates(req.certificateType?.length ? req.certificateType : undefined);
  } catch (err) {
    ctx.log.error({ err }, 'evse_security get_installed_certificates failed');
    throw createRPCError('InternalError', 'the certificate store could not be read');
  }
  return chains.length === 0 ? { status: 'NotFound' } : { status: 'Accepted', certificateHashDataChain: chains };
};
