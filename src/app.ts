// Wires the parts of one TsOcpp process: optionally the embedded broker and config service, the bus
// module, the OCPP service. The same module code path runs in every mode; only who answers the
// bootstrap differs.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setLogLevel, type Logger } from './log.js';
import { BootstrapError } from './errors.js';
import { EverestModule, type StartInfo } from './everest/module.js';
import { streamFactory } from './everest/connection.js';
import { loadManifest, type Manifest } from './everest/manifest.js';
import { TSOCPP_CONFIG, type TsOcppConfig } from './generated/module-config.js';
import type { BusSettings } from './everest/settings.js';
import type { DialectName } from './everest/dialect.js';
import { projectRoot } from './schema/definitions.js';
import { BASE_RELEASE, bundledRelease, managerDefinitions, NEWEST_RELEASE } from './schema/releases.js';
import { OcppService } from './ocpp/service.js';
import { resolveComponentConfigDir } from './device-model/component-config.js';
import { recordStartup } from './ocpp/startup.js';
import { dataTransferForwarder, ocppHandlers, publishServiceEvents, type TsOcppSpec } from './module/ocpp-module.js';
import type { Csms } from './csms/index.js';
import { bindEvseManagers } from './module/evse-manager.js';
import { bindEvseInputs, type EvseInputs } from './module/evse-inputs.js';
import { bindConnectorStatus } from './module/connector-status.js';
import { bindExternalWebsocketControl } from './module/external-websocket-control.js';
import { TransactionFeed } from './module/transactions.js';
import { evseControl, publishTransactionVars } from './module/transaction-control.js';
import { authControl, bindAuthSettings } from './module/auth-control.js';
import type { Timers } from './csms/timers.js';
import { EnergyLimits } from './module/energy-limits.js';
import { bindChargingLimitFeed } from './module/charging-limit-feed.js';
import { systemControl } from './module/system-control.js';
import { bindSystemStatus } from './module/system-status.js';
import type { SystemControl } from './csms/system-control.js';
import type { SecurityControl } from './csms/security-control.js';
import { securityControl } from './module/security-control.js';
// The embedded broker and config service are loaded only on the embedded default (under a manager they
// would only cost start-up time and memory).
import type { BrokerTls, EmbeddedBroker } from './embedded/broker.js';
import type { ConfigService } from './embedded/config-service.js';
import { loadEverestConfig, type EverestConfig } from './embedded/everest-config.js';

export interface EmbeddedOptions {
  /** Start an in-process broker on this host/port (omit to use settings.brokerUrl as it is). */
  broker?: { host: string; port: number; tls?: BrokerTls };
  /** EVerest config file for the config service. */
  configFile?: string;
  /** Or the config itself. */
  config?: EverestConfig;
  dialect: DialectName;
  /** Extra module config values (command-line flags such as --csms-url) laid over the config file's. */
  moduleConfig?: Record<string, unknown>;
  /** Interface and type definitions the config service publishes (tests); default: managerDefinitions(NEWEST_RELEASE). */
  definitions?: ReturnType<typeof managerDefinitions>;
}

export interface AppOptions {
  settings: BusSettings;
  log: Logger;
  embedded?: EmbeddedOptions;
  /** The timers of the periodic meter values (SampledDataCtrlr.TxUpdatedInterval); tests drive them. */
  sampleTimers?: Timers;
  /** The timers of the composite schedules sent to the evse_energy_sink connections (period boundaries, interval). */
  energyTimers?: Timers;
  /** The timers of the CSMS link (reconnects, heartbeats, certificate checks); tests drive them. */
  csmsTimers?: Timers;
}

export interface App {
  readonly module: EverestModule<TsOcppSpec, typeof TSOCPP_CONFIG>;
  readonly info: StartInfo;
  readonly brokerUrl: string;
  readonly service: OcppService;
  readonly configService: ConfigService | undefined;
  /** The checked inputs of the evse_manager connections; undefined without one. */
  readonly evseInputs: EvseInputs | undefined;
  stop(): Promise<void>;
}

/** The module name of TsOcpp's manifest: its share folder under an EVerest prefix is modules/<this>. */
const manifestModuleName = 'TsOcpp';

export function defaultManifest(): Manifest {
  return loadManifest(join(projectRoot(), 'manifest.yaml'));
}

export function defaultEverestConfigFile(): string {
  return join(projectRoot(), 'config', 'everest', 'embedded.yaml');
}

