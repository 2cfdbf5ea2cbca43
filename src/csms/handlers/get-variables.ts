// GetVariables (OCPP 2.0.1 B06) on the bus command's code path: OcppService.getVariables. Limits as libocpp
// provisioning.cpp handle_get_variables_req: more than DeviceDataCtrlr ItemsPerMessage GetVariables items is
// an OccurrenceConstraintViolation (B06.FR.16), more than BytesPerMessage GetVariables bytes a FormatViolation
// (B06.FR.17). Values longer than ReportingValueSize are cut to it.
import { MAX_ATTRIBUTE_VALUE, toEverestGetVariableRequests, toOcppGetVariableResults } from '../mapping.js';
import type { GetVariablesRequest, GetVariablesResponse } from '../ocpp-types.js';
import { capValueSize } from '../variables.js';
import { checkMessageLimits, type CallHandler } from './context.js';

export const getVariables: CallHandler<GetVariablesRequest, GetVariablesResponse> = (req, ctx) => {
  const limits = checkMessageLimits(ctx, 'GetVariables', req.getVariableData.length);
  const results = ctx.service.getVariables(toEverestGetVariableRequests(req.getVariableData));
  return { getVariableResult: toOcppGetVariableResults(results, capValueSize(limits.reportingValueSize, MAX_ATTRIBUTE_VALUE)) };
};
