// DataTransfer from the CSMS (OCPP 2.0.1 P01). First the service's registry of vendor handlers (the same
// one the bus data_transfer command uses without a CSMS); a vendor it does not know goes to the bus
// requirement `data_transfer` when one is connected, as everest-core OCPP201.cpp does for every request
// (data_transfer_callback is registered only when r_data_transfer is not empty, and libocpp answers
// UnknownVendorId when there is no callback: functional_blocks/data_transfer.cpp handle_message).
import { asDataTransferResponse, toEverestDataTransferRequest, toOcppDataTransferResponse } from '../mapping.js';
import type { OcppDataTransferRequest, OcppDataTransferResponse } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const dataTransfer: CallHandler<OcppDataTransferRequest, OcppDataTransferResponse> = async (req, ctx) => {
  const request = toEverestDataTransferRequest(req);
  const local = await ctx.service.dataTransfer.handle(request);
  if (local.status !== 'UnknownVendorId' || !ctx.forwardDataTransfer) return toOcppDataTransferResponse(local);
  try {
    const res = asDataTransferResponse(await ctx.forwardDataTransfer(request));
    if (res) return toOcppDataTransferResponse(res);
    ctx.log.error({ vendor_id: request.vendor_id }, 'data_transfer requirement answered no valid DataTransferResponse');
  } catch (err) {
    ctx.log.error({ vendor_id: request.vendor_id, err }, 'data_transfer requirement call failed');
  }
  return { status: 'Rejected' };
};
