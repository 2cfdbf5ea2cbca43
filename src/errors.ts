// The project's named errors. Each has a stable code; bus-facing ones map onto exactly one of the
// framework's six CmdError types (everest-framework lib/conversions.cpp), which are the only strings a
// framework caller accepts.

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

export const ERROR_CODES = {
  TSOCPP_ERR_CMD: 'a command call ended with a framework error',
  TSOCPP_ERR_CONFIG: 'a configuration value is missing or does not fit its declaration',
  TSOCPP_ERR_BOOTSTRAP: 'the module could not join the bus',
  TSOCPP_ERR_MANIFEST: 'the manifest is not valid',
  TSOCPP_ERR_NOT_CONNECTED: 'the bus connection is down',
  TSOCPP_ERR_CSMS_UNAVAILABLE: 'a message for the CSMS was not sent: no connection, or not allowed before an accepted BootNotification',
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

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
