// get_variables: one result per request, in request order (OCPP 2.0.1 B06.FR.xx; libocpp
// functional_blocks/provisioning.cpp get_variables builds one GetVariableResult per GetVariableData).
import type { GetVariableRequest, GetVariableResult, GetVariableStatusEnumType, ComponentVariable, AttributeEnum } from '../generated/types/ocpp.js';
import { attributeOf, copyComponentVariable, resolve, type ServiceContext } from './context.js';

export interface ReadResult {
  status: GetVariableStatusEnumType;
  /** Present only when status is Accepted. */
  value?: string;
}

/**
 * Reads one attribute for the bus. Order of checks follows libocpp device_model.cpp request_value_internal:
 * UnknownComponent, UnknownVariable, NotSupportedAttributeType (no such attribute, or it has no value),
 * Rejected for WriteOnly ("only internal functions can access WriteOnly variables"), else Accepted.
 * One deviation: WriteOnly is checked before "has no value", so a caller cannot learn whether a secret is set.
 */
export function readVariable(ctx: ServiceContext, cv: ComponentVariable, attributeType?: AttributeEnum): ReadResult {
  const r = resolve(ctx.repo, cv);
  if (r.status !== 'ok') return { status: r.status };
  const attribute = ctx.repo.attribute(r.variable.id, attributeOf(attributeType));
  if (!attribute) return { status: 'NotSupportedAttributeType' };
  if (attribute.mutability === 'WriteOnly') return { status: 'Rejected' };
  if (attribute.value === null) return { status: 'NotSupportedAttributeType' };
  return { status: 'Accepted', value: attribute.value };
}

/**
 * Reads one attribute for TsOcpp's own use, WriteOnly values included (libocpp device_model.cpp
 * get_value with allow_write_only: "only internal functions can access WriteOnly variables").
 * Never wired to a bus or CSMS answer.
 */
export function readInternal(ctx: ServiceContext, cv: ComponentVariable, attributeType?: AttributeEnum): string | undefined {
  const r = resolve(ctx.repo, cv);
  if (r.status !== 'ok') return undefined;
  const attribute = ctx.repo.attribute(r.variable.id, attributeOf(attributeType));
  return attribute?.value ?? undefined;
}

export function getVariables(ctx: ServiceContext, requests: GetVariableRequest[]): GetVariableResult[] {
  return requests.map((req) => {
    const read = readVariable(ctx, req.component_variable, req.attribute_type);
    const result: GetVariableResult = {
      status: read.status,
      // libocpp provisioning.cpp: attributeType = request.attributeType.value_or(Actual), always echoed.
      attribute_type: attributeOf(req.attribute_type),
      component_variable: copyComponentVariable(req.component_variable),
    };
    // The value field exists only for Accepted (GetVariableResult: "can only be empty when not accepted").
    if (read.status === 'Accepted' && read.value !== undefined) result.value = read.value;
    return result;
  });
}
