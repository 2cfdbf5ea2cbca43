// SetVariables (OCPP 2.0.1 B05) on the bus command's code path: OcppService.setVariables, so the statuses,
// the one-transaction durability and the monitor events are the same. DeviceDataCtrlr ItemsPerMessage /
// BytesPerMessage SetVariables bound the request the way B06.FR.16/17 bound GetVariables.
// After the answer, as libocpp provisioning.cpp handle_variable_changed: a new HeartbeatInterval takes
// effect at once; a new BasicAuthPassword is used from the next connection on.
import { toEverestSetVariableRequests, toOcppSetVariableResults } from '../mapping.js';
import type { SetVariablesRequest, SetVariablesResponse } from '../ocpp-types.js';
import { checkMessageLimits, type CallHandler } from './context.js';

export const setVariables: CallHandler<SetVariablesRequest, SetVariablesResponse> = (req, ctx) => {
  checkMessageLimits(ctx, 'SetVariables', req.setVariableData.length);
  const results = ctx.service.setVariables(toEverestSetVariableRequests(req.setVariableData));
  const heartbeatChanged = results.some((r) => r.status === 'Accepted' && (r.attribute_type ?? 'Actual') === 'Actual'
    && r.component_variable.component.name === 'OCPPCommCtrlr' && r.component_variable.component.evse === undefined
    && r.component_variable.component.instance === undefined && r.component_variable.variable.name === 'HeartbeatInterval');
  if (heartbeatChanged) ctx.after(() => ctx.station.heartbeatIntervalChanged());
  return { setVariableResult: toOcppSetVariableResults(results) };
};
