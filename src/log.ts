// One logger factory for the whole process: pino JSON for collectors, pino-pretty on a terminal.
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export const LOG_FORMATS = ['json', 'pretty', 'auto'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go (default stdout, where the manager collects a module's output). */
  destination?: 'stdout' | 'stderr';
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
  const toStderr = opts.destination === 'stderr';
  const stream = toStderr ? process.stderr : process.stdout;
  const pretty = format === 'pretty' || (format === 'auto' && stream.isTTY === true);
  const options: LoggerOptions = {
    level: opts.level ?? process.env.TSOCPP_LOG_LEVEL ?? 'info',
    base: { name: 'tsocpp' },
    redact: { paths: [...SECRET_PATHS, ...(opts.redact ?? [])], censor: '[redacted]' },
  };
  if (pretty) {
    const prettyOptions = { colorize: stream.isTTY === true, translateTime: 'HH:MM:ss.l', destination: toStderr ? 2 : 1 };
    return pino({ ...options, transport: { target: 'pino-pretty', options: prettyOptions } });
  }
  return toStderr ? pino(options, pino.destination({ dest: 2, sync: true })) : pino(options);
}

/** A logger that writes nothing, for library use and tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** `mqtt://user:secret@host` -> `mqtt://user:[redacted]@host`; anything else as it is. */
export function redactUrl<T>(value: T): T {
  if (typeof value !== 'string' || !value.includes('@')) return value;
  try {
    const u = new URL(value);
    if (u.password === '') return value;
    u.password = 'redacted';
    return u.href.replace(':redacted@', ':[redacted]@') as T;
  } catch {
    return value;
  }
}
