// One logger factory for the whole process. pino is the logger; what its lines look like depends on where
// they go: JSON for collectors (--log-format json), pino-pretty on a terminal, and, joined to an EVerest
// manager, the framework's own console line (src/log/everest-format.ts) so that TsOcpp's lines read like
// every other module's there. This file reads no environment: main.ts passes what it found.
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { defaultEverestLogConfig, loadEverestLogConfig } from './log/everest-config.js';
import { everestConsoleStream, pinoLevelFor } from './log/everest-format.js';

export type { Logger };

/** `everest`: the framework's console format; `auto`: that under a manager, else pretty on a terminal, else JSON. */
export const LOG_FORMATS = ['json', 'pretty', 'auto', 'everest'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface EverestLogOptions {
  /** The module id (liblog's %Process%). */
  moduleId: string;
  /** The manager's logging config (EV_LOG_CONF_FILE, or --log_config as binaries get it). */
  logConfigFile?: string;
}

export interface LogOptions {
  /** An explicit level (--log-level, TSOCPP_LOG_LEVEL): wins over the logging config's Filter. */
  level?: string;
  format?: LogFormat;
  /** Where lines go (default stdout, where the manager collects a module's output). */
  destination?: 'stdout' | 'stderr';
  /** Lines go here instead of stdout/stderr (tests). */
  stream?: DestinationStream;
  /** Extra field names (dot paths) whose values are replaced before a line is written. */
  redact?: string[];
  /** The process is joined to a manager's bus (EV_MODULE, --module): `auto` means the everest format. */
  joinedToManager?: boolean;
  /** For the everest format. */
  everest?: EverestLogOptions;
}

// Secrets never reach a log line: these paths are redacted wherever they appear.
const SECRET_PATHS = [
  'password', '*.password', 'passphrase', '*.passphrase', 'basic_auth_password', '*.basic_auth_password',
  'headers.authorization', '*.headers.authorization',
];

/** What `auto` comes to: the framework's format under a manager, pretty on a terminal, JSON otherwise. */
export function resolveLogFormat(format: LogFormat, joinedToManager: boolean, isTTY: boolean): Exclude<LogFormat, 'auto'> {
  if (format !== 'auto') return format;
  if (joinedToManager) return 'everest';
  return isTTY ? 'pretty' : 'json';
}

export function createLogger(opts: LogOptions = {}): Logger {
  const toStderr = opts.destination === 'stderr';
  const tty = opts.stream === undefined && (toStderr ? process.stderr : process.stdout).isTTY === true;
  const format = resolveLogFormat(opts.format ?? 'auto', opts.joinedToManager === true, tty);
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { name: 'tsocpp' },
    redact: { paths: [...SECRET_PATHS, ...(opts.redact ?? [])], censor: '[redacted]' },
  };
  const out = (): DestinationStream => opts.stream ?? pino.destination({ dest: toStderr ? 2 : 1, sync: true });
  if (format === 'everest') {
    const manager = opts.everest ?? { moduleId: 'ocpp' };
    const config = manager.logConfigFile ? loadEverestLogConfig(manager.logConfigFile) : defaultEverestLogConfig();
    const filterLevel = config.disabled ? 'silent' : pinoLevelFor(config.passes);
    const filter = { active: opts.level === undefined };
    const log = pino({ ...options, level: opts.level ?? filterLevel }, everestConsoleStream(config, manager.moduleId, out(), filter));
    filters.set(log, filter);
    return log;
  }
  if (format === 'pretty' && opts.stream === undefined) {
    const prettyOptions = { colorize: tty, translateTime: 'HH:MM:ss.l', destination: toStderr ? 2 : 1 };
    return pino({ ...options, transport: { target: 'pino-pretty', options: prettyOptions } });
  }
  return opts.stream !== undefined || toStderr ? pino(options, out()) : pino(options);
}

// The Filter of the manager's logging config, per logger of the everest format: a level set later replaces it.
const filters = new WeakMap<Logger, { active: boolean }>();

/** A level chosen after start (the module config's log_level): it replaces the logging config's Filter. */
export function setLogLevel(log: Logger, level: string): void {
  const filter = filters.get(log);
  if (filter) filter.active = false;
  log.level = level;
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
