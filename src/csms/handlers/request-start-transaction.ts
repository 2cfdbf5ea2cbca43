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
// A chargingProfile, while SmartChargingCtrlr.Enabled is true (as libocpp; otherwise it is ignored), is checked as
// a TxProfile of the EVSE (the smart-charging room): one that is not answers Rejected with its reasonCode
// (F01.FR.26; libocpp keeps Accepted and only adds the statusInfo). Accepted, it becomes the TxProfile of the
// transaction the request starts: held until a TransactionEvent carries the remoteStartId, then installed with
// that transactionId (libocpp stores it at once without a transactionId); for a transaction already going on
// (the F02 case above) it is installed for that transaction at once.
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
  const sc = ctx.service.smartCharging;
  const profile = req.chargingProfile !== undefined && sc.enabled ? req.chargingProfile : undefined;
  if (profile !== undefined) {
    const checked = sc.checkRemoteStartProfile(evseId, profile);
    if (checked.status === 'Rejected') {
      ctx.log.info({ ...what, reason: checked.statusInfo.reasonCode, info: checked.statusInfo.additionalInfo }, 'RequestStartTransaction with an invalid chargingProfile: Rejected (F01.FR.26)');
      return { status: 'Rejected', statusInfo: checked.statusInfo };
    }
  } else if (req.chargingProfile !== undefined) {
    ctx.log.info(what, 'RequestStartTransaction chargingProfile ignored: SmartChargingCtrlr.Enabled is false');
  }
  if (profile !== undefined) {
    if (ongoing) {
      const r = sc.set(evseId, { ...profile, transactionId: ongoing.transactionId });
      if (r.status === 'Rejected') return { status: 'Rejected', statusInfo: r.statusInfo };
    } else {
      sc.holdForRemoteStart(evseId, req.remoteStartId, profile);
    }
  }
  const prevalidated = !readBool(ctx.service, AUTHORIZE_REMOTE_START, true);
  ctx.after(() => {
    auth.provideToken({
      idToken: req.idToken, remoteStartId: req.remoteStartId, evseId, prevalidated,
      ...(req.groupIdToken ? { groupIdToken: req.groupIdToken } : {}),
    }).catch((err: unknown) => ctx.log.error({ err, ...what }, 'could not publish the token of a RequestStartTransaction on auth_provider'));
  });
  return ongoing ? { status: 'Accepted', transactionId: ongoing.transactionId } : { status: 'Accepted' };
};
