// The transactions as other modules see them and as the CSMS may steer them, the one place that joins the
// EVSEs' evse_manager cmds and the ocpp interface's transaction vars to the OCPP side:
// - EvseControl for the CSMS link (src/csms/evse-control.ts): stop_transaction (RequestStopTransaction F03,
//   StopTxOnInvalidId E05), pause_charging and force_unlock (UnlockConnector F05) on the evse_manager of
//   EVSE i (connection i - 1), as everest-core's
//   OCPP201 stop_transaction_callback / pause_charging_callback do;
// - the vars ocpp_transaction_event and ocpp_transaction_event_response, published only where the ocpp
//   interface in force declares them (everest-core 2024.x on; not 2023.12), in the shape of its types
//   (OCPP201.cpp transaction_event_callback / transaction_event_response_callback, conversions.cpp).
import type { EverestModule } from '../everest/module.js';
import type { Logger } from '../log.js';
import type { EvseControl, EvseStopReason } from '../csms/evse-control.js';
import type { OcppService, TransactionEventAnswer, TransactionEventMade } from '../ocpp/service.js';
import type { TransactionEventRequest } from '../ocpp/transactions/ocpp-types.js';
import { EVSE_MANAGER } from './evse-inputs.js';
import type { OcppTransactionEvent, OcppTransactionEventResponse, TsOcppSpec } from './ocpp-module.js';
import { onPublishFailure } from './publish-failure.js';

/** The evse_manager cmds of each EVSE. stop_transaction's `request: {reason}` has the same shape in 2023.12 and 2026.02 (they differ only in the optional id_tag, which a CSMS stop has none of). */
export function evseControl(mod: EverestModule<TsOcppSpec>): EvseControl {
  const count = (): number => mod.connections(EVSE_MANAGER).length;
  const has = (evseId: number): boolean => Number.isInteger(evseId) && evseId >= 1 && evseId <= count();
  const call = async (evseId: number, cmd: string, args: Record<string, unknown>): Promise<boolean> => {
    if (!has(evseId)) return false;
    return (await mod.call(EVSE_MANAGER, evseId - 1, cmd, args)) === true;
  };
  return {
    has,
    stopTransaction: (evseId: number, reason: EvseStopReason) => call(evseId, 'stop_transaction', { request: { reason } }),
    pauseCharging: (evseId: number) => call(evseId, 'pause_charging', {}),
    // Same args in 2023.12 and 2026.02 (in 2026.02 true means the unlock was accepted, not done).
    forceUnlock: (evseId: number, connectorId: number) => call(evseId, 'force_unlock', { connector_id: connectorId }),
  };
}

function toEvent(request: TransactionEventRequest, sessionId: string): OcppTransactionEvent {
  const ev: OcppTransactionEvent = {
    transaction_event: request.eventType,
    session_id: sessionId,
    transaction_id: request.transactionInfo.transactionId,
  };
  if (request.evse) {
    ev.evse = { id: request.evse.id };
    if (request.evse.connectorId !== undefined) ev.evse.connector_id = request.evse.connectorId;
  }
  return ev;
}

function toResponse(original: OcppTransactionEvent, res: TransactionEventAnswer): OcppTransactionEventResponse {
  const out: OcppTransactionEventResponse = { original_transaction_event: original };
  if (res.totalCost !== undefined) out.total_cost = res.totalCost;
  if (res.chargingPriority !== undefined) out.charging_priority = res.chargingPriority;
  const m = res.updatedPersonalMessage;
  if (m) {
    out.personal_message = { content: m.content, format: m.format };
    if (m.language !== undefined) out.personal_message.language = m.language;
  }
  return out;
}

/**
 * Publishes the transaction vars when the ocpp interface in force declares them. The answer names the session
 * of its message: remembered from the message (a restart forgets it: then the open record, else the
 * transactionId, as OCPP201 which uses the session uuid as transactionId).
 */
export function publishTransactionVars(mod: EverestModule<TsOcppSpec>, service: OcppService, log: Logger): void {
  const vars = mod.compiled('ocpp_generic')?.vars;
  const withEvent = vars?.has('ocpp_transaction_event') === true;
  const withResponse = vars?.has('ocpp_transaction_event_response') === true;
  if (!withEvent && !withResponse) {
    log.debug('the ocpp interface in force has no transaction vars: ocpp_transaction_event(_response) not published');
    return;
  }
  const report = (name: string) => onPublishFailure(log, name);
  const sessions = new Map<string, string>();
  service.on('transaction_event', (e: TransactionEventMade) => {
    const txId = e.request.transactionInfo.transactionId;
    sessions.set(txId, e.sessionId);
    if (withEvent) mod.publish('ocpp_generic', 'ocpp_transaction_event', toEvent(e.request, e.sessionId)).catch(report('ocpp_transaction_event'));
  });
  service.on('transaction_event_response', ({ request, response }) => {
    const txId = request.transactionInfo.transactionId;
    const sessionId = sessions.get(txId) ?? service.transactions.records().find((r) => r.transactionId === txId)?.sessionId ?? txId;
    if (request.eventType === 'Ended') sessions.delete(txId);
    if (withResponse) {
      mod.publish('ocpp_generic', 'ocpp_transaction_event_response', toResponse(toEvent(request, sessionId), response))
        .catch(report('ocpp_transaction_event_response'));
    }
  });
}
