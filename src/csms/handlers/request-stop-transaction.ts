// RequestStopTransaction (OCPP 2.0.1 F03): Accepted for the transactionId of a transaction ongoing on an EVSE
// of this station (F03.FR.07), else Rejected (F03.FR.08); then, after the CALLRESULT (answer first, like every
// follow-up here), the EVSE's evse_manager gets stop_transaction with reason Remote. The EVSE finishes the
// session with reason Remote, and the TransactionEvent that follows carries triggerReason RemoteStop and
// stoppedReason Remote (src/ocpp/transactions/reasons.ts).
//
// everest-core's OCPP201 answers with the result of its synchronous call (Rejected when the EVSE has no
// evse_manager or the call returns false). Here the call follows the answer, so only what is known before it
// decides: no evse_manager for the EVSE is Rejected; a call that then fails or returns false is logged.
import { ongoingEvse } from '../evse-control.js';
import type { RequestStopTransactionRequest, RequestStopTransactionResponse } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const requestStopTransaction: CallHandler<RequestStopTransactionRequest, RequestStopTransactionResponse> = (req, ctx) => {
  const evseId = ongoingEvse(ctx.service.transactions.records(), req.transactionId);
  if (evseId === undefined) {
    ctx.log.info({ transactionId: req.transactionId }, 'RequestStopTransaction for no ongoing transaction: Rejected (F03.FR.08)');
    return { status: 'Rejected' };
  }
  const control = ctx.evseControl;
  if (!control?.has(evseId)) {
    ctx.log.warn({ transactionId: req.transactionId, evse: evseId }, 'RequestStopTransaction: no evse_manager for the EVSE; Rejected');
    return { status: 'Rejected' };
  }
  ctx.after(() => {
    control.stopTransaction(evseId, 'Remote').then((ok) => {
      if (!ok) ctx.log.error({ transactionId: req.transactionId, evse: evseId }, 'evse_manager stop_transaction returned false after a RequestStopTransaction');
    }, (err: unknown) => {
      ctx.log.error({ err, transactionId: req.transactionId, evse: evseId }, 'evse_manager stop_transaction failed after a RequestStopTransaction');
    });
  });
  return { status: 'Accepted' };
};
