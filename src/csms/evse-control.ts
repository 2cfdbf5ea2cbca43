// What the CSMS link may ask of the EVSEs, handed in by the bus side (src/module/transaction-control.ts
// calls each EVSE's evse_manager): the link knows no MQTT. Reasons are EVerest's StopTransactionReason, as
// everest-core's OCPP201 passes them (stop_transaction_callback: Remote for F03, DeAuthorized for
// StopTxOnInvalidId, HardReset for an Immediate Reset during a transaction: OCPP ImmediateReset).
export type EvseStopReason = 'Remote' | 'DeAuthorized' | 'HardReset';

export interface EvseControl {
  /** An evse_manager is connected for this EVSE (OCPP201: r_evse_manager[evse_id - 1] exists). */
  has(evseId: number): boolean;
  /** evse_manager stop_transaction; resolves with its boolean result, rejects when the call fails. */
  stopTransaction(evseId: number, reason: EvseStopReason): Promise<boolean>;
  /** evse_manager pause_charging (libocpp's answer to an invalid token when StopTxOnInvalidId is false). */
  pauseCharging(evseId: number): Promise<boolean>;
  /** evse_manager force_unlock(connector_id) (UnlockConnector F05, as OCPP201's unlock_connector_callback). */
  forceUnlock(evseId: number, connectorId: number): Promise<boolean>;
}

/** The EVSE of an ongoing transaction (Started made, Ended not yet), as libocpp's get_transaction_evseid. */
export function ongoingEvse(records: ReadonlyArray<{ evseId: number; transactionId: string; started: boolean; ended: boolean }>, transactionId: string): number | undefined {
  return records.find((r) => r.transactionId === transactionId && r.started && !r.ended)?.evseId;
}
