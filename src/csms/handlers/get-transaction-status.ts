// GetTransactionStatus (OCPP 2.0.1 E14): whether a transaction is still going on here, and whether
// TransactionEvents are still queued for the CSMS: for that transaction, or for any when none is named
// (then ongoingIndicator is left out). A CSMS asks this before it settles a transaction it heard no end of.
// The answer asks the durable outbox and the open session records, the same the sender and the machine use.
import type { GetTransactionStatusRequest, GetTransactionStatusResponse } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const getTransactionStatus: CallHandler<GetTransactionStatusRequest, GetTransactionStatusResponse> = (req, ctx) => {
  const { outbox, transactions } = ctx.service;
  // One query that stops at the first match (the outbox holds up to outbox_max_entries; no payload parsed in JS).
  if (req.transactionId === undefined) return { messagesInQueue: outbox.hasTransactionEvent() };
  const id = req.transactionId;
  const ofIt = outbox.hasTransactionEvent(id);
  // Ongoing: its start point was reached (Started made) and its Ended was not made yet.
  const ongoing = transactions.records().some((r) => r.transactionId === id && r.started && !r.ended);
  return { ongoingIndicator: ongoing, messagesInQueue: ofIt };
};
