// The tsocpp command: runs the module (on the embedded default, or joining a manager's bus), or the
// command-line client (`tsocpp call`, `tsocpp watch`, `tsocpp simulate-session`).
// First: the heap settings apply when it is evaluated, before the modules below are (src/heap-tuning.ts).
import './heap-tuning.js';
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { createLogger, LOG_FORMATS, redactUrl, resolveLogFormat, type LogFormat, type Logger } from './log.js';
import { NEWEST_DIALECT } from './everest/dialect.js';
import { parseInteger, resolveBusSettings, type BusSettings, type Flags } from './everest/settings.js';
import { ConfigError, errorCode, errorMessage } from './errors.js';
import { defaultEverestConfigFile, defaultManifest, startApp, type EmbeddedOptions } from './app.js';
import { loadEverestConfig } from './embedded/everest-config.js';
import { MODULE_CONFIG_FLAGS, parseCommandLine } from './cli/flags.js';
// The client's commands (src/cli/call.ts, watch.ts, simulate-session.ts) are imported only when one runs.

// The environment is read here and only here: the parts get values, never process.env.
// (src/heap-tuning.ts reads its own TSOCPP_* heap variables: it has to run before this module is.)
const env: Readonly<NodeJS.ProcessEnv> = { ...process.env };

const USAGE = `usage:
  tsocpp [options]                       run the module (embedded broker and config service unless --module or EV_MODULE is set)
  tsocpp call <module> <impl> <cmd> '<json args>' [--timeout ms] [--broker URL] [--prefix P] [bus options]
  tsocpp watch <module> <impl> <var> [--count N] [--broker URL] [--prefix P] [bus options]
  tsocpp simulate-session [--evse N] [--energy-wh N] [--seconds N] [...] [--broker URL] [--prefix P] [bus options]
                                         play one AC charging session as the evse_manager of EVSE N

Flags are written --name value or --name=value, with dashes or underscores (--evse-count, --evse_count).
An unknown flag, a flag without its value or a switch given one stops with TSOCPP_ERR_CONFIG.

bus options (the module, call and watch):
  --broker URL             use this broker instead of the embedded one (mqtt://host:port)
  --mqtt_broker_host H --mqtt_broker_port N --mqtt_broker_socket_path P --mqtt_everest_prefix P --mqtt_external_prefix P
                           as the manager passes them (also EV_MQTT_* environment variables)
  --bus-dialect D          auto (default), v25 (framework v0.25+), v22 (v0.22-v0.24), v19 (v0.19-v0.21)
  --mqtt-username U --mqtt-password P --mqtt-ca F --mqtt-cert F --mqtt-key F
  --log-level L            trace|debug|info|warn|error|fatal (module: TSOCPP_LOG_LEVEL; default info, or under a
                           manager the Filter of its logging config; the module config's log_level applies once the
                           config is in. call/watch: default warn, on stderr)
  --help, -h               this text

module options:
  --port N                 embedded broker port (default 1883); --host H (default 127.0.0.1)
  --mqtt-tls-cert F --mqtt-tls-key F   the embedded broker serves MQTT over TLS (mqtts) with this PEM certificate and key
  --config FILE            EVerest config file for the embedded config service (default config/everest/embedded.yaml)
  --module ID              join a manager's bus as module ID (as EV_MODULE does); no embedded parts
  --log-format F           json|pretty|everest|auto (TSOCPP_LOG_FORMAT; auto: the framework's console format
                           under a manager, else pretty on a terminal, JSON otherwise)
  --log_config F           the manager's logging config (EV_LOG_CONF_FILE): Format and Filter of the everest format
  --print-config           print the resolved settings (secrets redacted) and exit
  --device-model-db F --device-model-sync full|normal --evse-count N --connectors-per-evse N
                           module config on the embedded default
  --csms-url URL --station-id ID --security-profile N --csms-ca-file F --client-cert-file F --client-key-file F
                           module config for the CSMS link (embedded default)
  --qos-window N --call-timeout-ms N --handler-timeout-ms N --max-payload-bytes N --config-timeout-ms N
                           bus tuning (also TSOCPP_QOS_WINDOW, TSOCPP_CALL_TIMEOUT_MS, ...)
  --prefix P               accepted as a manager passes it to binaries; not used

call options: --timeout ms (default 10000), --prefix P (everest prefix, as --mqtt_everest_prefix)
watch options: --count N (stop after N values), --prefix P
simulate-session options (publishes as module evse_manager_<N>, implementation evse, as the embedded default connects EVSE 1):
  --evse N (default 1) --connector N (default 1) --evse-module ID (default evse_manager_<N>)
  --energy-wh N (default 1500) --seconds N (charging time, default 20) --power-w N (default: energy over time)
  --step-ms N (real time of one simulated second and of each event step, default 1000)
  --id-token T (default SIMULATED01) --id-token-type T (default ISO14443)
  --stop-reason R (EVerest StopTransactionReason, default EVDisconnected)
  --release auto|2023.12|2026.02 (payload shapes; auto: the evse_manager definition on the bus, else 2026.02)
  --prefix P (everest prefix)
`;

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

