// The OCPP 2.0.1 shapes of firmware update (L01, L02) and log upload (N01) TsOcpp uses, in OCPP's camelCase; the
// authority is the official schema set, which checks every message both ways in strict mode (src/csms/validator.ts).

export type FirmwareStatus =
  | 'Downloaded' | 'DownloadFailed' | 'Downloading' | 'DownloadScheduled' | 'DownloadPaused' | 'Idle'
  | 'InstallationFailed' | 'Installing' | 'Installed' | 'InstallRebooting' | 'InstallScheduled'
  | 'InstallVerificationFailed' | 'InvalidSignature' | 'SignatureVerified';

export type UploadLogStatus =
  | 'BadMessage' | 'Idle' | 'NotSupportedOperation' | 'PermissionDenied' | 'Uploaded' | 'UploadFailure' | 'Uploading'
  | 'AcceptedCanceled';

export type UpdateFirmwareStatus = 'Accepted' | 'Rejected' | 'AcceptedCanceled' | 'InvalidCertificate' | 'RevokedCertificate';
export type LogStatus = 'Accepted' | 'Rejected' | 'AcceptedCanceled';
export type LogType = 'DiagnosticsLog' | 'SecurityLog';

export interface StatusInfo {
  reasonCode: string;
  additionalInfo?: string;
}

export interface Firmware {
  location: string;
  retrieveDateTime: string;
  installDateTime?: string;
  signingCertificate?: string;
  signature?: string;
}

export interface UpdateFirmwareRequest {
  retries?: number;
  retryInterval?: number;
  requestId: number;
  firmware: Firmware;
}

export interface UpdateFirmwareResponse {
  status: UpdateFirmwareStatus;
  statusInfo?: StatusInfo;
}

export interface GetLogRequest {
  log: { remoteLocation: string; oldestTimestamp?: string; latestTimestamp?: string };
  logType: LogType;
  requestId: number;
  retries?: number;
  retryInterval?: number;
}

export interface GetLogResponse {
  status: LogStatus;
  statusInfo?: StatusInfo;
  filename?: string;
}

export interface FirmwareStatusNotificationRequest {
  status: FirmwareStatus;
  requestId?: number;
}

export interface LogStatusNotificationRequest {
  status: UploadLogStatus;
  requestId?: number;
}
