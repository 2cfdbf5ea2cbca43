// The project's one error family: everything TsOcpp raises is a TsOcppError with a stable code from
// ERROR_CODES (README's error table is held to this list by test/errors.test.ts) and the error it came
// from as `cause`. Bus-facing ones map onto exactly one of the framework's six CmdError types
// (everest-framework lib/conversions.cpp), which are the only strings a framework caller accepts.

export const CMD_ERROR_TYPES = [
  'MessageParsingError',
  'SchemaValidationError',
  'HandlerException',
  'CmdTimeout',
  'Shutdown',
  'NotReady',
] as const;

export type CmdErrorType = (typeof CMD_ERROR_TYPES)[number];

export function isCmdErrorType(value: unknown): value is CmdErrorType {
  return typeof value === 'string' && (CMD_ERROR_TYPES as readonly string[]).includes(value);
}

/** Every code with its one-line meaning; README's "Errors" table lists the same, in the same order. */
export const ERROR_CODES = {
  TSOCPP_ERR_CMD: 'a command call ended with a framework error',
  TSOCPP_ERR_CONFIG: 'a configuration value is missing or does not fit its declaration',
  TSOCPP_ERR_BOOTSTRAP: 'the module could not join the bus',
  TSOCPP_ERR_MANIFEST: 'the manifest is not valid',
  TSOCPP_ERR_NOT_CONNECTED: 'the bus connection is down, or did not come up in time',
  TSOCPP_ERR_CLOSED: 'the part was closed (the OCPP service, a publisher) before the work was done',
  TSOCPP_ERR_SCHEMA_COMPILE: 'an interface or type definition does not compile into a validator',
  TSOCPP_ERR_DEFINITIONS: 'an interface or type file cannot be read or is not shaped as EVerest writes them',
  TSOCPP_ERR_DB_MIGRATION: 'the device model database is newer than this program, or a migration failed',
  TSOCPP_ERR_DB: 'the device model database did not do what was asked (a write that did not persist)',
  TSOCPP_ERR_DEVICE_MODEL_CONFIG: 'a config/device_model file or an imported component config file is malformed',
  TSOCPP_ERR_UNKNOWN_VARIABLE: 'an internal change names a component, variable or attribute that does not exist',
  TSOCPP_ERR_INVALID_VALUE: 'an internal change carries a value the characteristics forbid',
  TSOCPP_ERR_INVALID_ARGUMENT: 'a service call with an argument out of its domain',
  TSOCPP_ERR_CSMS_UNAVAILABLE: 'a message for the CSMS was not sent: no connection, or not accepted yet',
  TSOCPP_ERR_LOG_CONFIG: 'the logging config file (EV_LOG_CONF_FILE, --log_config) cannot be read or used',
  TSOCPP_ERR_FATAL: 'anything else that stopped start-up (a bug: the message says what)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TsOcppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A command failed with one of the framework's error types. Thrown to TsOcpp code that called another
 * module, and thrown by handlers that want to answer with a specific type (anything else a handler
 * throws is answered as HandlerException).
 */
export class CmdError extends TsOcppError {
  readonly type: CmdErrorType;
  constructor(type: CmdErrorType, message: string, options?: { cause?: unknown }) {
    super('TSOCPP_ERR_CMD', message, options);
    this.type = type;
  }
}

/** A configuration key is missing, of the wrong type or out of range; the message names the key. */
export class ConfigError extends TsOcppError {
  readonly key: string;
  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super('TSOCPP_ERR_CONFIG', `config key '${key}': ${message}`, options);
    this.key = key;
  }
}

export class BootstrapError extends TsOcppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TSOCPP_ERR_BOOTSTRAP', message, options);
  }
}

export class ManifestError extends TsOcppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TSOCPP_ERR_MANIFEST', message, options);
  }
}

export class NotConnectedError extends TsOcppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TSOCPP_ERR_NOT_CONNECTED', message, options);
  }
}

/** The one way to turn anything thrown into a message (for answers and one-line reports; logs take `{ err }`). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** The code a fatal start-up line names: the error's own, or TSOCPP_ERR_FATAL for anything not of the family. */
export function errorCode(err: unknown): ErrorCode {
  return err instanceof TsOcppError ? err.code : 'TSOCPP_ERR_FATAL';
}
