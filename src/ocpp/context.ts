// What every command of the OCPP service shares: the device model repository (the one owner of SQLite),
// the clock, the logger and the event emitter. Also the mapping between bus identifiers and rows.
import type { Logger } from '../log.js';
import type { DeviceModelRepository } from '../device-model/repository.js';
import type { AttributeType, ComponentKey, ComponentRow, VariableRow } from '../device-model/types.js';
import type {
  AttributeEnum, Component, ComponentVariable, EventData, OperationalStatusEnumType, SecurityEvent, Variable,
  EVSE,
} from '../generated/types/ocpp.js';
import type { Emitter } from './events.js';
import type { BoundedOutbox } from './outbox.js';
import type { TransactionEventRequest } from './transactions/ocpp-types.js';

/** A TransactionEvent queued for the CSMS, with the EVSE manager's session uuid it belongs to. */
export interface TransactionEventMade {
  request: TransactionEventRequest;
  /** EVerest's session uuid; the transactionId when the session is no longer known. */
  sessionId: string;
}

/** The parts of an OCPP 2.0.1 TransactionEventResponse TsOcpp passes on (the CSMS's answer, schema-checked). */
export interface TransactionEventAnswer {
  totalCost?: number;
  chargingPriority?: number;
  idTokenInfo?: { status: string; [key: string]: unknown };
  updatedPersonalMessage?: { format: string; language?: string; content: string };
}

/** A TransactionEvent and the CSMS's answer to it. */
export interface TransactionEventAnswered {
  request: TransactionEventRequest;
  response: TransactionEventAnswer;
}
import type { ConnectorStatusChange } from './connector-status.js';

/** An effective availability change of one unit: no evse = the station, evse without connector = an EVSE. */
export interface AvailabilityChange {
  evse?: EVSE;
  operational_status: OperationalStatusEnumType;
}

export interface OcppServiceEvents {
  event_data: (e: EventData) => void;
  security_event: (e: SecurityEvent) => void;
  availability: (c: AvailabilityChange) => void;
  /** A connector's status changed through its conditions (plugged in, reserved, faulted; connector-status.ts). */
  connector_status: (c: ConnectorStatusChange) => void;
  connection: (connected: boolean) => void;
  /** Entries were appended to the outbox (after their transaction committed): the CSMS sender may go on. */
  outbox: () => void;
  /** TransactionEvents queued for the CSMS (committed), in order: the bus var ocpp_transaction_event. */
  transaction_event: (e: TransactionEventMade) => void;
  /** The CSMS answered a TransactionEvent: the bus var ocpp_transaction_event_response. */
  transaction_event_response: (e: TransactionEventAnswered) => void;
  /**
   * The Actual value of a variable changed (set_variables from the bus or the CSMS, or an internal change), after
   * the commit: libocpp's variable_changed_callback. Names the variable only; a listener reads the value.
   */
  variable_changed: (cv: ComponentVariable) => void;
}

export interface ServiceContext {
  repo: DeviceModelRepository;
  log: Logger;
  now: () => Date;
  events: Emitter<OcppServiceEvents>;
  /** Where messages for the CSMS are queued; absent without a CSMS link (nothing is queued then). */
  outbox?: BoundedOutbox | undefined;
}

export function componentKeyOf(c: Component): ComponentKey {
  return {
    name: c.name,
    instance: c.instance,
    evse_id: c.evse?.id,
    connector_id: c.evse?.connector_id,
  };
}

/** The bus form of a stored component. */
export function toComponent(row: ComponentRow): Component {
  const c: Component = { name: row.name };
  if (row.instance !== undefined) c.instance = row.instance;
  if (row.evse_id !== undefined) {
    c.evse = { id: row.evse_id };
    if (row.connector_id !== undefined) c.evse.connector_id = row.connector_id;
  }
  return c;
}

export function toVariable(row: VariableRow): Variable {
  const v: Variable = { name: row.name };
  if (row.instance !== undefined) v.instance = row.instance;
  return v;
}

/** A deep copy of the caller's identifier, echoed in results (never the caller's own object). */
export function copyComponentVariable(cv: ComponentVariable): ComponentVariable {
  const component: Component = { name: cv.component.name };
  if (cv.component.instance !== undefined) component.instance = cv.component.instance;
  if (cv.component.evse !== undefined) {
    component.evse = { id: cv.component.evse.id };
    if (cv.component.evse.connector_id !== undefined) component.evse.connector_id = cv.component.evse.connector_id;
  }
  const variable: Variable = { name: cv.variable.name };
  if (cv.variable.instance !== undefined) variable.instance = cv.variable.instance;
  return { component, variable };
}

export type Resolved =
  | { status: 'ok'; component: ComponentRow; variable: VariableRow }
  | { status: 'UnknownComponent' | 'UnknownVariable' };

/**
 * Finds a component variable. Component identity is name + instance + EVSE + connector, variable identity is
 * name + instance, compared exactly (libocpp device_model.cpp: lookup in the device model map by Component,
 * then by Variable; UnknownComponent before UnknownVariable).
 */
export function resolve(repo: DeviceModelRepository, cv: ComponentVariable): Resolved {
  const component = repo.findComponent(componentKeyOf(cv.component));
  if (!component) return { status: 'UnknownComponent' };
  const variable = repo.findVariable(component.id, cv.variable.name, cv.variable.instance);
  if (!variable) return { status: 'UnknownVariable' };
  return { status: 'ok', component, variable };
}

/** OCPP: an absent attributeType means Actual. */
export function attributeOf(a: AttributeEnum | undefined): AttributeType {
  return a ?? 'Actual';
}
