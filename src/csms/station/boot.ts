// BootNotification: what the station says about itself. Fields as libocpp provisioning.cpp
// boot_notification_req fills them: model and vendor from InternalCtrlr ChargePointModel /
// ChargePointVendor (falling back to ChargingStation Model / VendorName), firmware version and serial
// number from InternalCtrlr. Cut to the schema lengths (model 20, vendorName 50, serialNumber 25,
// firmwareVersion 50).
import type { OcppService } from '../../ocpp/service.js';
import { truncate } from '../mapping.js';
import type { BootNotificationRequest, BootReason } from '../ocpp-types.js';
import { cvOf, readString } from '../variables.js';

/** Used when the CSMS gives no interval with Pending/Rejected, or does not answer (libocpp message_queue.hpp). */
export const DEFAULT_BOOT_RETRY_S = 60;

export function bootNotification(service: OcppService, reason: BootReason): BootNotificationRequest {
  const model = readString(service, cvOf('InternalCtrlr', 'ChargePointModel'))
    ?? readString(service, cvOf('ChargingStation', 'Model')) ?? 'TsOcpp';
  const vendor = readString(service, cvOf('InternalCtrlr', 'ChargePointVendor'))
    ?? readString(service, cvOf('ChargingStation', 'VendorName')) ?? 'TsOcpp';
  const req: BootNotificationRequest = {
    reason,
    chargingStation: { model: truncate(model, 20), vendorName: truncate(vendor, 50) },
  };
  const firmware = readString(service, cvOf('InternalCtrlr', 'FirmwareVersion'));
  if (firmware) req.chargingStation.firmwareVersion = truncate(firmware, 50);
  const serial = readString(service, cvOf('InternalCtrlr', 'ChargeBoxSerialNumber'));
  if (serial) req.chargingStation.serialNumber = truncate(serial, 25);
  return req;
}
