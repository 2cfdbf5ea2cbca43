// The connector conditions the EVSE managers report, fed to the OCPP service (src/ocpp/connector-status.ts),
// which turns them into StatusNotification and AvailabilityState. From everest-core's OCPP201 module:
// SessionStarted with reason EVConnected is a plug-in, Disabled/Enabled the manager's own unavailability, TransactionStarted is one too (a session started by
// authorization) and ends a reservation, SessionFinished is the unplug, ReservationStart/End, and the
// evse_manager error `evse_manager/Inoperative` raised/cleared is the fault (OCPP201.cpp subscribe_error of
// EVSE_MANAGER_INOPERATIVE_ERROR, on the connector of the error's mapping, else 1). 2023.12 managers report
// faults as session events instead: PermanentFault and AllErrorsCleared (everest-core 2023.12 OCPP module's
// on_fault; an Error event does not stop charging and changes no status).
import type { EverestModule } from '../everest/module.js';
import type { Logger } from '../log.js';
import type { ConnectorCondition, OcppService } from '../ocpp/service.js';
import type { TsOcppSpec } from './ocpp-module.js';
import { EVSE_MANAGER, type EvseInputs } from './evse-inputs.js';
import type { EvseSessionEvent } from './session-event.js';

/** The evse_manager error that makes a connector Faulted (everest-core OCPP201 error_handling.hpp). */
export const INOPERATIVE_ERROR = 'evse_manager/Inoperative';

export interface ConditionChange {
  condition: ConnectorCondition;
  on: boolean;
}

/** What a session event changes in its connector's conditions, in order (none for most events). */
export function conditionChanges(ev: EvseSessionEvent): ConditionChange[] {
  switch (ev.event) {
    case 'SessionStarted':
      return ev.session_started?.reason === 'EVConnected' ? [{ condition: 'occupied', on: true }] : [];
    case 'TransactionStarted':
      return [{ condition: 'reserved', on: false }, { condition: 'occupied', on: true }];
    case 'SessionFinished':
      return [{ condition: 'occupied', on: false }];
    case 'ReservationStart':
      return [{ condition: 'reserved', on: true }];
    case 'ReservationEnd':
      return [{ condition: 'reserved', on: false }];
    case 'PermanentFault':
      return [{ condition: 'faulted', on: true }];
    case 'AllErrorsCleared':
      return [{ condition: 'faulted', on: false }];
    // OCPP201 process_disabled / process_enabled: the manager's own disable (e.g. its enable_disable source
    // other than the CSMS) makes the connector Unavailable until it is enabled again.
    case 'Disabled':
      return [{ condition: 'unavailable', on: true }];
    case 'Enabled':
      return [{ condition: 'unavailable', on: false }];
    default:
      return [];
  }
}

export async function bindConnectorStatus(mod: EverestModule<TsOcppSpec>, inputs: EvseInputs | undefined, service: OcppService, log: Logger): Promise<void> {
  const apply = (evseId: number, connectorId: number, changes: ConditionChange[], why: string): void => {
    for (const { condition, on } of changes) {
      try {
        service.setConnectorCondition(evseId, connectorId, condition, on);
      } catch (err) {
        // A connector the configured topology lacks: the manager and TsOcpp's evse_count/connectors_per_evse disagree.
        log.warn({ err, evse: evseId, connector: connectorId, why }, 'a connector condition for a connector TsOcpp does not have was ignored');
        return;
      }
    }
  };
  inputs?.on('session_event', (evseId, ev) => apply(evseId, ev.connector_id, conditionChanges(ev), ev.event));
  const conns = mod.connections(EVSE_MANAGER);
  for (let i = 0; i < conns.length; i++) {
    const evseId = i + 1;
    await mod.subscribeError(EVSE_MANAGER, i, INOPERATIVE_ERROR, (e) => {
      log.info({ evse: evseId, connector: e.connector ?? 1, active: e.active }, e.active ? 'the EVSE reports it is inoperative' : 'the EVSE no longer reports it is inoperative');
      apply(evseId, e.connector ?? 1, [{ condition: 'faulted', on: e.active }], INOPERATIVE_ERROR);
    });
  }
}
