// The CSMS link's SystemControl (src/csms/system-control.ts) on the bus: the `system` requirement's
// is_reset_allowed, reset, update_firmware and upload_logs, with the arguments everest-core's OCPP201 gives them
// (reset type NotSpecified; both the 2023.12 and the 2026.02 system interface take these). undefined without a
// system connection: the link then keeps its communication reset, and refuses UpdateFirmware and GetLog.
import type { Logger } from '../log.js';
import type { EverestModule } from '../everest/module.js';
import type { SystemControl, UploadLogsAnswer } from '../csms/system-control.js';
import type { TsOcppSpec } from './ocpp-module.js';

const SYSTEM = 'system';

export function systemControl(mod: EverestModule<TsOcppSpec>, resetStopDelayS: number, log: Logger): SystemControl | undefined {
  if (mod.connections(SYSTEM).length === 0) return undefined;
  return {
    async isResetAllowed() {
      try {
        return (await mod.call(SYSTEM, 0, 'is_reset_allowed', { type: 'NotSpecified' })) === true;
      } catch (err) {
        log.error({ err }, 'system is_reset_allowed failed; the reset is refused');
        return false;
      }
    },
    async reset(scheduled) {
      // OCPP201 reset_callback: a pause first, so the CSMS has the station's last messages.
      if (resetStopDelayS > 0) await new Promise((r) => setTimeout(r, resetStopDelayS * 1000));
      await mod.call(SYSTEM, 0, 'reset', { type: 'NotSpecified', scheduled });
    },
    async updateFirmware(req) {
      return String(await mod.call(SYSTEM, 0, 'update_firmware', { firmware_update_request: req }));
    },
    async uploadLogs(req) {
      return (await mod.call(SYSTEM, 0, 'upload_logs', { upload_logs_request: req })) as UploadLogsAnswer;
    },
    async setSystemTime(timestamp) {
      // OCPP201 time_sync_callback: the CSMS time as RFC 3339.
      return (await mod.call(SYSTEM, 0, 'set_system_time', { timestamp })) === true;
    },
  };
}