function flagString(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

function logLevel(raw: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new ConfigError('log_level', `expected ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  return raw;
}

function logFormat(flags: Flags): LogFormat {
  const raw = flagString(flags, 'log_format') ?? env.TSOCPP_LOG_FORMAT ?? 'auto';
  if (!(LOG_FORMATS as readonly string[]).includes(raw)) throw new ConfigError('log_format', `expected ${LOG_FORMATS.join(', ')}, got '${raw}'`);
  return raw as LogFormat;
}

async function main(argv: string[]): Promise<number> {
  const { command, flags, positionals } = parseCommandLine(argv);
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  if (command !== 'module') {
    // The client prints answers on stdout, so its own log lines go to stderr.
    const log = createLogger({ level: logLevel(flagString(flags, 'log_level') ?? 'warn'), format: 'json', destination: 'stderr' });
    // For the client, --prefix is the everest MQTT prefix. (For the module it is not: the manager passes
    // binaries `--prefix <install prefix>`, which must not become a topic prefix.)
    if (flags.prefix !== undefined && flags.mqtt_everest_prefix === undefined) flags.mqtt_everest_prefix = flags.prefix;
    const settings = resolveBusSettings(flags, env, { moduleId: 'tsocpp-cli' });
    if (command === 'simulate-session') {
      const { runSimulateSession, simulateOptions } = await import('./cli/simulate-session.js');
      return runSimulateSession(simulateOptions(flags), settings, log);
    }
    if (command === 'call') {
      const { runCall } = await import('./cli/call.js');
      return runCall(positionals, settings, parseInteger('timeout', flagString(flags, 'timeout'), 10_000, 1), log);
    }
    const count = flagString(flags, 'count');
    const { runWatch } = await import('./cli/watch.js');
    return runWatch(positionals, settings, log, count === undefined ? undefined : parseInteger('count', count, 1, 1));
  }

  const format = logFormat(flags);
  // A level given here wins; without one the logger takes the manager's Filter (joined) or info.
  const givenLevel = flagString(flags, 'log_level') ?? (env.TSOCPP_LOG_LEVEL || undefined);
  const level = givenLevel === undefined ? undefined : logLevel(givenLevel);
  const joinManager = flags.module !== undefined || (env.EV_MODULE ?? '') !== '';
  const logConfigFile = flagString(flags, 'log_config') ?? (env.EV_LOG_CONF_FILE || undefined);
  const moduleId = flagString(flags, 'module') ?? (env.EV_MODULE || 'ocpp');
  const log = createLogger({ level, format, joinedToManager: joinManager,
    everest: { moduleId, logConfigFile } });
  const startedAt = performance.now(); // for the framework's "Module <id> initialized [N ms]" line
  const host = flagString(flags, 'host') ?? '127.0.0.1';
  const port = parseInteger('port', flagString(flags, 'port'), 1883, 0, 65535);
  const settings = resolveBusSettings(flags, env, { moduleId: 'ocpp', brokerUrl: `mqtt://${host}:${port}` });
  let embedded: EmbeddedOptions | undefined;
  if (!joinManager) {
    const d = settings.dialect === 'auto' ? NEWEST_DIALECT : settings.dialect;
    const moduleConfig: Record<string, unknown> = {};
    for (const key of MODULE_CONFIG_FLAGS) {
      const v = flagString(flags, key);
      if (v !== undefined) moduleConfig[key] = v;
    }
    embedded = { dialect: d, moduleConfig };
    if (flags.broker === undefined) {
      embedded.broker = { host, port };
      const certFile = flagString(flags, 'mqtt_tls_cert');
      const keyFile = flagString(flags, 'mqtt_tls_key');
      if ((certFile === undefined) !== (keyFile === undefined)) {
        throw new ConfigError(certFile === undefined ? 'mqtt_tls_cert' : 'mqtt_tls_key', 'the embedded broker serves TLS with both --mqtt-tls-cert and --mqtt-tls-key');
      }
      if (certFile !== undefined && keyFile !== undefined) embedded.broker.tls = { certFile, keyFile };
    }
    const configFile = flagString(flags, 'config');
    if (configFile) embedded.configFile = configFile;
  }
  if (flags.print_config) {
    process.stdout.write(`${JSON.stringify(printableConfig(settings, joinManager, embedded, { level: level ?? (joinManager ? 'the Filter of the logging config' : 'info'), format: resolveLogFormat(format, joinManager, process.stdout.isTTY === true) }), null, 2)}\n`);
    return 0;
  }

  let app = await startApp({ settings, log, embedded });
  // The line every framework module writes when its init is done (everest-framework lib/runtime.cpp).
  if (joinManager) log.info(`Module ${settings.moduleId} initialized [${Math.round(performance.now() - startedAt)}ms]`);
  const announce = (): void => {
    const broker = redactUrl(app.brokerUrl);
    log.info({ broker, module: settings.moduleId, prefix: settings.everestPrefix, dialect: app.info.dialect },
      `TsOcpp serving module '${settings.moduleId}' on ${broker} (${embedded ? 'embedded default' : 'manager bus'}, dialect ${app.info.dialect})`);
  };
  announce();
  if (env.TSOCPP_REPORT_ELD === '1') reportEventLoopDelay(log);

  await new Promise<void>((resolve) => {
    let stopping = false;
    // A restarted manager expects the handshake again (and may speak another dialect): join anew.
    const rejoin = (): void => {
      if (stopping) return;
      void (async () => {
        await app.stop();
        if (stopping) return;
        app = await startApp({ settings, log, embedded });
        app.module.onManagerRestart(rejoin);
        announce();
      })().catch((err: unknown) => {
        log.error({ err }, 'could not join the bus again');
        process.exit(1);
      });
    };
    app.module.onManagerRestart(rejoin);
    // The manager stops modules with SIGTERM: stop taking calls, answer or refuse what is in flight,
    // flush, disconnect, exit 0 within a bound.
    const onSignal = (sig: string): void => {
      stopping = true;
      log.info(`${sig}: shutting down`);
      const force = setTimeout(() => {
        log.error('shutdown took too long; exiting');
        process.exit(1);
      }, 8000);
      force.unref();
      app.stop().then(resolve, (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  return 0;
}

/**
 * What --print-config shows: the bus settings, the log settings and, on the embedded default, the module
 * config the embedded config service will hand out (manifest defaults < config file < flags). Under a
 * manager the module config comes from the manager and is not known here. Secrets are redacted.
 */
function printableConfig(settings: BusSettings, joinManager: boolean, embedded: EmbeddedOptions | undefined,
  logSettings: { level: string; format: LogFormat }): Record<string, unknown> {
  const shown: Record<string, unknown> = {
    mode: joinManager ? 'manager' : 'embedded',
    ...settings,
    brokerUrl: redactUrl(settings.brokerUrl),
    password: settings.password ? '[redacted]' : undefined,
    log: logSettings,
  };
  if (embedded) {
    const configFile = embedded.configFile ?? defaultEverestConfigFile();
    const entry = loadEverestConfig(configFile).active_modules[settings.moduleId];
    const moduleConfig: Record<string, unknown> = {};
    for (const [key, decl] of Object.entries(defaultManifest().config)) if (decl.default !== undefined) moduleConfig[key] = decl.default;
    Object.assign(moduleConfig, entry?.config_module ?? {}, embedded.moduleConfig ?? {});
    for (const key of Object.keys(moduleConfig)) {
      if (/password|secret|passphrase/i.test(key)) moduleConfig[key] = '[redacted]';
      else moduleConfig[key] = redactUrl(moduleConfig[key]);
    }
    shown.embedded = {
      dialect: embedded.dialect,
      broker: embedded.broker ? `mqtt://${embedded.broker.host}:${embedded.broker.port}` : 'none (--broker given)',
      configFile,
      moduleConfig: entry ? moduleConfig : `module '${settings.moduleId}' is not in ${configFile}`,
    };
  }
  return shown;
}

/** For the benchmark: event-loop delay percentiles, logged every second. */
function reportEventLoopDelay(log: Logger): void {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  // GC pauses by kind over the same second: the usual suspect for a long tail.
  const gc = { count: 0, totalMs: 0, maxMs: 0, major: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MINOR) gc.major++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  setInterval(() => {
    const mem = process.memoryUsage();
    log.warn({
      eld: { p50_ms: ms(h.percentile(50)), p99_ms: ms(h.percentile(99)), max_ms: ms(h.max) },
      gc: { count: gc.count, major: gc.major, total_ms: Math.round(gc.totalMs * 100) / 100, max_ms: Math.round(gc.maxMs * 100) / 100 },
      mem_mb: { rss: Math.round(mem.rss / 1e6), heap_used: Math.round(mem.heapUsed / 1e6), heap_total: Math.round(mem.heapTotal / 1e6), external: Math.round(mem.external / 1e6) },
    }, 'event loop delay');
    h.reset();
    Object.assign(gc, { count: 0, totalMs: 0, maxMs: 0, major: 0 });
  }, 1000).unref();
}

main(process.argv.slice(2)).then(
  (code) => {
    // Everything was closed in order; do not wait for stray timers of libraries.
    process.exit(code);
  },
  (err: unknown) => {
    // One clear line: a bad config key, a broker that refuses us, a definition that does not compile.
    process.stderr.write(`tsocpp: ${errorCode(err)}: ${errorMessage(err)}\n`);
    process.exit(1);
  },
);

