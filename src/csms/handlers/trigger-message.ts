// TriggerMessage (OCPP 2.0.1 F06), decided as libocpp remote_transaction_control.cpp handle_trigger_message:
// BootNotification is Rejected once the boot was Accepted (F06.FR.17); StatusNotification needs an existing
// EVSE and connector (F06.FR.12); Heartbeat is always Accepted; MeterValues is Accepted when the EVSE (or, without
// evse, any EVSE) has a powermeter reading, and sends a MeterValues (context Trigger, AlignedDataCtrlr.Measurands)
// for each such EVSE (F06.FR.06 ...); TransactionEvent is Accepted when the EVSE (or any) has an ongoing
// transaction, and sends an Updated with triggerReason Trigger for each (F06.FR.07), else Rejected;
// FirmwareStatusNotification and LogStatusNotification are always Accepted (Idle when nothing goes on).
// SignChargingStationCertificate is Accepted and sends a SignCertificate (A02/A03) when there is a security
// (evse_security) connection; SignV2GCertificate only when ISO15118Ctrlr.V2GCertificateInstallationEnabled is true
// (else Rejected), as libocpp decides. Other messages TsOcpp does not produce: NotImplemented. The triggered message
// follows the answer (F06.FR.04);
// MeterValues and TransactionEvent go through the durable outbox, so they wait for an Accepted boot.
import type { TriggerMessageRequest, TriggerMessageResponse } from '../ocpp-types.js';
import { cvOf, readBool } from '../variables.js';
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
    case 'MeterValues': {
      const tx = ctx.service.transactions;
      const evses = tx.evsesWithReading().filter((id) => req.evse === undefined || id === req.evse.id);
      if (evses.length === 0) return { status: 'Rejected' };
      ctx.after(() => {
        for (const id of evses) tx.meterValues(id, 'Trigger');
      });
      return { status: 'Accepted' };
    }
    case 'TransactionEvent': {
      const tx = ctx.service.transactions;
      const evses = tx.records().filter((r) => r.started && !r.ended && (req.evse === undefined || r.evseId === req.evse.id))
        .map((r) => r.evseId);
      if (evses.length === 0) return { status: 'Rejected' };
      ctx.after(() => {
        for (const id of evses) tx.trigger(id);
      });
      return { status: 'Accepted' };
    }
    // Always Accepted (libocpp): the last status with its requestId while something goes on, else Idle (L01.FR.25/26,
    // N01); sent at once, not through the outbox, as libocpp dispatches a triggered message.
    case 'FirmwareStatusNotification': {
      const payload = ctx.service.activity.triggeredFirmwareStatus();
      ctx.after(() => ctx.station.triggered('FirmwareStatusNotification', payload));
      return { status: 'Accepted' };
    }
    case 'LogStatusNotification': {
      const payload = ctx.service.activity.triggeredLogStatus();
      ctx.after(() => ctx.station.triggered('LogStatusNotification', payload));
      return { status: 'Accepted' };
    }
    case 'SignChargingStationCertificate':
      if (!ctx.securityControl) return { status: 'NotImplemented' };
      ctx.after(() => ctx.station.signCertificate('ChargingStationCertificate', true));
      return { status: 'Accepted' };
    case 'SignV2GCertificate':
      if (!ctx.securityControl) return { status: 'NotImplemented' };
      if (!readBool(ctx.service, cvOf('ISO15118Ctrlr', 'V2GCertificateInstallationEnabled'), false)) return { status: 'Rejected' };
      ctx.after(() => ctx.station.signCertificate('V2GCertificate', true));
      return { status: 'Accepted' };
    default:
      return { status: 'NotImplemented' };
  }
};
