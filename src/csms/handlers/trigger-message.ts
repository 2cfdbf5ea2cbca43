// TriggerMessage (OCPP 2.0.1 F06), decided as libocpp remote_transaction_control.cpp handle_trigger_message:
// BootNotification is Rejected once the boot was Accepted (F06.FR.17); StatusNotification needs an existing
// EVSE and connector (F06.FR.12); Heartbeat is always Accepted. Other messages TsOcpp does not produce:
// NotImplemented. The triggered message follows the answer (F06.FR.04) and may go out while Pending.
import type { TriggerMessageRequest, TriggerMessageResponse } from '../ocpp-types.js';
import type { CallHandler } from './context.js';

export const triggerMessage: CallHandler<TriggerMessageRequest, TriggerMessageResponse> = (req, ctx) => {
  switch (req.requestedMessage) {
    case 'BootNotification':
      if (ctx.station.registration === 'Accepted') return { status: 'Rejected' };
      ctx.after(() => ctx.station.boot('Triggered'));
      return { status: 'Accepted' };
    case 'Heartbeat':
      ctx.after(() => ctx.station.heartbeat());
      return { status: 'Accepted' };
    case 'StatusNotification': {
      const evse = req.evse;
      if (evse?.connectorId === undefined || !ctx.station.connectorExists(evse.id, evse.connectorId)) {
        return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownConnectorId', additionalInfo: 'StatusNotification needs an existing evse.id and evse.connectorId' } };
      }
      const connectorId = evse.connectorId;
      ctx.after(() => ctx.station.status(evse.id, connectorId));
      return { status: 'Accepted' };
    }
    default:
      return { status: 'NotImplemented' };
  }
};
