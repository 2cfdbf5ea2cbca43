// What each connector reports beside its availability: an EV plugged in (occupied), a reservation, a fault
// (OCPP 2.0.1 G01 StatusNotification, G03/G04 availability, H01 reservations). The rules are libocpp's
// component state manager (component_state_manager.cpp FullConnectorStatus::to_connector_status): Faulted
// before Unavailable before Occupied before Reserved before Available; an Inoperative unit (the connector,
// its EVSE or the station) is Unavailable, and so is a connector its EVSE manager disabled. The conditions are assumed false at start and are not persisted
// (libocpp keeps them in memory only); the operational state is (change-availability.ts).
import type { OperationalStatus } from '../device-model/types.js';
import { DeviceModelError } from '../device-model/errors.js';

export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';
export type ConnectorCondition = 'occupied' | 'reserved' | 'faulted' | 'unavailable';

export interface ConnectorConditionFlags {
  occupied: boolean;
  reserved: boolean;
  faulted: boolean;
  /** The EVSE manager disabled the connector itself (its Disabled session event; libocpp on_unavailable). */
  unavailable: boolean;
}

/** A connector status that changed, for whoever informs the CSMS (G01.FR.01..03). */
export interface ConnectorStatusChange {
  evse_id: number;
  connector_id: number;
  status: ConnectorStatus;
}

/** libocpp to_connector_status: its unavailable flag is the manager's Disabled or an Inoperative effective state. */
export function connectorStatusOf(flags: ConnectorConditionFlags, effective: OperationalStatus): ConnectorStatus {
  if (flags.faulted) return 'Faulted';
  if (flags.unavailable || effective === 'Inoperative') return 'Unavailable';
  if (flags.occupied) return 'Occupied';
  if (flags.reserved) return 'Reserved';
  return 'Available';
}

export class ConnectorConditions {
  readonly #evseCount: number;
  readonly #connectorsPerEvse: number;
  readonly #flags = new Map<string, ConnectorConditionFlags>();

  constructor(evseCount: number, connectorsPerEvse: number) {
    this.#evseCount = evseCount;
    this.#connectorsPerEvse = connectorsPerEvse;
  }

  #check(evseId: number, connectorId: number): void {
    if (!Number.isInteger(evseId) || evseId < 1 || evseId > this.#evseCount) {
      throw new DeviceModelError('TSOCPP_ERR_INVALID_ARGUMENT', `EVSE ${evseId} does not exist`);
    }
    if (!Number.isInteger(connectorId) || connectorId < 1 || connectorId > this.#connectorsPerEvse) {
      throw new DeviceModelError('TSOCPP_ERR_INVALID_ARGUMENT', `connector ${connectorId} of EVSE ${evseId} does not exist`);
    }
  }

  get(evseId: number, connectorId: number): ConnectorConditionFlags {
    return this.#flags.get(`${evseId}:${connectorId}`) ?? { occupied: false, reserved: false, faulted: false, unavailable: false };
  }

  /** Sets one condition; true when it changed. Throws for a connector that does not exist. */
  set(evseId: number, connectorId: number, condition: ConnectorCondition, on: boolean): boolean {
    this.#check(evseId, connectorId);
    const flags = { ...this.get(evseId, connectorId) };
    if (flags[condition] === on) return false;
    flags[condition] = on;
    this.#flags.set(`${evseId}:${connectorId}`, flags);
    return true;
  }
}
