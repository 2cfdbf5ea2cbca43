// One logger factory for the whole process: pino JSON for collectors, pino-pretty on a terminal.
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export type LogFormat = 'json' | 'pretty' | 'auto';

export interface LogOptions {
  level?: string;
  format?: LogFormat;
  /** Extra field names (dot paths) whose values are replaced before a line is written. */
  redact?: string[];
}

// Secrets never reach a log line: these paths are redacted wherever they appear.
const SECRET_PATHS = [
  'password', '*.password', 'passphrase', '*.passphrase', 'basic_auth_password', '*.basic_auth_password',
  'headers.authorization', '*.headers.authorization',
];

export function createLogger(opts: LogOptions = {}): Logger {
  const format = opts.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  const options: LoggerOptions = {
    level: opts.level ?? process.env.TSOCPP_LOG_LEVEL ?? 'info',
    base: { name: 'tsocpp' },
    redact: { paths: [...SECRET_PATHS, ...(opts.redact ?? [])], censor: '[redacted]' },
  };
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } });
  }
  return pino(options);
}

/** A logger that writes nothing, for library use and tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
