// change_availability and the operational state of the station, its EVSEs and their connectors.
// Rules from libocpp functional_blocks/availability.cpp (change_availability_req, action_change_availability_req,
// handle_scheduled_change_availability_requests) and OCPP 2.0.1 G03/G04.
import type { AvailabilityRow, OperationalStatus } from '../device-model/types.js';
import type {
  ChangeAvailabilityRequest, ChangeAvailabilityResponse, EventData, EVSE, OperationalStatusEnumType,
} from '../generated/types/ocpp.js';
import { DeviceModelError } from '../device-model/errors.js';
import { emitEvents, writeValue } from './change.js';
import type { Applied } from './group-commit.js';
import type { AvailabilityChange, ServiceContext } from './context.js';
import { ConnectorConditions, connectorStatusOf, type ConnectorCondition, type ConnectorStatus } from './connector-status.js';

export interface UnitAvailability {
  /** The unit's own (individual) status, as last set by change_availability. */
  operational_status: OperationalStatusEnumType;
  /** What the unit really is: Inoperative when it or any parent is Inoperative. */
  effective: OperationalStatusEnumType;
  /** A change waiting for the end of a transaction. */
  scheduled?: OperationalStatusEnumType;
}

export interface AvailabilitySnapshot {
  station: UnitAvailability;
  evses: Array<UnitAvailability & {
    id: number;
    transaction_active: boolean;
    connectors: Array<UnitAvailability & { id: number }>;
  }>;
}

export interface Topology {
  evseCount: number;
  connectorsPerEvse: number;
}

const unitKey = (evse: number, connector: number): string => `${evse}:${connector}`;

/**
 * Why the station holds idle connectors Inoperative for a while, in memory only (libocpp
 * set_evse_connectors_unavailable(evse, persist=false)): a Reset OnIdle waiting for the transactions to end
 * (provisioning.cpp handle_reset_req, B12), or a firmware installation (firmware_update.cpp
 * change_all_connectors_to_unavailable_for_firmware_update, L01.FR.06/07).
 */
export type AvailabilityHold = 'reset' | 'firmware';

export class AvailabilityManager {
  readonly #ctx: ServiceContext;
  readonly #topology: Topology;
  readonly #rows = new Map<string, AvailabilityRow>();
  // Transactions are owned by the EVSE manager; we only learn of them through setTransactionActive.
  readonly #transactions = new Set<number>();
  readonly #conditions: ConnectorConditions;
  /** The status each connector's AvailabilityState was last given (what a change is measured against). */
  readonly #shown = new Map<string, ConnectorStatus>();
  /**
   * Holds in force, and the EVSEs whose connectors each holds Inoperative: those without a transaction when
   * the hold began, and each whose transaction ended since. Beside the stored rows, never written: a restart
   * forgets them and the connectors follow their stored state (libocpp restore_connector_operative_status).
   */
  readonly #holds = new Map<AvailabilityHold, Set<number>>();

  constructor(ctx: ServiceContext, topology: Topology) {
    this.#ctx = ctx;
    this.#topology = topology;
    this.#conditions = new ConnectorConditions(topology.evseCount, topology.connectorsPerEvse);
    ctx.repo.transaction(() => {
      ctx.repo.ensureAvailability(0, 0);
      for (let e = 1; e <= topology.evseCount; e++) {
        ctx.repo.ensureAvailability(e, 0);
        for (let c = 1; c <= topology.connectorsPerEvse; c++) ctx.repo.ensureAvailability(e, c);
      }
    });
    for (const row of ctx.repo.availabilityRows()) this.#rows.set(unitKey(row.evse_id, row.connector_id), row);
    // AvailabilityState variables follow the persisted state from the first moment (no events at start:
    // nobody has subscribed yet, and they only repeat what is stored).
    const events: EventData[] = [];
    ctx.repo.transaction(() => this.#syncAvailabilityState(events, true));
  }

  #row(evse: number, connector: number): AvailabilityRow {
    const row = this.#rows.get(unitKey(evse, connector));
    if (!row) throw new DeviceModelError('TSOCPP_ERR_INVALID_ARGUMENT', `no availability unit ${evse}:${connector}`);
    return row;
  }

