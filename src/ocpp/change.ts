// The one write path for variable values. Every change (set_variables, internal changes, availability)
// goes through writeValue inside a repository transaction; it returns the event_data a monitor asks for,
// which the caller emits only after the transaction committed.
import type { AttributeRow, ComponentRow, VariableRow } from '../device-model/types.js';
import type { EventData } from '../generated/types/ocpp.js';
import { toComponent, toVariable, type ServiceContext } from './context.js';

export const EVENT_ID_COUNTER = 'event_id';

export interface Target {
  component: ComponentRow;
  variable: VariableRow;
  attribute: AttributeRow;
}

/**
 * Stores the value and, when the Actual value of a monitored variable really changed, builds its EventData.
 * libocpp (device_model.cpp set_value) calls its variable listeners only for Actual, only on success and
 * only when the previous and the new value differ; we do the same.
 */
export function writeValue(ctx: ServiceContext, t: Target, value: string): EventData | undefined {
  const previous = t.attribute.value;
  if (previous === value) return undefined;
  ctx.repo.writeAttribute(t.attribute.id, value);
  if (t.attribute.type !== 'Actual') return undefined;
  const monitorId = ctx.repo.monitorOf(t.variable.id);
  if (monitorId === undefined) return undefined;
  return {
    component_variable: { component: toComponent(t.component), variable: toVariable(t.variable) },
    // Persisted counter, bumped in the same transaction as the change: ids keep increasing across restarts.
    event_id: ctx.repo.nextCounter(EVENT_ID_COUNTER),
    timestamp: ctx.now().toISOString(),
    trigger: 'Delta',
    // libocpp monitoring_updater.cpp: a WriteOnly variable's event carries an empty value, never the secret.
    actual_value: t.attribute.mutability === 'WriteOnly' ? '' : value,
    event_notification_type: 'CustomMonitor',
    variable_monitoring_id: monitorId,
  };
}

export function emitEvents(ctx: ServiceContext, events: EventData[]): void {
  for (const e of events) ctx.events.emit('event_data', e);
}
