// What the CSMS link may ask of the station's `system` requirement, handed in by the bus side
// (src/module/system-control.ts calls the system module): the link knows no MQTT. As everest-core's OCPP201
// (is_reset_allowed_callback / reset_callback) asks it: a reset of the whole station, type NotSpecified; and
// (update_firmware_request_callback / get_log_request_callback) firmware updates and log uploads.
import type { FirmwareUpdateRequest, UploadLogsRequest } from '../generated/types/system.js';
import type { BootReason } from './ocpp-types.js';

/** system.upload_logs's answer; upload_logs_status is 2023.12's AcceptedCancelled or 2026.02's AcceptedCanceled too. */
export interface UploadLogsAnswer {
  upload_logs_status: string;
  file_name?: string;
}

export interface SystemControl {
  /** system.is_reset_allowed; false when the call fails. */
  isResetAllowed(): Promise<boolean>;
  /**
   * system.reset after OCPP201's ResetStopDelay; `scheduled` says the reset waited for the transactions
   * to end (OnIdle). Rejects when the call fails.
   */
  reset(scheduled: boolean): Promise<void>;
  /** system.update_firmware: the system's UpdateFirmwareResponse (either release's spelling). Rejects when the call fails. */
  updateFirmware(req: FirmwareUpdateRequest): Promise<string>;
  /** system.upload_logs. Rejects when the call fails. */
  uploadLogs(req: UploadLogsRequest): Promise<UploadLogsAnswer>;
  /**
   * The reason of the first BootNotification of this process: system.get_boot_reason, asked at global ready as
   * OCPP201 asks it before it starts libocpp (FirmwareUpdate after an update, ScheduledReset ...); undefined when
   * the system module does not answer in time. Asked once; every call gives the same promise.
   */
  bootReason(): Promise<BootReason | undefined>;
  /** system.set_system_time (RFC 3339); false when the system module refused it. Rejects when the call fails. */
  setSystemTime(timestamp: string): Promise<boolean>;
}
