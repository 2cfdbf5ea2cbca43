// The OCPP service behind the bus handlers: device model, availability, security events, data transfer
// and the (future) CSMS connection. It knows nothing about MQTT; handlers call it and publish its events.
import { silentLogger, type Logger } from '../log.js';
import { DEFAULT_DEVICE_MODEL_DIR, loadComponentDefinitions } from '../device-model/config.js';
import { readComponentConfig } from '../device-model/component-config.js';
import { importComponentConfig, type ImportSummary } from '../device-model/component-config-import.js';
import { DeviceModelError } from '../device-model/errors.js';
import { DeviceModelRepository } from '../device-model/repository.js';
import type { SyncMode } from '../device-model/db.js';
import type { OutboxEntry, SecurityLogEntry } from '../device-model/types.js';
import type {
  AttributeEnum, ChangeAvailabilityRequest, ChangeAvailabilityResponse, ComponentVariable, GetVariableRequest,
  GetVariableResult, SecurityEvent, SetVariableRequest, SetVariableResult,
} from '../generated/types/ocpp.js';
import { AvailabilityManager, type AvailabilityHold, type AvailabilitySnapshot } from './change-availability.js';
import type { ConnectorCondition, ConnectorStatus } from './connector-status.js';
import { ConnectionState, type CsmsLink } from './connection.js';
import type { OcppServiceEvents, ServiceContext, TransactionEventAnswered } from './context.js';
import { DataTransferRegistry, registerBuiltinHandlers } from './data-transfer.js';
import { Emitter } from './events.js';
import { getVariables, readInternal, readVariable } from './get-variables.js';
import { monitorVariables } from './monitor-variables.js';
import { allVariables, type ReportEntry } from './report.js';
import { BoundedOutbox, DEFAULT_OUTBOX_MAX_ENTRIES } from './outbox.js';
import { DEFAULT_SECURITY_LOG_MAX_ENTRIES, recordSecurityEvent, securityEventWrite, type SecurityEventOptions } from './security-event.js';
import { applySetVariables, setInternal, setVariables } from './set-variables.js';
import { GroupCommit } from './group-commit.js';
import { TransactionOutbox } from './transaction-outbox.js';
import { Authorization } from './auth/authorization.js';
import { readAuthSettings } from './auth/settings.js';
import { SqliteAuthCacheStore, SqliteLocalListStore } from './auth/sqlite-store.js';
import { SmartCharging } from './smart-charging/smart-charging.js';
import { readSmartChargingSettings } from './smart-charging/settings.js';
import { ChargingLimits } from './smart-charging/charging-limit.js';
import { SqliteChargingProfileStore } from './smart-charging/sqlite-store.js';
import { StationActivity } from './firmware/activity.js';
import { SqliteActivityStore } from './firmware/sqlite-store.js';
import { BasicAuthRotation } from './basic-auth/rotation.js';
import { SqliteBasicAuthFallbackStore } from './basic-auth/sqlite-store.js';

export type { AvailabilityChange, OcppServiceEvents, TransactionEventAnswer, TransactionEventAnswered, TransactionEventMade } from './context.js';
export type { AvailabilityHold, AvailabilitySnapshot, UnitAvailability } from './change-availability.js';
export type { ConnectorCondition, ConnectorStatus, ConnectorStatusChange } from './connector-status.js';
export type { CsmsLink } from './connection.js';
export type { DataTransferHandler } from './data-transfer.js';
export { DataTransferRegistry } from './data-transfer.js';
export type { ReportEntry, ReportAttribute, ReportCharacteristics } from './report.js';
export type { OutboxEntry, OutboxPayload, SecurityLogEntry } from '../device-model/types.js';
export type { Authorization, Authorizer, Validation } from './auth/authorization.js';
export type { SmartCharging } from './smart-charging/smart-charging.js';
export type { StationActivity } from './firmware/activity.js';
export type { BasicAuthRotation } from './basic-auth/rotation.js';

