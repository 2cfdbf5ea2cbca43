// GetVariables (OCPP 2.0.1 B06) on the bus command's code path: OcppService.getVariables. Limits as libocpp
// provisioning.cpp handle_get_variables_req: more than DeviceDataCtrlr ItemsPerMessage GetVariables items is
// an OccurrenceConstraintViolation (B06.FR.16), more than BytesPerMessage GetVariables bytes a FormatViolation
// (B06.FR.17). Values longer than ReportingValueSize are cut to it.
import { createRPCError } from '../rpc.js';
import { MAX_ATTRIBUTE_VALUE, toEverestGetVariableRequests, toOcppGetVariableResults } from '../mapping.js';
import type { GetVariablesRequest, GetVariablesResponse } from '../ocpp-types.js';
import { capValueSize, readMessageLimits } from '../variables.js';
import type { CallHandler } from './context.js';

export const getVariables: CallHandler<GetVariablesRequest, GetVariablesResponse> = (req, ctx) => {
  const limits = readMessageLimits(ctx.service, 'GetVariables');
  if (req.getVariableData.length > limits.items) {
    throw createRPCError('OccurrenceConstraintViolation', `at most ${limits.items} items per GetVariables (DeviceDataCtrlr ItemsPerMessage)`);
  }
  if (ctx.payloadBytes > limits.bytes) {
    throw createRPCError('FormatViolation', `at most ${limits.bytes} bytes per GetVariables (DeviceDataCtrlr BytesPerMessage)`);
  }
  const results = ctx.service.getVariables(toEverestGetVariableRequests(req.getVariableData));
  return { getVariableResult: toOcppGetVariableResults(results, capValueSize(limits.reportingValueSize, MAX_ATTRIBUTE_VALUE)) };
};
