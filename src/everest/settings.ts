// Bus settings: from the manager's environment (EV_*), overridden by command-line flags of the same
// names (`--mqtt_broker_host`, as the manager passes them to binaries) or their dashed forms.
import type { DialectName } from './dialect.js';
import { isDialectName } from './dialect.js';
import { ConfigError } from '../errors.js';

export interface TlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

export interface BusSettings {
  moduleId: string;
  /** Everest prefix with its trailing slash, as the framework uses it ("everest/"). */
  everestPrefix: string;
  externalPrefix: string;
  /** The EVerest install prefix a manager spawned us from (EV_PREFIX), where its type files are. */
  installPrefix?: string;
  /** mqtt://host:port, mqtts://..., or unix socket path via `socketPath`. */
  brokerUrl: string;
  socketPath?: string;
  username?: string;
  password?: string;
  tls?: TlsSettings;
  /** Forced dialect, or 'auto' to detect it from the bus. */
  dialect: DialectName | 'auto';
  /** Own QoS 2 publishes in flight at most (mosquitto's max_inflight_messages defaults to 20). */
  qosWindow: number;
  /** Timeout of calls that this module makes to others, ms (framework: 300 s). */
  callTimeoutMs: number;
  /** How long a handler may take before its caller gets CmdTimeout, ms. */
  handlerTimeoutMs: number;
  /** Largest inbound payload, bytes; a larger call is answered with MessageParsingError. */
  maxPayloadBytes: number;
  /** How long to wait for the manager's config answer, ms (the framework gives up after 5 s). */
  configTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export const DEFAULT_SETTINGS: Omit<BusSettings, 'moduleId' | 'brokerUrl'> = {
  everestPrefix: 'everest/',
  externalPrefix: '',
  dialect: 'auto',
  qosWindow: 20,
  callTimeoutMs: 300_000,
  handlerTimeoutMs: 60_000,
  maxPayloadBytes: 1024 * 1024,
  configTimeoutMs: 5_000,
  reconnectMinMs: 100,
  reconnectMaxMs: 5_000,
};

export type Flags = Record<string, string | boolean | undefined>;

/**
 * A loose parse of `--key value`, `--key=value` and bare `--flag` into a map, positionals apart: for the
 * bench's helper scripts. The tsocpp command parses its flags strictly (src/cli/flags.ts).
 */
export function parseFlags(argv: readonly string[]): { flags: Flags; positionals: string[] } {
  const flags: Flags = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags[normalizeFlag(a.slice(2, eq))] = a.slice(eq + 1);
      continue;
    }
    const name = normalizeFlag(a.slice(2));
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags[name] = next;
      i++;
    } else {
      flags[name] = true;
    }
  }
  return { flags, positionals };
}

/** `--mqtt-broker-host` and `--mqtt_broker_host` are the same flag. */
export function normalizeFlag(name: string): string {
  return name.replace(/-/g, '_');
}

function str(flags: Flags, env: Readonly<NodeJS.ProcessEnv>, flag: string, envName: string): string | undefined {
  const f = flags[flag];
  if (typeof f === 'string') return f;
  const e = env[envName];
  return e === undefined || e === '' ? undefined : e;
}

/** An integer setting given as text (a flag or an environment variable); `fallback` when not given. */
export function parseInteger(key: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(key, `expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got '${raw}'`);
  }
  return n;
}

/** Make sure a prefix ends with one slash, as the framework's prefixes do. */
export function withSlash(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

export function resolveBusSettings(flags: Flags, env: Readonly<NodeJS.ProcessEnv>, defaults: { moduleId?: string; brokerUrl?: string } = {}): BusSettings {
  const moduleId = str(flags, env, 'module', 'EV_MODULE') ?? defaults.moduleId;
  if (!moduleId) throw new ConfigError('module', 'no module id: set EV_MODULE or --module');
  const host = str(flags, env, 'mqtt_broker_host', 'EV_MQTT_BROKER_HOST');
  const port = str(flags, env, 'mqtt_broker_port', 'EV_MQTT_BROKER_PORT');
  const socketPath = str(flags, env, 'mqtt_broker_socket_path', 'EV_MQTT_BROKER_SOCKET_PATH');
  const broker = str(flags, env, 'broker', 'TSOCPP_BROKER');
  let brokerUrl = broker ?? defaults.brokerUrl ?? 'mqtt://127.0.0.1:1883';
  if (!broker && (host || port)) {
    brokerUrl = `mqtt://${host ?? '127.0.0.1'}:${parseInteger('mqtt_broker_port', port, 1883, 1)}`;
  }
  const dialectRaw = str(flags, env, 'bus_dialect', 'TSOCPP_BUS_DIALECT') ?? 'auto';
  if (dialectRaw !== 'auto' && !isDialectName(dialectRaw)) {
    throw new ConfigError('bus_dialect', `expected auto, v25, v22 or v19, got '${dialectRaw}'`);
  }
  const tls: TlsSettings = {};
  const ca = str(flags, env, 'mqtt_ca', 'TSOCPP_MQTT_CA');
  const cert = str(flags, env, 'mqtt_cert', 'TSOCPP_MQTT_CERT');
  const key = str(flags, env, 'mqtt_key', 'TSOCPP_MQTT_KEY');
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  const settings: BusSettings = {
    ...DEFAULT_SETTINGS,
    moduleId,
    everestPrefix: withSlash(str(flags, env, 'mqtt_everest_prefix', 'EV_MQTT_EVEREST_PREFIX') ?? DEFAULT_SETTINGS.everestPrefix),
    externalPrefix: str(flags, env, 'mqtt_external_prefix', 'EV_MQTT_EXTERNAL_PREFIX') ?? '',
    installPrefix: env.EV_PREFIX || undefined,
    brokerUrl,
    dialect: dialectRaw,
    qosWindow: parseInteger('qos_window', str(flags, env, 'qos_window', 'TSOCPP_QOS_WINDOW'), DEFAULT_SETTINGS.qosWindow, 1),
    callTimeoutMs: parseInteger('call_timeout_ms', str(flags, env, 'call_timeout_ms', 'TSOCPP_CALL_TIMEOUT_MS'), DEFAULT_SETTINGS.callTimeoutMs, 1),
    handlerTimeoutMs: parseInteger('handler_timeout_ms', str(flags, env, 'handler_timeout_ms', 'TSOCPP_HANDLER_TIMEOUT_MS'), DEFAULT_SETTINGS.handlerTimeoutMs, 1),
    maxPayloadBytes: parseInteger('max_payload_bytes', str(flags, env, 'max_payload_bytes', 'TSOCPP_MAX_PAYLOAD_BYTES'), DEFAULT_SETTINGS.maxPayloadBytes, 64),
    configTimeoutMs: parseInteger('config_timeout_ms', str(flags, env, 'config_timeout_ms', 'TSOCPP_CONFIG_TIMEOUT_MS'), DEFAULT_SETTINGS.configTimeoutMs, 1),
  };
  if (socketPath && !broker) settings.socketPath = socketPath;
  const username = str(flags, env, 'mqtt_username', 'TSOCPP_MQTT_USERNAME');
  const password = str(flags, env, 'mqtt_password', 'TSOCPP_MQTT_PASSWORD');
  if (username) settings.username = username;
  if (password) settings.password = password;
  if (Object.keys(tls).length > 0) settings.tls = tls;
  return settings;
}
