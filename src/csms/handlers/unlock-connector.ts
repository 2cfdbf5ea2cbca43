// UnlockConnector (OCPP 2.0.1 F05), in libocpp's order (RemoteTransactionControl handle_unlock_connector):
// UnknownConnector for an EVSE or connector that does not exist (F05.FR.03; OCPP201 also for an EVSE without
// an evse_manager), OngoingAuthorizedTransaction while a transaction is going on at the EVSE (F05.FR.02), else
// the EVSE's evse_manager force_unlock(connector_id): Unlocked when it returns true, UnlockFailed otherwise
// (OCPP201 unlock_connector_callback). The call's result is the answer, so it is made before the CALLRESULT.
import type { UnlockConnectorRequest, UnlockConnectorResponse } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const unlockConnector: CallHandler<UnlockConnectorRequest, UnlockConnectorResponse> = async (req, ctx) => {
  const what = { evse: req.evseId, connector: req.connectorId };
  const control = ctx.evseControl;
  if (!ctx.station.connectorExists(req.evseId, req.connectorId)) {
    ctx.log.info(what, 'UnlockConnector for an unknown connector (F05.FR.03)');
    return { status: 'UnknownConnector' };
  }
  if (ctx.service.transactions.records().some((r) => r.evseId === req.evseId && r.started && !r.ended)) {
    ctx.log.info(what, 'UnlockConnector while a transaction is going on at the EVSE (F05.FR.02)');
    return { status: 'OngoingAuthorizedTransaction' };
  }
  if (!control?.has(req.evseId)) {
    ctx.log.warn(what, 'UnlockConnector for an EVSE without an evse_manager: UnknownConnector (as OCPP201)');
    return { status: 'UnknownConnector' };
  }
  try {
    if (await control.forceUnlock(req.evseId, req.connectorId)) return { status: 'Unlocked' };
    ctx.log.warn(what, 'evse_manager force_unlock returned false');
  } catch (err) {
    ctx.log.error({ err, ...what }, 'evse_manager force_unlock failed');
  }
  return { status: 'UnlockFailed' };
};