export async function startApp(opts: AppOptions): Promise<App> {
  const { log } = opts;
  let settings = opts.settings;
  const manifest = defaultManifest();
  // The base release's files, parsed once per process: managerDefinitions and the evse_manager inputs read
  // the same ones, and a manager restart starts the app again.
  const { interfaces, types } = bundledRelease(BASE_RELEASE);
  let broker: EmbeddedBroker | undefined;
  let configService: ConfigService | undefined;
  const cleanup: Array<() => Promise<void>> = [];
  let mod: EverestModule<TsOcppSpec, typeof TSOCPP_CONFIG> | undefined;
  let service: OcppService | undefined;
  let csms: Csms | undefined;
  let feed: TransactionFeed | undefined;
  let energy: EnergyLimits | undefined;
  let stopChargingLimitFeed: (() => void) | undefined;
  // The CSMS link first (its is_connected=false still reaches the bus), then the bus module (calls in
  // flight still see an open service), then the service, then the embedded parts.
  const stopAll = async (): Promise<void> => {
    await csms?.close();
    await mod?.stop();
    feed?.stop();
    energy?.stop();
    stopChargingLimitFeed?.();
    service?.close();
    for (const fn of cleanup) await fn().catch(() => undefined);
  };
  try {
    if (opts.embedded) {
      const e = opts.embedded;
      if (e.broker) {
        const { startBroker } = await import('./embedded/broker.js');
        // With --mqtt-username/--mqtt-password the broker requires them of every client (this module's too);
        // beyond loopback it refuses to start without them.
        const credentials = settings.username !== undefined && settings.password !== undefined ? { username: settings.username, password: settings.password } : undefined;
        broker = await startBroker({ host: e.broker.host, port: e.broker.port, log, ...(credentials ? { credentials } : {}), ...(e.broker.tls ? { tls: e.broker.tls } : {}) });
        settings = { ...settings, brokerUrl: broker.url, socketPath: undefined };
        // Over TLS, TsOcpp's own clients trust the served certificate (self-signed), or --mqtt-ca when given.
        if (e.broker.tls) settings = { ...settings, tls: { ...settings.tls, ca: settings.tls?.ca ?? e.broker.tls.certFile } };
        cleanup.push(() => broker!.close());
      }
      const config = e.config ?? loadEverestConfig(e.configFile ?? defaultEverestConfigFile());
      const entry = config.active_modules[settings.moduleId];
      if (entry && e.moduleConfig) entry.config_module = { ...(entry.config_module ?? {}), ...e.moduleConfig };
      const { ConfigService } = await import('./embedded/config-service.js');
      configService = new ConfigService({
        brokerUrl: settings.brokerUrl,
        ...(e.broker?.tls ? { stream: streamFactory(settings) } : {}),
        ...(settings.username !== undefined ? { username: settings.username } : {}),
        ...(settings.password !== undefined ? { password: settings.password } : {}),
        prefix: settings.everestPrefix,
        dialect: e.dialect,
        config,
        manifests: { TsOcpp: manifest },
        // As a current manager would: the evse_manager definitions of the newest bundled release.
        ...(e.definitions ?? managerDefinitions(NEWEST_RELEASE)),
        log: log.child({ part: 'config-service' }),
      });
      await configService.start();
      cleanup.unshift(() => configService!.stop());
    }

    // The module config is checked against the declarations generated from manifest.yaml (the same ones:
    // the codegen test holds them), so what reaches onConfig is typed.
    mod = new EverestModule<TsOcppSpec, typeof TSOCPP_CONFIG>({ settings, manifest: { ...manifest, config: TSOCPP_CONFIG }, log, interfaces, types });
    const m0 = mod;
    // The handlers are built once the config is known, from the service opened with it.
    const info = await m0.start(async (cfg) => {
      const m: TsOcppConfig = cfg.module;
      // inherit: the level TsOcpp started with stays (--log-level, the manager's Filter, or info).
      if (m.log_level !== 'inherit') setLogLevel(log, m.log_level);
      const dbPath = resolve(m.device_model_db);
      mkdirSync(dirname(dbPath), { recursive: true });
      // A station moving from OCPP201 keeps its device model (its component config folder); with no csms_url,
      // the CSMS comes from that device model's NetworkConnectionProfiles.
      const componentConfigDir = resolveComponentConfigDir({
        componentConfigDir: m.component_config_dir, deviceModelConfigPath: m.DeviceModelConfigPath,
        installPrefix: settings.installPrefix, moduleName: manifestModuleName,
      });
      const fromDeviceModel = componentConfigDir !== undefined;
      const wantsLink = m.csms_url !== '' || fromDeviceModel;
      const svc = OcppService.open({
        dbPath,
        evseCount: m.evse_count,
        connectorsPerEvse: m.connectors_per_evse,
        securityLogMaxEntries: m.security_log_max_entries,
        outboxMaxEntries: m.outbox_max_entries,
        queueForCsms: wantsLink,
        ...(componentConfigDir !== undefined ? { componentConfigDir } : {}),
        sync: m.device_model_sync,
        log,
      });
      service = svc;
      publishServiceEvents(m0, svc, log);
      // Without csms_url: no link, is_connected stays false. The link's code (and the OCPP schemas its
      // library compiles) is loaded only when there is one: that halved start-up time and cut RSS by a
      // fifth in the bench.
      if (wantsLink) {
        const { startCsms } = await import('./csms/index.js');
        csms = startCsms({
          moduleConfig: m, service: svc, fromDeviceModel, log, forwardDataTransfer: dataTransferForwarder(m0),
          evseControl: evseControl(m0), authControl: authControl(m0),
          ...systemOption(systemControl(m0, m.ResetStopDelay, log)),
          ...securityOption(securityControl(m0, log)),
          ...(opts.csmsTimers ? { timers: opts.csmsTimers } : {}),
        });
      }
      return ocppHandlers(svc, csms);
    });
    const svc: OcppService | undefined = service;
    if (svc === undefined) throw new BootstrapError('the module started without opening the OCPP service');
    // A04: every start of TsOcpp is a power-up of the station as the CSMS sees it (libocpp ChargePoint::start).
    // After start(): the implementations are served, so the security_event var can be published.
    recordStartup(svc);
    const evseInputs = await bindEvseInputs(m0, log);
    bindEvseManagers(m0, evseInputs, svc, log);
    // TxCtrlr.EVConnectionTimeOut and AuthCtrlr.MasterPassGroupId to the auth requirement, when connected.
    bindAuthSettings(m0, svc, log);
    // Before the feed: the transaction vars follow every TransactionEvent from the first one.
    publishTransactionVars(m0, svc, log);
    // Plug-in, reservation and fault of each connector to its status (StatusNotification, G01).
    await bindConnectorStatus(m0, evseInputs, svc, log);
    // The system module's firmware and log upload statuses (L01, N01: src/module/system-status.ts).
    await bindSystemStatus(m0, svc, log);
    if (m0.config.module.EnableExternalWebsocketControl) await bindExternalWebsocketControl(m0, svc, csms !== undefined, log);
    // Session events to TransactionEvents in the outbox, periodic meter values (src/module/transactions.ts).
    feed = new TransactionFeed(evseInputs, svc, log, opts.sampleTimers ? { timers: opts.sampleTimers } : {});
    // Charging profiles to EVerest's energy management and the charging_schedules var (src/module/energy-limits.ts),
    // from global ready on: the sinks serve their cmds only then.
    const limits = new EnergyLimits(m0, svc, log, opts.energyTimers ? { timers: opts.energyTimers } : {});
    energy = limits;
    m0.onReady(() => limits.push());
    // enforced_limits below the CSMS's own limit to NotifyChargingLimit / ClearedChargingLimit (K12, K13).
    stopChargingLimitFeed = bindChargingLimitFeed(m0, evseInputs, svc, log);
    let stopped = false;
    return {
      module: m0,
      info,
      brokerUrl: settings.socketPath ?? settings.brokerUrl,
      service: svc,
      configService,
      evseInputs,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  } catch (err) {
    // A failed start (bad config value, a definition that does not compile) leaves nothing running.
    await stopAll().catch(() => undefined);
    throw err;
  }
}

/** exactOptionalPropertyTypes: the key only when there is a system connection. */
function systemOption(control: SystemControl | undefined): { systemControl?: SystemControl } {
  return control ? { systemControl: control } : {};
}

/** exactOptionalPropertyTypes: the key only when there is a security connection. */
function securityOption(control: SecurityControl | undefined): { securityControl?: SecurityControl } {
  return control ? { securityControl: control } : {};
}