export interface OcppServiceOptions {
  dbPath: string;
  evseCount: number;
  connectorsPerEvse: number;
  deviceModelDir?: string;
  /**
   * A libocpp component config folder (OCPP201's DeviceModelConfigPath) imported at every open, after the
   * seed: src/device-model/component-config-import.ts.
   */
  componentConfigDir?: string;
  securityLogMaxEntries?: number;
  /** Bound of the durable outbox (outbox.ts; default DEFAULT_OUTBOX_MAX_ENTRIES). */
  outboxMaxEntries?: number;
  /**
   * False without a CSMS link (csms_url empty): nothing is queued for a CSMS that does not exist; critical
   * security events are kept in the security log only. Default true.
   */
  queueForCsms?: boolean;
  /** The OCPP transactionId of a new transaction (tests); default a random UUID. */
  newTransactionId?: () => string;
  /** `full` (default): fsync per commit; `normal`: survives a crash of the process, not of the OS (db.ts). */
  sync?: SyncMode;
  log?: Logger;
  now?: () => Date;
}

// libocpp InternalCtrlr NumberOfConnectors: minLimit 1, maxLimit 128.
const MAX_CONNECTORS = 128;

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) {
    throw new DeviceModelError('TSOCPP_ERR_INVALID_ARGUMENT', `${name} must be an integer >= ${min}`);
  }
}

export class OcppService {
  readonly #ctx: ServiceContext;
  readonly #availability: AvailabilityManager;
  readonly #connection: ConnectionState;
  readonly #securityLogMax: number;
  #closed = false;
  #groupCommit: GroupCommit | undefined;

  readonly dataTransfer: DataTransferRegistry;
  /** The sessions of the EVSEs, their TransactionEvents queued in the outbox (transaction-outbox.ts). */
  readonly transactions: TransactionOutbox;
  /** Token validation, the authorization cache and the local list (src/ocpp/auth, C01-C15, D01-D02). */
  readonly auth: Authorization;
  /** Charging profiles, composite schedules (src/ocpp/smart-charging, K01-K10). */
  readonly smartCharging: SmartCharging;
  /** External limits of the EVSEs to the CSMS (K12 NotifyChargingLimit, K13 ClearedChargingLimit), via the outbox. */
  readonly chargingLimits: ChargingLimits;
  /** Firmware update and log upload status (src/ocpp/firmware, L01/L02/N01). */
  readonly activity: StationActivity;
  /** SecurityCtrlr BasicAuthPassword and the one to fall back to during a rotation (src/ocpp/basic-auth, A01). */
  readonly basicAuth: BasicAuthRotation;
  readonly outbox: {
    pending(limit?: number): OutboxEntry[];
    confirm(id: number): void;
    size(): number;
    /** Is a TransactionEvent still queued: of that transaction, or of any (E14)? Reads no payloads. */
    hasTransactionEvent(transactionId?: string): boolean;
  };
  /** What the component config import did at open; undefined without componentConfigDir. */
  readonly componentConfigImport: ImportSummary | undefined;

