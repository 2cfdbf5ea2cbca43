// RequestStartTransaction (OCPP 2.0.1 F01 authorization first, F02 cable first), answered as libocpp's
// RemoteTransactionControl does, then, after the CALLRESULT, the token goes to EVerest's Auth module on
// auth_provider's provided_token (everest-core OCPP201 remote_start_transaction_callback). Auth starts the
// session on the EVSE; its TransactionEvent carries triggerReason RemoteStart and transactionInfo.remoteStartId
// (the session event's id_tag.request_id, src/ocpp/transactions/transaction-events.ts).
//
// Rejected:
// - without evseId (F01.FR.07 / F02.FR.22: the station MAY reject; libocpp always does);
// - for an EVSE that does not exist or has no evse_manager connected (OCPP201: no r_evse_manager for it);
// - an EVSE whose connectors are all Faulted or Unavailable (F01.FR.23), or one with an authorized transaction
//   going on (Occupied: F01.FR.24 / F02.FR.25).
// Accepted with the transactionId when a transaction is going on at the EVSE without a token yet (F02: a
// TxStartPoint before authorization, the cable plugged in first): the token then authorizes that transaction.
// libocpp supports only TxStartPoint PowerPathClosed and has no such case.
// A chargingProfile is not installed yet (F01.FR.26 is left for later; libocpp looks at it only while
// SmartChargingCtrlr Enabled is true); SetChargingProfile installs a TxProfile once the transaction runs.
import type { RequestStartTransactionRequest, RequestStartTransactionResponse } from '../ocpp-types.js';
import { connectorStates } from '../station/status.js';
import { cvOf, readBool } from '../variables.js';
import type { CallContext, CallHandler } from './context.js';

const AUTHORIZE_REMOTE_START = cvOf('AuthCtrlr', 'AuthorizeRemoteStart');
const REJECTED: RequestStartTransactionResponse = { status: 'Rejected' };

/** At least one connector of the EVSE neither Faulted nor Unavailable (libocpp is_evse_connector_available). */
function connectorAvailable(ctx: CallContext, evseId: number): boolean {
  return connectorStates(ctx.service).some((c) => c.evseId === evseId && c.status !== 'Faulted' && c.status !== 'Unavailable');
}

export const requestStartTransaction: CallHandler<RequestStartTransactionRequest, RequestStartTransactionResponse> = (req, ctx) => {
  const what = { evse: req.evseId, remoteStartId: req.remoteStartId };
  const evseId = req.evseId;
  if (evseId === undefined) {
    ctx.log.info(what, 'RequestStartTransaction without evseId: Rejected (F01.FR.07, as libocpp)');
    return REJECTED;
  }
  const auth = ctx.authControl;
  if (!ctx.evseControl?.has(evseId) || !auth) {
    ctx.log.warn(what, 'RequestStartTransaction for an EVSE without an evse_manager: Rejected');
    return REJECTED;
  }
  const ongoing = ctx.service.transactions.records().find((r) => r.evseId === evseId && r.started && !r.ended);
  if (ongoing?.idToken !== undefined) {
    ctx.log.info(what, 'RequestStartTransaction for an EVSE with an authorized transaction: Rejected (F01.FR.24)');
    return REJECTED;
  }
  if (!connectorAvailable(ctx, evseId)) {
    ctx.log.info(what, 'RequestStartTransaction for an EVSE whose connectors are Faulted or Unavailable: Rejected (F01.FR.23)');
    return REJECTED;
  }
  if (req.chargingProfile !== undefined) ctx.log.info(what, 'RequestStartTransaction chargingProfile ignored: TsOcpp has no smart charging');
  const prevalidated = !readBool(ctx.service, AUTHORIZE_REMOTE_START, true);
  ctx.after(() => {
    auth.provideToken({
      idToken: req.idToken, remoteStartId: req.remoteStartId, evseId, prevalidated,
      ...(req.groupIdToken ? { groupIdToken: req.groupIdToken } : {}),
    }).catch((err: unknown) => ctx.log.error({ err, ...what }, 'could not publish the token of a RequestStartTransaction on auth_provider'));
  });
  return ongoing ? { status: 'Accepted', transactionId: ongoing.transactionId } : { status: 'Accepted' };
};
