// The CSMS link's SystemControl (src/csms/system-control.ts) on the bus: the `system` requirement's
// is_reset_allowed, reset, update_firmware, upload_logs, set_system_time and get_boot_reason, with the arguments everest-core's OCPP201 gives them
// (reset type NotSpecified; both the 2023.12 and the 2026.02 system interface take these). undefined without a
// system connection: the link then keeps its communication reset, and refuses UpdateFirmware and GetLog.
import type { Logger } from '../log.js';
import type { EverestModule } from '../everest/module.js';
import type { SystemControl, UploadLogsAnswer } from '../csms/system-control.js';
import type { BootReason } from '../csms/ocpp-types.js';
import type { TsOcppSpec } from './ocpp-module.js';

const SYSTEM = 'system';
/** How long get_boot_reason may take once asked; then the BootNotification says PowerUp, as before. */
export const BOOT_REASON_CALL_MS = 2000;
/** How long the first BootNotification waits for global ready and the answer: a stack that never gets ready must not keep the station unregistered. */
export const BOOT_REASON_WAIT_MS = 30_000;
const BOOT_REASONS: ReadonlySet<string> = new Set<BootReason>([
  'ApplicationReset', 'FirmwareUpdate', 'LocalReset', 'PowerUp', 'RemoteReset', 'ScheduledReset', 'Triggered', 'Unknown', 'Watchdog',
]);

export function systemControl(mod: EverestModule<TsOcppSpec>, resetStopDelayS: number, log: Logger): SystemControl | undefined {
  if (mod.connections(SYSTEM).length === 0) return undefined;
  const asked = Date.now();
  const bootReason = mod.readyWithin(BOOT_REASON_WAIT_MS).then(async (isReady): Promise<BootReason | undefined> => {
    // The call gets what is left of BOOT_REASON_WAIT_MS, at most BOOT_REASON_CALL_MS.
    const left = BOOT_REASON_WAIT_MS - (Date.now() - asked);
    if (!isReady || left <= 0) {
      log.warn(`no global ready and system get_boot_reason within ${BOOT_REASON_WAIT_MS} ms: the BootNotification says PowerUp`);
      return undefined;
    }
    try {
      const r = await mod.call(SYSTEM, 0, 'get_boot_reason', {}, Math.min(BOOT_REASON_CALL_MS, left));
      if (typeof r === 'string' && BOOT_REASONS.has(r)) return r as BootReason;
      log.warn({ reason: r }, 'system get_boot_reason gave no OCPP boot reason: the BootNotification says PowerUp');
    } catch (err) {
      log.warn({ err }, 'system get_boot_reason failed: the BootNotification says PowerUp');
    }
    return undefined;
  });
  return {
    bootReason: () => bootReason,
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
