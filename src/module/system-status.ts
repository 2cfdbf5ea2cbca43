// The `system` requirement's firmware_update_status and log_status vars to the firmware room (src/ocpp/firmware),
// as everest-core OCPP201.cpp subscribes them (on_firmware_update_status_notification, on_log_status_notification),
// and, when the room says the firmware is ready to install, system.allow_firmware_installation once no
// transaction runs (OCPP201's all_connectors_unavailable_callback; L01.FR.06 waits for the transactions).
// Both releases' vars have the same shape; 2026.02's log status AcceptedCanceled is OCPP's own.
import type { EverestModule } from '../everest/module.js';
import type { Logger } from '../log.js';
import type { OcppService } from '../ocpp/service.js';
import type { FirmwareStatus, UploadLogStatus } from '../ocpp/firmware/ocpp-types.js';
import type { TsOcppSpec } from './ocpp-module.js';

const SYSTEM = 'system';

const FIRMWARE: ReadonlySet<string> = new Set<FirmwareStatus>([
  'Downloaded', 'DownloadFailed', 'Downloading', 'DownloadScheduled', 'DownloadPaused', 'Idle', 'InstallationFailed',
  'Installing', 'Installed', 'InstallRebooting', 'InstallScheduled', 'InstallVerificationFailed', 'InvalidSignature',
  'SignatureVerified',
]);
const LOG: ReadonlySet<string> = new Set<UploadLogStatus>([
  'BadMessage', 'Idle', 'NotSupportedOperation', 'PermissionDenied', 'Uploaded', 'UploadFailure', 'Uploading', 'AcceptedCanceled',
]);

function read(value: unknown, key: string, known: ReadonlySet<string>): { status: string; requestId: number } | undefined {
  const v = value as Record<string, unknown> | null;
  const status = v?.[key];
  const requestId = v?.request_id;
  if (typeof status !== 'string' || !known.has(status) || !Number.isInteger(requestId)) return undefined;
  return { status, requestId: requestId as number };
}

export async function bindSystemStatus(mod: EverestModule<TsOcppSpec>, service: OcppService, log: Logger): Promise<void> {
  if (mod.connections(SYSTEM).length === 0) return;
  const follow = (name: string, known: ReadonlySet<string>, what: string, record: (requestId: number, status: string) => void) =>
    mod.subscribeVar(SYSTEM, 0, name, (value) => {
      const s = read(value, name, known);
      if (!s) {
        log.warn(`dropped a system ${name} that does not fit its definition`);
        return;
      }
      try {
        record(s.requestId, s.status);
      } catch (err) {
        log.error({ err, status: s.status }, `could not record a ${what}`);
      }
    });
  await follow('firmware_update_status', FIRMWARE, 'firmware status', (id, st) => service.activity.firmwareStatus(id, st as FirmwareStatus));
  await follow('log_status', LOG, 'log upload status', (id, st) => service.activity.logStatus(id, st as UploadLogStatus));
  let waiting = false;
  const allowWhenIdle = (): void => {
    if (!waiting || service.availability().evses.some((e) => e.transaction_active)) return;
    waiting = false;
    log.info('firmware ready and no transaction runs: system allow_firmware_installation');
    mod.call(SYSTEM, 0, 'allow_firmware_installation', {}).catch((err: unknown) => log.error({ err }, 'system allow_firmware_installation failed'));
  };
  service.activity.onReadyToInstall(() => {
    waiting = true;
    allowWhenIdle();
  });
  // The Ended is made as the session's transaction ends; the EVSE's transaction flag follows in the same turn.
  service.on('transaction_event', ({ request }) => {
    if (request.eventType === 'Ended' && waiting) setImmediate(allowWhenIdle);
  });
}
