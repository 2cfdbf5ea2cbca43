// SetVariables (OCPP 2.0.1 B05) on the bus command's code path: OcppService.setVariables, so the statuses,
// the one-transaction durability and the monitor events are the same. DeviceDataCtrlr ItemsPerMessage /
// BytesPerMessage SetVariables bound the request the way B06.FR.16/17 bound GetVariables.
// After the answer, as libocpp provisioning.cpp handle_variable_changed: a new HeartbeatInterval takes
// effect at once; a new BasicAuthPassword too (A01): the link reconnects with it, and the one in force before
// is kept until the CSMS accepted the new one (src/ocpp/basic-auth/rotation.ts).
// Before it, as libocpp validate_set_variable: a NetworkConfigurationPriority naming an empty slot, or (A05) one
// whose first profile is below SecurityCtrlr SecurityProfile, is Rejected without being set (network-profile.ts).
// A new priority is not used at once (libocpp reads it when it starts): the next Reset connects with it.
import type { ComponentVariable } from '../../generated/types/ocpp.js';
import { checkNetworkPriority } from '../network-profile.js';
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
  const held = ctx.station.heldSlot !== undefined && ctx.station.heldSecurityProfile !== undefined
    ? { slot: ctx.station.heldSlot, securityProfile: ctx.station.heldSecurityProfile } : undefined;
  const refused = req.setVariableData.map((d) => {
    if ((d.attributeType ?? 'Actual') !== 'Actual' || !stationWide(d, 'OCPPCommCtrlr', 'NetworkConfigurationPriority')) return undefined;
    const why = checkNetworkPriority(ctx.service, d.attributeValue, held);
    if (why !== undefined) ctx.log.warn({ value: d.attributeValue, why }, 'NetworkConfigurationPriority rejected');
    return why;
  });
  const asked = req.setVariableData.filter((_, i) => refused[i] === undefined);
  const done = ctx.service.setVariables(toEverestSetVariableRequests(asked));
  let next = 0;
  const results = req.setVariableData.map((d, i) => (refused[i] === undefined ? done[next++]! : {
    status: 'Rejected' as const,
    component_variable: toEverestSetVariableRequests([d])[0]!.component_variable,
    attribute_type: d.attributeType ?? 'Actual',
  }));
  const changed = (component: string, variable: string) => results.some((r) => r.status === 'Accepted'
    && (r.attribute_type ?? 'Actual') === 'Actual' && stationWide(r.component_variable, component, variable));
  if (changed('OCPPCommCtrlr', 'HeartbeatInterval')) ctx.after(() => ctx.station.heartbeatIntervalChanged());
  if (rotating) {
    if (changed('SecurityCtrlr', 'BasicAuthPassword')) ctx.after(() => ctx.station.passwordChanged());
    else rotating.undo();
  }
  return { setVariableResult: toOcppSetVariableResults(results) };
};