  #effective(evse: number, connector: number): OperationalStatus {
    if (this.#row(0, 0).operational_status === 'Inoperative') return 'Inoperative';
    if (evse === 0) return 'Operative';
    if (this.#row(evse, 0).operational_status === 'Inoperative') return 'Inoperative';
    if (connector === 0) return 'Operative';
    for (const evses of this.#holds.values()) if (evses.has(evse)) return 'Inoperative';
    return this.#row(evse, connector).operational_status;
  }

  #units(): Array<[number, number]> {
    const out: Array<[number, number]> = [[0, 0]];
    for (let e = 1; e <= this.#topology.evseCount; e++) {
      out.push([e, 0]);
      for (let c = 1; c <= this.#topology.connectorsPerEvse; c++) out.push([e, c]);
    }
    return out;
  }

  #effectiveAll(): Map<string, OperationalStatus> {
    const m = new Map<string, OperationalStatus>();
    for (const [e, c] of this.#units()) m.set(unitKey(e, c), this.#effective(e, c));
    return m;
  }

  /** The status of a connector (connector-status.ts): its conditions and its effective operational state. */
  connectorStatus(evse: number, connector: number): ConnectorStatus {
    return connectorStatusOf(this.#conditions.get(evse, connector), this.#effective(evse, connector));
  }

  /**
   * An EVSE's AvailabilityState: Unavailable when Inoperative, else the status of its first connector that is
   * not Available (libocpp update_dm_availability_state writes each connector's status into its EVSE too).
   */
  #evseStatus(evse: number): ConnectorStatus {
    if (this.#effective(evse, 0) === 'Inoperative') return 'Unavailable';
    for (let c = 1; c <= this.#topology.connectorsPerEvse; c++) {
      const s = this.connectorStatus(evse, c);
      if (s !== 'Available') return s;
    }
    return 'Available';
  }

  /**
   * Writes the AvailabilityState variables (ChargingStation, EVSE, Connector) of the units in `changed` (all
   * with `all`): the station Available/Unavailable from its operational state, connectors and EVSEs their
   * status (libocpp charge_point.cpp update_dm_availability_state writes the connector status into these
   * ReadOnly variables).
   */
  #syncAvailabilityState(events: EventData[], all: boolean, changed?: Set<string>): void {
    for (const [e, c] of this.#units()) {
      if (!all && !changed?.has(unitKey(e, c))) continue;
      // Noted even when the device model lacks the variable: changes are measured against it.
      if (e !== 0 && c !== 0) this.#shown.set(unitKey(e, c), this.connectorStatus(e, c));
      const component = this.#ctx.repo.findComponent(
        e === 0 ? { name: 'ChargingStation' }
          : c === 0 ? { name: 'EVSE', evse_id: e }
            : { name: 'Connector', evse_id: e, connector_id: c },
      );
      if (!component) continue;
      const variable = this.#ctx.repo.findVariable(component.id, 'AvailabilityState');
      if (!variable) continue;
      const attribute = this.#ctx.repo.attribute(variable.id, 'Actual');
      if (!attribute) continue;
      const value = e === 0 ? (this.#effective(0, 0) === 'Operative' ? 'Available' : 'Unavailable')
        : c === 0 ? this.#evseStatus(e) : this.connectorStatus(e, c);
      const ev = writeValue(this.#ctx, { component, variable, attribute }, value);
      if (ev) events.push(ev);
    }
  }

  /**
   * A condition of a connector reported by its EVSE (plugged in, reserved, faulted). When its status
   * changes, the AvailabilityState of the connector and its EVSE are written and `connector_status` is
   * emitted. As libocpp set_connector_occupied: a plug-in on a reserved connector is noted but not reported
   * (it stays Reserved) until the reservation ends, normally when the transaction starts.
   */
  setConnectorCondition(evse: number, connector: number, condition: ConnectorCondition, on: boolean): void {
    if (!this.#conditions.set(evse, connector, condition, on)) return;
    if (condition === 'occupied' && this.#conditions.get(evse, connector).reserved) return;
    const status = this.connectorStatus(evse, connector);
    if (status === this.#shown.get(unitKey(evse, connector))) return;
    const events: EventData[] = [];
    this.#ctx.repo.transaction(() => this.#syncAvailabilityState(events, false, new Set([unitKey(evse, 0), unitKey(evse, connector)])));
    this.#ctx.events.emit('connector_status', { evse_id: evse, connector_id: connector, status });
    emitEvents(this.#ctx, events);
  }

  /** Applies fn to the rows in one transaction, then reports every unit whose effective state changed. */
  #mutate(fn: () => void): void {
    this.#apply(fn).announce();
  }

  /**
   * The transaction of #mutate (a savepoint inside a group commit), what to announce once it is durable, and
   * how to put the in-memory rows back should the COMMIT around it fail.
   */
  #apply(fn: () => void): { announce(): void; rollback(): void } {
    const before = this.#effectiveAll();
    const events: EventData[] = [];
    const snapshot = new Map([...this.#rows].map(([k, r]) => [k, { ...r }]));
    try {
      this.#ctx.repo.transaction(() => {
        fn();
        for (const [k, row] of this.#rows) {
          const old = snapshot.get(k);
          if (old && (old.operational_status !== row.operational_status || old.scheduled_status !== row.scheduled_status)) {
            this.#ctx.repo.writeAvailability(row);
          }
        }
        const after = this.#effectiveAll();
        const changed = new Set([...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k));
        this.#syncAvailabilityState(events, false, changed);
      });
    } catch (err) {
      // The transaction rolled back: put the in-memory rows back as they were.
      for (const [k, r] of snapshot) this.#rows.set(k, r);
      throw err;
    }
    const after = this.#effectiveAll();
    return {
      rollback: () => {
        for (const [k, r] of snapshot) this.#rows.set(k, r);
      },
      announce: () => {
        for (const [e, c] of this.#units()) {
          const k = unitKey(e, c);
          const now = after.get(k);
          if (now === undefined || before.get(k) === now) continue;
          const change: AvailabilityChange = { operational_status: now };
          if (e !== 0) change.evse = c === 0 ? { id: e } : { id: e, connector_id: c };
          this.#ctx.events.emit('availability', change);
        }
        emitEvents(this.#ctx, events);
      },
    };
  }

  #txActive(evse: EVSE | undefined): boolean {
    // libocpp evse_manager.cpp any_transaction_active: the addressed EVSE (a connector counts as its EVSE),
    // or any EVSE when the whole station is addressed.
    return evse === undefined ? this.#transactions.size > 0 : this.#transactions.has(evse.id);
  }

  change(req: ChangeAvailabilityRequest): ChangeAvailabilityResponse {
    const applied = this.applyChange(req);
    applied.announce();
    return applied.value;
  }

  /** change() without its announcements, for a group commit (src/ocpp/group-commit.ts). */
  applyChange(req: ChangeAvailabilityRequest): Applied<ChangeAvailabilityResponse> {
    const done = (value: ChangeAvailabilityResponse): Applied<ChangeAvailabilityResponse> => ({ value, announce: () => undefined });
    const evse = req.evse;
    // libocpp: "if we're addressing an EVSE or a connector, it must actually exist", else Rejected.
    // The reason codes are from OCPP 2.0.1 Part 2 appendix "Reason codes": UnknownEvse, UnknownConnectorId.
    if (evse !== undefined) {
      if (!Number.isInteger(evse.id) || evse.id < 1 || evse.id > this.#topology.evseCount) {
        return done({ status: 'Rejected', status_info: { reason_code: 'UnknownEvse', additional_info: `EVSE ${evse.id} does not exist` } });
      }
      const c = evse.connector_id;
      if (c !== undefined && (!Number.isInteger(c) || c < 1 || c > this.#topology.connectorsPerEvse)) {
        return done({
          status: 'Rejected',
          status_info: { reason_code: 'UnknownConnectorId', additional_info: `connector ${c} of EVSE ${evse.id} does not exist` },
        });
      }
    }
    const e = evse?.id ?? 0;
    const c = evse?.connector_id ?? 0;
    const row = this.#row(e, c);
    const wanted = req.operational_status;
    const alreadyInState = row.operational_status === wanted;
    // libocpp change_availability_req: Accepted when no transaction runs, when the unit already is in the
    // requested state, or when the whole station is made Operative; any scheduled change of the unit is
    // dropped then ("the current one overrides them"). Otherwise Scheduled until the transaction ends.
    if (!this.#txActive(evse) || alreadyInState || (evse === undefined && wanted === 'Operative')) {
      const m = this.#apply(() => {
        row.operational_status = wanted;
        row.scheduled_status = null;
      });
      return { value: { status: 'Accepted' }, ...m };
    }
    const m = this.#apply(() => {
      row.scheduled_status = wanted;
    });
    return { value: { status: 'Scheduled' }, ...m };
  }

  setTransactionActive(evseId: number, active: boolean): void {
    if (!Number.isInteger(evseId) || evseId < 1 || evseId > this.#topology.evseCount) {
      throw new DeviceModelError('TSOCPP_ERR_INVALID_ARGUMENT', `EVSE ${evseId} does not exist`);
    }
    if (active) {
      this.#transactions.add(evseId);
      return;
    }
    this.#transactions.delete(evseId);
    // libocpp handle_scheduled_change_availability_requests: when a transaction ended, scheduled changes
    // of that EVSE run; the station's runs once no transaction is left.
    const due: AvailabilityRow[] = [];
    for (let c = 0; c <= this.#topology.connectorsPerEvse; c++) {
      const row = this.#row(evseId, c);
      if (row.scheduled_status !== null) due.push(row);
    }
    const station = this.#row(0, 0);
    if (station.scheduled_status !== null && this.#transactions.size === 0) due.push(station);
    // libocpp on_transaction_finished (a reset scheduled) and its scheduled non-persisted ChangeAvailability
    // (a firmware update): the EVSE whose transaction ended is held too.
    const holds = [...this.#holds.values()].filter((evses) => !evses.has(evseId));
    if (due.length === 0 && holds.length === 0) return;
    this.#mutate(() => {
      for (const row of due) {
        if (row.scheduled_status !== null) row.operational_status = row.scheduled_status;
        row.scheduled_status = null;
      }
      for (const evses of holds) evses.add(evseId);
    });
  }

  /**
   * Holds the connectors of every EVSE without a transaction Inoperative (Unavailable, their evse_manager
   * disabled), and from now on each EVSE whose transaction ends, until release(). Nothing is stored. A hold
   * already in force is left as it is.
   */
  hold(reason: AvailabilityHold): void {
    if (this.#holds.has(reason)) return;
    const evses = new Set<number>();
    try {
      this.#mutate(() => {
        for (let e = 1; e <= this.#topology.evseCount; e++) if (!this.#transactions.has(e)) evses.add(e);
        this.#holds.set(reason, evses);
      });
    } catch (err) {
      this.#holds.delete(reason);
      throw err;
    }
  }

  /** Ends a hold: its connectors follow their stored state again (libocpp restore_connector_operative_status). */
  release(reason: AvailabilityHold): void {
    if (!this.#holds.has(reason)) return;
    this.#mutate(() => {
      this.#holds.delete(reason);
    });
  }

  /** Whether a hold is in force. */
  holding(reason: AvailabilityHold): boolean {
    return this.#holds.has(reason);
  }

  snapshot(): AvailabilitySnapshot {
    const unit = (e: number, c: number): UnitAvailability => {
      const row = this.#row(e, c);
      const u: UnitAvailability = { operational_status: row.operational_status, effective: this.#effective(e, c) };
      if (row.scheduled_status !== null) u.scheduled = row.scheduled_status;
      return u;
    };
    const evses: AvailabilitySnapshot['evses'] = [];
    for (let e = 1; e <= this.#topology.evseCount; e++) {
      const connectors: Array<UnitAvailability & { id: number }> = [];
      for (let c = 1; c <= this.#topology.connectorsPerEvse; c++) connectors.push({ id: c, ...unit(e, c) });
      evses.push({ id: e, ...unit(e, 0), transaction_active: this.#transactions.has(e), connectors });
    }
    return { station: unit(0, 0), evses };
  }
}
