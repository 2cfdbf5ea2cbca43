// set_variables and internal changes. The whole batch is one SQLite transaction, committed (and, with
// synchronous=FULL, synced) before the results are returned; monitors fire only after that commit.
import { DeviceModelError } from '../device-model/errors.js';
import { describeComponent } from '../device-model/repository.js';
import { validateValue } from '../device-model/validate.js';
import type {
  AttributeEnum, ComponentVariable, EventData, SetVariableRequest, SetVariableResult, SetVariableStatusEnumType,
} from '../generated/types/ocpp.js';
import { emitEvents, writeValue, type Target } from './change.js';
import type { Applied } from './group-commit.js';
import { attributeOf, componentKeyOf, copyComponentVariable, resolve, type ServiceContext } from './context.js';

function describe(cv: ComponentVariable): string {
  const v = cv.variable.instance === undefined ? cv.variable.name : `${cv.variable.name}/${cv.variable.instance}`;
  return `${describeComponent(componentKeyOf(cv.component))}.${v}`;
}

/**
 * Order of checks follows libocpp device_model.cpp set_value: UnknownComponent, UnknownVariable, value
 * against the characteristics (Rejected), NotSupportedAttributeType, then mutability. Differences:
 * - ReadOnly is always Rejected here (OCPP 2.0.1 SetVariables; libocpp's EVerest-facing set_variables passes
 *   allow_read_only=true, TsOcpp keeps that for setInternal only). A constant attribute is Rejected too.
 * - A value equal to the stored one is Accepted without a write (and without RebootRequired or an event).
 * - rebootRequired variables store the value and answer RebootRequired (SetVariableStatusEnumType).
 */
function setOne(ctx: ServiceContext, req: SetVariableRequest, events: EventData[], changed: ComponentVariable[]): SetVariableStatusEnumType {
  const r = resolve(ctx.repo, req.component_variable);
  if (r.status !== 'ok') return r.status;
  if (typeof req.value !== 'string' || validateValue(r.variable.characteristics, req.value) !== undefined) {
    return 'Rejected';
  }
  const attribute = ctx.repo.attribute(r.variable.id, attributeOf(req.attribute_type));
  if (!attribute) return 'NotSupportedAttributeType';
  if (attribute.mutability === 'ReadOnly' || attribute.constant) return 'Rejected';
  if (attribute.value === req.value) return 'Accepted';
  const t: Target = { component: r.component, variable: r.variable, attribute };
  const event = writeValue(ctx, t, req.value);
  // libocpp provisioning.cpp handle_variables_changed: a WriteOnly change is logged without its value.
  if (attribute.mutability === 'WriteOnly') {
    ctx.log.debug({ variable: describe(req.component_variable), attribute: attribute.type }, 'write-only variable changed');
  } else {
    ctx.log.debug({ variable: describe(req.component_variable), attribute: attribute.type, value: req.value }, 'variable changed');
  }
  if (r.variable.reboot_required) return 'RebootRequired';
  // libocpp set_value notifies listeners only when the storage answered Accepted: not for RebootRequired.
  if (event) events.push(event);
  if (attribute.type === 'Actual') changed.push(req.component_variable);
  return 'Accepted';
}

export function setVariables(ctx: ServiceContext, requests: SetVariableRequest[]): SetVariableResult[] {
  const applied = applySetVariables(ctx, requests);
  applied.announce();
  return applied.value;
}

/**
 * The writes of set_variables in one transaction (a savepoint inside a group commit, src/ocpp/group-commit.ts),
 * and what to announce (events, monitors) once they are durable.
 */
export function applySetVariables(ctx: ServiceContext, requests: SetVariableRequest[]): Applied<SetVariableResult[]> {
  const events: EventData[] = [];
  const changed: ComponentVariable[] = [];
  const statuses = ctx.repo.transaction(() => requests.map((req) => setOne(ctx, req, events, changed)));
  const results = requests.map((req, i): SetVariableResult => ({
    status: statuses[i] ?? 'Rejected',
    component_variable: copyComponentVariable(req.component_variable),
    // libocpp provisioning.cpp set_variables_internal: attributeType = value_or(Actual), always echoed.
    attribute_type: attributeOf(req.attribute_type),
  }));
  return {
    value: results,
    announce: () => {
      emitEvents(ctx, events);
      for (const cv of changed) ctx.events.emit('variable_changed', cv);
    },
  };
}

/**
 * A change made by TsOcpp itself or another module (not by set_variables): may write ReadOnly and WriteOnly
 * attributes, like libocpp's set_read_only_value, but still validates the value and refuses constants.
 * Throws a DeviceModelError instead of answering a status.
 */
export function setInternal(
  ctx: ServiceContext, cv: ComponentVariable, value: string, attributeType?: AttributeEnum,
): void {
  let changed = false;
  const event = ctx.repo.transaction(() => {
    const r = resolve(ctx.repo, cv);
    if (r.status !== 'ok') {
      throw new DeviceModelError('TSOCPP_ERR_UNKNOWN_VARIABLE', `${r.status}: ${describe(cv)}`);
    }
    const type = attributeOf(attributeType);
    const attribute = ctx.repo.attribute(r.variable.id, type);
    if (!attribute) throw new DeviceModelError('TSOCPP_ERR_UNKNOWN_VARIABLE', `${describe(cv)} has no ${type} attribute`);
    if (attribute.constant && attribute.value !== value) {
      throw new DeviceModelError('TSOCPP_ERR_INVALID_ARGUMENT', `${describe(cv)} is constant`);
    }
    const why = validateValue(r.variable.characteristics, value);
    // The message never carries the value: it may be a secret.
    if (why) throw new DeviceModelError('TSOCPP_ERR_INVALID_VALUE', `value for ${describe(cv)} rejected: ${why}`);
    changed = type === 'Actual' && attribute.value !== value;
    return writeValue(ctx, { component: r.component, variable: r.variable, attribute }, value);
  });
  if (event) ctx.events.emit('event_data', event);
  if (changed) ctx.events.emit('variable_changed', cv);
}
