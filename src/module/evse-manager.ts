// The optional evse_manager requirements (one per EVSE, in connection order, as everest-core's
// OCPP201 maps r_evse_manager[evse_id - 1]): their checked session events (evse-inputs.ts) feed the
// transaction flag of each EVSE, and every connector whose effective availability changes is enabled or
// disabled on its evse_manager (OCPP201.cpp connector_effective_operative_status_changed_callback).
import type { EverestModule } from '../everest/module.js';
import type { OcppService } from '../ocpp/service.js';
import type { Logger } from '../log.js';
import type { TsOcppSpec } from './ocpp-module.js';
import { EVSE_MANAGER, type EvseInputs } from './evse-inputs.js';

export { EVSE_MANAGER };
// OCPP201 passes the CSMS as source with priority 5000.
const CSMS_PRIORITY = 5000;

export function bindEvseManagers(mod: EverestModule<TsOcppSpec>, inputs: EvseInputs | undefined, service: OcppService, log: Logger): void {
  const conns = mod.connections(EVSE_MANAGER);
  if (conns.length === 0) return;
  inputs?.on('session_event', (evseId, ev) => {
    if (ev.event === 'TransactionStarted') service.setTransactionActive(evseId, true);
    else if (ev.event === 'TransactionFinished') service.setTransactionActive(evseId, false);
  });
  // everest-core 2023.12 has enable/disable(connector_id); later releases enable_disable(connector_id, cmd_source).
  const cmds = mod.requirementInterface(EVSE_MANAGER)?.cmds;
  const legacy = cmds !== undefined && !('enable_disable' in cmds) && 'enable' in cmds;
  service.on('availability', (change) => {
    const evse = change.evse;
    if (!evse || evse.connector_id === undefined || evse.id > conns.length) return;
    const enable = change.operational_status === 'Operative';
    const call = legacy
      ? mod.call(EVSE_MANAGER, evse.id - 1, enable ? 'enable' : 'disable', { connector_id: evse.connector_id })
      : mod.call(EVSE_MANAGER, evse.id - 1, 'enable_disable', {
        connector_id: evse.connector_id,
        cmd_source: { enable_source: 'CSMS', enable_state: enable ? 'Enable' : 'Disable', enable_priority: CSMS_PRIORITY },
      });
    call.catch((err: unknown) => log.warn({ evse: evse.id, connector: evse.connector_id, err }, 'evse_manager did not take the availability change'));
  });
  log.info({ evses: conns.length }, 'evse_manager connected: transactions and availability follow it');
}
