// Named errors of the device model and the OCPP service, each with a stable code.

export type DeviceModelErrorCode =
  | 'TSOCPP_ERR_DB_MIGRATION' // the database is newer than this program or a migration failed
  | 'TSOCPP_ERR_DEVICE_MODEL_CONFIG' // a config/device_model file is malformed
  | 'TSOCPP_ERR_UNKNOWN_VARIABLE' // an internal change names a component/variable/attribute that does not exist
  | 'TSOCPP_ERR_INVALID_VALUE' // an internal change carries a value the characteristics forbid
  | 'TSOCPP_ERR_INVALID_ARGUMENT' // a service call with an argument out of its domain
  | 'TSOCPP_ERR_CLOSED'; // the service was closed

export class DeviceModelError extends Error {
  readonly code: DeviceModelErrorCode;
  constructor(code: DeviceModelErrorCode, message: string) {
    super(message);
    this.name = 'DeviceModelError';
    this.code = code;
  }
}
