// An idTokenInfo other than Accepted in a TransactionEventResponse (OCPP 2.0.1 E05, "Start transaction options
// - IdToken Invalid"; C01 for the statuses), handled as libocpp's TransactionBlock does
// (handle_transaction_event_response): only for an answer to a Started/Updated that carried the idToken, and only
// while that transaction is still going on at an EVSE.
// - TxCtrlr.StopTxOnInvalidId true (E05.FR.09 ...): the authorization is withdrawn. With an `auth` module
//   whose interface has withdraw_authorization (everest-core 2024.x on), through it, for the EVSE and the token:
//   the Auth module owns the authorization, forgets it and stops the transaction with reason DeAuthorized
//   (AuthHandler handle_withdraw_authorization). Without one, or when it answers other than Accepted, the
//   EVSE's evse_manager stop_transaction with reason DeAuthorized, as libocpp's stop_transaction_callback.
//   Either way the EVSE finishes with DeAuthorized, so Ended carries triggerReason Deauthorized and
//   stoppedReason DeAuthorized (src/ocpp/transactions/reasons.ts).
// - false, MaxEnergyOnInvalidId unset or 0 (E05.FR.10/.11): evse_manager pause_charging (libocpp pauses at
//   once, or once the energy since the start reaches MaxEnergyOnInvalidId: 0 is reached at once).
// - false, MaxEnergyOnInvalidId above 0: not done by TsOcpp (the energy limit is not followed); logged, and
//   charging goes on (docs/csms.md says so).
import type { Logger } from '../../log.js';
import type { OcppService, TransactionEventAnswer } from '../../ocpp/service.js';
import type { TransactionEventRequest } from '../../ocpp/transactions/ocpp-types.js';
import type { AuthControl } from '../auth-control.js';
import { ongoingEvse, type EvseControl } from '../evse-control.js';
import { cvOf, readBool, readInt } from '../variables.js';

const STOP_TX_ON_INVALID_ID = cvOf('TxCtrlr', 'StopTxOnInvalidId');
const MAX_ENERGY_ON_INVALID_ID = cvOf('TxCtrlr', 'MaxEnergyOnInvalidId');

export function onInvalidId(
  service: OcppService, controls: { evse: EvseControl | undefined; auth: AuthControl | undefined }, log: Logger,
  req: TransactionEventRequest, res: TransactionEventAnswer,
): void {
  const control = controls.evse;
  const status = res.idTokenInfo?.status;
  const idToken = req.idToken;
  if (status === undefined || status === 'Accepted' || req.eventType === 'Ended' || idToken === undefined) return;
  const transactionId = req.transactionInfo.transactionId;
  const evseId = ongoingEvse(service.transactions.records(), transactionId);
  if (evseId === undefined) return;
  const what = { transactionId, evse: evseId, status };
  if (!control?.has(evseId)) {
    log.warn(what, 'the CSMS did not accept the token of a transaction, and no evse_manager is connected for its EVSE');
    return;
  }
  const report = (cmd: string, call: Promise<boolean>): void => {
    call.then((ok) => {
      if (!ok) log.error(what, `evse_manager ${cmd} returned false for a token the CSMS did not accept`);
    }, (err: unknown) => {
      log.error({ ...what, err }, `evse_manager ${cmd} failed for a token the CSMS did not accept`);
    });
  };
  if (readBool(service, STOP_TX_ON_INVALID_ID, true)) {
    const stop = (): void => {
      log.info(what, 'the CSMS did not accept the token: stopping the transaction (TxCtrlr.StopTxOnInvalidId)');
      report('stop_transaction', control.stopTransaction(evseId, 'DeAuthorized'));
    };
    const auth = controls.auth;
    if (!auth?.canWithdraw()) {
      stop();
      return;
    }
    log.info(what, 'the CSMS did not accept the token: auth withdraw_authorization (TxCtrlr.StopTxOnInvalidId)');
    auth.withdrawAuthorization(evseId, { idToken: idToken.idToken, type: idToken.type }).then((result) => {
      if (result === 'Accepted') return;
      log.warn({ ...what, result }, 'auth withdraw_authorization did not withdraw it: evse_manager stop_transaction instead');
      stop();
    }, (err: unknown) => {
      log.error({ ...what, err }, 'auth withdraw_authorization failed: evse_manager stop_transaction instead');
      stop();
    });
    return;
  }
  const maxEnergy = readInt(service, MAX_ENERGY_ON_INVALID_ID, 0);
  if (maxEnergy > 0) {
    log.warn({ ...what, max_energy_wh: maxEnergy },
      'the CSMS did not accept the token; TxCtrlr.MaxEnergyOnInvalidId is not followed by TsOcpp: charging goes on');
    return;
  }
  log.info(what, 'the CSMS did not accept the token: pausing charging (StopTxOnInvalidId false)');
  report('pause_charging', control.pauseCharging(evseId));
}
