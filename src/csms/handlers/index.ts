// The CALLs the CSMS may send, one handler per action, and what the registration state admits.
// ocpp-rpc answers an action that is not registered here with NotImplemented (OCPP-J 4.3: "Requested
// Action is not known by receiver") after strict mode checked nothing; every other OCPP 2.0.1 action is
// registered as NotSupported ("recognized but not supported").
import type { Registration } from '../sender.js';
import { certificateSigned } from './certificate-signed.js';
import { changeAvailability } from './change-availability.js';
import { clearCache } from './clear-cache.js';
import { clearChargingProfile } from './clear-charging-profile.js';
import type { CallHandler } from './context.js';
import { dataTransfer } from './data-transfer.js';
import { deleteCertificate } from './delete-certificate.js';
import { getBaseReport } from './get-base-report.js';
import { getChargingProfiles } from './get-charging-profiles.js';
import { getCompositeSchedule } from './get-composite-schedule.js';
import { getInstalledCertificateIds } from './get-installed-certificate-ids.js';
import { getLocalListVersion } from './get-local-list-version.js';
import { getLog } from './get-log.js';
import { getReport } from './get-report.js';
import { getTransactionStatus } from './get-transaction-status.js';
import { getVariables } from './get-variables.js';
import { installCertificate } from './install-certificate.js';
import { requestStartTransaction } from './request-start-transaction.js';
import { requestStopTransaction } from './request-stop-transaction.js';
import { reset } from './reset.js';
import { sendLocalList } from './send-local-list.js';
import { setChargingProfile } from './set-charging-profile.js';
import { setNetworkProfile } from './set-network-profile.js';
import { setVariables } from './set-variables.js';
import { triggerMessage } from './trigger-message.js';
import { unlockConnector } from './unlock-connector.js';
import { updateFirmware } from './update-firmware.js';

export type { CallContext, CallHandler, DataTransferForwarder, StationControl } from './context.js';

export const CALL_HANDLERS: Readonly<Record<string, CallHandler<never, object>>> = {
  GetVariables: getVariables,
  SetVariables: setVariables,
  GetBaseReport: getBaseReport,
  GetReport: getReport,
  GetTransactionStatus: getTransactionStatus,
  ChangeAvailability: changeAvailability,
  DataTransfer: dataTransfer,
  TriggerMessage: triggerMessage,
  Reset: reset,
  ClearCache: clearCache,
  SendLocalList: sendLocalList,
  GetLocalListVersion: getLocalListVersion,
  RequestStartTransaction: requestStartTransaction,
  RequestStopTransaction: requestStopTransaction,
  UnlockConnector: unlockConnector,
  SetChargingProfile: setChargingProfile,
  ClearChargingProfile: clearChargingProfile,
  GetChargingProfiles: getChargingProfiles,
  GetCompositeSchedule: getCompositeSchedule,
  UpdateFirmware: updateFirmware,
  GetLog: getLog,
  SetNetworkProfile: setNetworkProfile,
  CertificateSigned: certificateSigned,
  InstallCertificate: installCertificate,
  DeleteCertificate: deleteCertificate,
  GetInstalledCertificateIds: getInstalledCertificateIds,
};

// libocpp charge_point.cpp message_callback: what is handled before an Accepted BootNotification.
const WHILE_PENDING: ReadonlySet<string> = new Set(['GetVariables', 'SetVariables', 'GetBaseReport', 'GetReport', 'TriggerMessage']);

/**
 * Why a CALL is refused in this registration state (answered with SecurityError, B02.FR.09 / B03), or
 * undefined when it may be handled. Pending: the provisioning messages and TriggerMessage. Rejected, and
 * before any BootNotification answer: only TriggerMessage for a BootNotification.
 */
export function refusal(registration: Registration, action: string, params: unknown): string | undefined {
  if (registration === 'Accepted') return undefined;
  if (registration === 'Pending') {
    return WHILE_PENDING.has(action) ? undefined : `${action} is not accepted while the registration is Pending`;
  }
  if (action === 'TriggerMessage' && (params as { requestedMessage?: unknown })?.requestedMessage === 'BootNotification') return undefined;
  return `${action} is not accepted before an accepted BootNotification`;
}
