// Named errors of the device model and the OCPP service: TsOcppErrors with one of these codes.
import { TsOcppError } from '../errors.js';

export type DeviceModelErrorCode =
  | 'TSOCPP_ERR_DB_MIGRATION'
  | 'TSOCPP_ERR_DB'
  | 'TSOCPP_ERR_DEVICE_MODEL_CONFIG'
  | 'TSOCPP_ERR_UNKNOWN_VARIABLE'
  | 'TSOCPP_ERR_INVALID_VALUE'
  | 'TSOCPP_ERR_INVALID_ARGUMENT'
  | 'TSOCPP_ERR_CLOSED';

export class DeviceModelError extends TsOcppError {
  declare readonly code: DeviceModelErrorCode;
  constructor(code: DeviceModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