  private constructor(ctx: ServiceContext, opts: OcppServiceOptions, importSummary: ImportSummary | undefined) {
    this.#ctx = ctx;
    this.componentConfigImport = importSummary;
    this.#securityLogMax = opts.securityLogMaxEntries ?? DEFAULT_SECURITY_LOG_MAX_ENTRIES;
    this.#availability = new AvailabilityManager(ctx, { evseCount: opts.evseCount, connectorsPerEvse: opts.connectorsPerEvse });
    this.#connection = new ConnectionState((up) => ctx.events.emit('connection', up));
    this.dataTransfer = new DataTransferRegistry(ctx.log.child({ unit: 'data_transfer' }));
    registerBuiltinHandlers(this.dataTransfer, (cv, attr) => readVariable(this.#open(), cv, attr));
    this.transactions = new TransactionOutbox(ctx, () => !this.#connection.isAccepted(), opts.newTransactionId);
    const authLog = ctx.log.child({ unit: 'auth' });
    this.auth = new Authorization({
      localList: new SqliteLocalListStore(ctx.repo.sqlite),
      cache: new SqliteAuthCacheStore(ctx.repo.sqlite),
      settings: () => readAuthSettings(ctx.repo),
      now: ctx.now,
      log: authLog,
      report: (component, variable, value) => {
        try {
          setInternal(ctx, { component: { name: component }, variable: { name: variable } }, String(value));
        } catch (err) {
          // A device model from a custom directory may lack the variable or limit it: the stores stay right.
          authLog.warn({ err, variable: `${component}.${variable}` }, 'could not report the authorization storage');
        }
      },
    });
    const basicAuthPassword: ComponentVariable = { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } };
    this.basicAuth = new BasicAuthRotation({
      store: new SqliteBasicAuthFallbackStore(ctx.repo.sqlite),
      read: () => readInternal(this.#open(), basicAuthPassword) || undefined,
      write: (password) => setInternal(this.#open(), basicAuthPassword, password),
    });
    const scLog = ctx.log.child({ unit: 'smart_charging' });
    this.smartCharging = new SmartCharging({
      store: new SqliteChargingProfileStore(ctx.repo.sqlite),
      settings: () => readSmartChargingSettings(ctx.repo),
      evseCount: opts.evseCount,
      transactionOf: (evseId) => {
        const r = this.transactions.record(evseId);
        return r && r.started && !r.ended ? { id: r.transactionId, startedAt: new Date(r.startedAt ?? r.sessionStartedAt) } : undefined;
      },
      now: ctx.now,
      log: scLog,
      reportEntries: (n) => {
        try {
          setInternal(ctx, { component: { name: 'SmartChargingCtrlr' }, variable: { name: 'Entries' } }, String(n));
        } catch (err) {
          scLog.warn({ err }, 'could not report SmartChargingCtrlr.Entries');
        }
      },
    });
    // A TxProfile lives with its transaction: gone once its Ended is made, and at open when it ended unseen; one
    // held from a RequestStartTransaction is installed once its transaction is known (F01).
    ctx.events.on('transaction_event', ({ request }) => {
      const info = request.transactionInfo;
      this.smartCharging.transactionEvent(info.transactionId, info.remoteStartId, request.eventType === 'Ended');
      if (request.eventType === 'Ended') this.smartCharging.transactionEnded(info.transactionId);
    });
    this.smartCharging.dropStaleTxProfiles();
    this.chargingLimits = new ChargingLimits({
      settings: () => readSmartChargingSettings(ctx.repo),
      compositeLimit: (evseId, unit) => this.smartCharging.compositeOf(evseId, 1, unit).chargingSchedulePeriod[0]?.limit,
      log: scLog,
      // Not transactional in libocpp's queue: through the outbox like MeterValues, dropped first when it is full.
      send: (m) => {
        const outbox = ctx.outbox;
        if (!outbox) return;
        ctx.repo.transaction(() => {
          outbox.append(ctx.repo, m.action, m.payload, ctx.now().toISOString());
        });
        ctx.events.emit('outbox');
      },
    });
    const outbox = ctx.outbox;
    this.activity = new StationActivity({
      store: new SqliteActivityStore(ctx.repo.sqlite),
      transaction: (fn) => ctx.repo.transaction(fn),
      ...(outbox ? { queue: (kind, payload) => { outbox.append(ctx.repo, kind, payload, ctx.now().toISOString()); } } : {}),
      securityEvent: (type, info) => { recordSecurityEvent(ctx, { type, info }, this.#securityLogMax); },
      queued: () => ctx.events.emit('outbox'),
      transactionActive: () => this.#availability.snapshot().evses.some((e) => e.transaction_active),
      holdConnectors: (on) => {
        if (on) this.#availability.hold('firmware');
        else this.#availability.release('firmware');
      },
      now: ctx.now,
      log: ctx.log.child({ unit: 'firmware' }),
    });
    this.activity.recover();
    this.outbox = {
      pending: (limit = 100) => this.#open().repo.pendingOutbox(limit),
      confirm: (id) => this.#open().repo.confirmOutbox(id),
      size: () => this.#open().repo.outboxSize(),
      hasTransactionEvent: (id) => this.#open().repo.hasQueuedTransactionEvent(id),
    };
  }

  static open(opts: OcppServiceOptions): OcppService {
    checkCount('evseCount', opts.evseCount, 1);
    checkCount('connectorsPerEvse', opts.connectorsPerEvse, 1);
    if (opts.evseCount * opts.connectorsPerEvse > MAX_CONNECTORS) {
      throw new DeviceModelError('TSOCPP_ERR_INVALID_ARGUMENT', `at most ${MAX_CONNECTORS} connectors in total`);
    }
    if (opts.securityLogMaxEntries !== undefined) checkCount('securityLogMaxEntries', opts.securityLogMaxEntries, 1);
    if (opts.outboxMaxEntries !== undefined) checkCount('outboxMaxEntries', opts.outboxMaxEntries, 1);
    const log = (opts.log ?? silentLogger()).child({ part: 'ocpp' });
    const definitions = loadComponentDefinitions(opts.deviceModelDir ?? DEFAULT_DEVICE_MODEL_DIR, opts);
    // Read and checked whole before the database is touched: a bad file imports nothing.
    const imported = opts.componentConfigDir === undefined ? undefined : readComponentConfig(opts.componentConfigDir);
    const { repo } = DeviceModelRepository.open(opts.dbPath, definitions, log.child({ unit: 'device_model' }), opts.sync);
    try {
      let importSummary: ImportSummary | undefined;
      if (imported) {
        importSummary = importComponentConfig(repo, imported, opts, log.child({ unit: 'component_config' }));
        const { skipped, valuesKept, ...counts } = importSummary;
        log.info({ dir: opts.componentConfigDir, files: imported.length, ...counts, values_kept: valuesKept.length, not_imported: skipped.length },
          'component config imported');
      }
      const now = opts.now ?? (() => new Date());
      const ctx: ServiceContext = { repo, log, now, events: new Emitter<OcppServiceEvents>(log) };
      if (opts.queueForCsms ?? true) {
        ctx.outbox = new BoundedOutbox({
          maxEntries: opts.outboxMaxEntries ?? DEFAULT_OUTBOX_MAX_ENTRIES, log: log.child({ unit: 'outbox' }), now,
        });
      } else {
        // What was queued while a CSMS was configured stays (bounded) for when one is configured again; see
        // docs/security.md.
        const kept = repo.outboxSize();
        log.info({ kept_in_outbox: kept },
          'no CSMS link (csms_url empty): critical security events are kept only in the security log, not queued');
      }
      // The topology comes from the options, so NumberOfConnectors is written at every start.
      const numberOfConnectors: ComponentVariable = {
        component: { name: 'InternalCtrlr' }, variable: { name: 'NumberOfConnectors' },
      };
      if (readVariable(ctx, numberOfConnectors).status !== 'UnknownComponent') {
        setInternal(ctx, numberOfConnectors, String(opts.evseCount * opts.connectorsPerEvse));
      }
      return new OcppService(ctx, opts, importSummary);
    } catch (err) {
      repo.close();
      throw err;
    }
  }

  #open(): ServiceContext {
    if (this.#closed) throw new DeviceModelError('TSOCPP_ERR_CLOSED', 'the OCPP service is closed');
    return this.#ctx;
  }

  getVariables(requests: GetVariableRequest[]): GetVariableResult[] {
    return getVariables(this.#open(), requests);
  }

  /** One transaction for the whole batch, committed and synced before this returns. */
  setVariables(requests: SetVariableRequest[]): SetVariableResult[] {
    return setVariables(this.#open(), requests);
  }

  /** The same, committed together with the other durable calls of this event-loop turn (src/ocpp/group-commit.ts). */
  setVariablesBatched(requests: SetVariableRequest[]): Promise<SetVariableResult[]> {
    const ctx = this.#open();
    this.#groupCommit ??= new GroupCommit(ctx.repo);
    return this.#groupCommit.add(() => applySetVariables(ctx, requests));
  }

  /** A change made inside the station (not by set_variables); also triggers monitors. Throws on bad input. */
  /** A value for TsOcpp's own use, WriteOnly ones included (the CSMS link's Basic auth password). */
  readInternal(cv: ComponentVariable, attribute?: AttributeEnum): string | undefined {
    return readInternal(this.#open(), cv, attribute);
  }

  setInternal(cv: ComponentVariable, value: string, attribute?: AttributeEnum): void {
    setInternal(this.#open(), cv, value, attribute);
  }

  monitorVariables(cvs: ComponentVariable[]): void {
    monitorVariables(this.#open(), cvs);
  }

  changeAvailability(req: ChangeAvailabilityRequest): ChangeAvailabilityResponse {
    this.#open();
    return this.#availability.change(req);
  }

  /** The same, committed together with the other durable calls of this event-loop turn (src/ocpp/group-commit.ts). */
  changeAvailabilityBatched(req: ChangeAvailabilityRequest): Promise<ChangeAvailabilityResponse> {
    const ctx = this.#open();
    this.#groupCommit ??= new GroupCommit(ctx.repo);
    return this.#groupCommit.add(() => this.#availability.applyChange(req));
  }

  /** Reported by the EVSE manager; the end of a transaction applies Scheduled availability changes. */
  setTransactionActive(evseId: number, active: boolean): void {
    this.#open();
    this.#availability.setTransactionActive(evseId, active);
  }

  /** The CSMS answered a TransactionEvent (the CSMS link tells it; the bus side publishes it). */
  transactionEventAnswered(e: TransactionEventAnswered): void {
    this.#open().events.emit('transaction_event_response', e);
  }

  /**
   * Holds the connectors of the idle EVSEs Inoperative, and each EVSE's as its transaction ends, until
   * releaseConnectors (a Reset OnIdle waiting, B12; a firmware installation, L01); not stored.
   */
  holdConnectors(reason: AvailabilityHold): void {
    this.#open();
    this.#availability.hold(reason);
  }

  releaseConnectors(reason: AvailabilityHold): void {
    this.#open();
    this.#availability.release(reason);
  }

  /** A connector condition reported by its EVSE (G01: plugged in, reserved, faulted). Throws for an unknown connector. */
  setConnectorCondition(evseId: number, connectorId: number, condition: ConnectorCondition, on: boolean): void {
    this.#open();
    this.#availability.setConnectorCondition(evseId, connectorId, condition, on);
  }

  /** The status a StatusNotification reports for a connector now. */
  connectorStatus(evseId: number, connectorId: number): ConnectorStatus {
    this.#open();
    return this.#availability.connectorStatus(evseId, connectorId);
  }

  /** Normalizes, persists (security log, and outbox when critical or `o.send`) before returning, then emits. */
  securityEvent(ev: SecurityEvent, o: SecurityEventOptions = {}): SecurityEvent {
    return recordSecurityEvent(this.#open(), ev, this.#securityLogMax, o);
  }

  /**
   * The same, committed together with the other durable bus calls of this event-loop turn (group-commit.ts: one
   * fsync for the turn's security events, set_variables and change_availability).
   */
  securityEventBatched(ev: SecurityEvent): Promise<SecurityEvent> {
    const ctx = this.#open();
    const write = securityEventWrite(ctx, ev, this.#securityLogMax);
    this.#groupCommit ??= new GroupCommit(ctx.repo);
    return this.#groupCommit.add(write);
  }

  stop(): boolean {
    if (this.#closed) return false;
    return this.#connection.stop();
  }

  restart(): boolean {
    if (this.#closed) return false;
    return this.#connection.restart();
  }

  isConnected(): boolean {
    return !this.#closed && this.#connection.isConnected();
  }

  /** Connected and the BootNotification Accepted: what a TransactionEvent made now is not offline. */
  isAccepted(): boolean {
    return !this.#closed && this.#connection.isAccepted();
  }

  /** True between stop() and restart(). */
  get stopped(): boolean {
    return this.#connection.stopped;
  }

  /** Plugs in the CSMS link once there is one; it then drives isConnected() and the connection event. */
  attachLink(link: CsmsLink): void {
    this.#open();
    this.#connection.attach(link);
  }

  on<K extends keyof OcppServiceEvents>(ev: K, fn: OcppServiceEvents[K]): () => void {
    return this.#ctx.events.on(ev, fn);
  }

  /** The newest entries (all by default), oldest first. */
  securityLog(limit?: number): SecurityLogEntry[] {
    return this.#open().repo.securityLog(limit ?? this.#securityLogMax);
  }

  availability(): AvailabilitySnapshot {
    this.#open();
    return this.#availability.snapshot();
  }

  allVariables(): ReportEntry[] {
    return allVariables(this.#open());
  }

  close(): void {
    if (this.#closed) return;
    // Calls already accepted into a group commit are committed (and answered) before the database closes.
    this.#groupCommit?.flush();
    this.#ctx.outbox?.flush();
    this.#connection.detach();
    this.#closed = true;
    this.#ctx.events.clear();
    this.#ctx.repo.close();
  }
}
