// SetVariables (OCPP 2.0.1 B05) on the bus command's code path: OcppService.setVariables, so the statuses,
// the one-transaction durability and the monitor events are the same. DeviceDataCtrlr ItemsPerMessage /
// BytesPerMessage SetVariables bound the request the way B06.FR.16/17 bound GetVariables.
// After the answer, as libocpp provisioning.cpp handle_variable_changed: a new HeartbeatInterval takes
// effect at once; a new BasicAuthPassword too (A01): the link reconnects with it, and the one in force before
// is kept until the CSMS accepted the new one (src/ocpp/basic-auth/rotation.ts).
import type { ComponentVariable } from '../../generated/types/ocpp.js';
import { toEverestSetVariableRequests, toOcppSetVariableResults } from '../mapping.js';
import type { SetVariableData, SetVariablesRequest, SetVariablesResponse } from '../ocpp-types.js';
import { checkMessageLimits, type CallHandler } from './context.js';

const stationWide = (cv: ComponentVariable | SetVariableData, component: string, variable: string): boolean =>
  cv.component.name === component && cv.component.evse === undefined && cv.component.instance === undefined
  && cv.variable.name === variable && cv.variable.instance === undefined;

export const setVariables: CallHandler<SetVariablesRequest, SetVariablesResponse> = (req, ctx) => {
  checkMessageLimits(ctx, 'SetVariables', req.setVariableData.length);
  const rotating = req.setVariableData.some((d) => (d.attributeType ?? 'Actual') === 'Actual' && stationWide(d, 'SecurityCtrlr', 'BasicAuthPassword'))
    ? ctx.service.basicAuth.rotating() : undefined;
  const results = ctx.service.setVariables(toEverestSetVariableRequests(req.setVariableData));
  const changed = (component: string, variable: string) => results.some((r) => r.status === 'Accepted'
    && (r.attribute_type ?? 'Actual') === 'Actual' && stationWide(r.component_variable, component, variable));
  if (changed('OCPPCommCtrlr', 'HeartbeatInterval')) ctx.after(() => ctx.station.heartbeatIntervalChanged());
  if (rotating) {
    if (changed('SecurityCtrlr', 'BasicAuthPassword')) ctx.after(() => ctx.station.passwordChanged());
    else rotating.undo();
  }
  return { setVariableResult: toOcppSetVariableResults(results) };
};
