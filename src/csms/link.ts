// The OCPP 2.0.1 connection to the CSMS: an ocpp-rpc RPCClient in strict mode (subprotocol ocpp2.0.1, the
// station id as the last path segment), opened again after every loss with the OCPPCommCtrlr back-off.
// It implements CsmsLink, so OcppService.stop/restart close and reopen it and is_connected follows it.
// One owner per piece of state: this class has the socket, the registration state and the timers; the
// OCPP service has everything durable. A BootNotification opens every connection; until it is Accepted
// nothing else goes out but what the CSMS triggers (B02/B03).
import type { Logger } from '../log.js';
import type { DataTransferRequest, DataTransferResponse, EventData } from '../generated/types/ocpp.js';
import type { CsmsLink, OcppService } from '../ocpp/service.js';
import { TSOCPP_VENDOR_ID } from '../ocpp/data-transfer.js';
import { ReconnectBackoff } from './backoff.js';
import type { CsmsConfig } from './config.js';
import { CALL_HANDLERS, refusal, type CallContext, type DataTransferForwarder, type StationControl } from './handlers/index.js';
import { MAX_ATTRIBUTE_VALUE, toEverestDataTransferResponse, toOcppDataTransferRequest } from './mapping.js';
import type {
  BootNotificationResponse, BootReason, HeartbeatResponse, NotifyReportRequest, OcppDataTransferResponse,
} from './ocpp-types.js';
import { createRPCError, RPCClient, UnexpectedHttpResponse, type IHandlersOption } from './rpc.js';
import { classifyFailure, CsmsUnavailable, rpcErrorCode, type Registration, type SendOptions, type Sender } from './sender.js';
import { bootNotification, DEFAULT_BOOT_RETRY_S } from './station/boot.js';
import { NotifyEventSender } from './station/notify-event.js';
import { SecurityEventSender } from './station/security-events.js';
import { StatusReporter } from './station/status.js';
import { realTimers, TimerSlot, type Timers } from './timers.js';
import { knownActions, OCPP201, strictValidator } from './validator.js';
import { HEARTBEAT_INTERVAL, readCommSettings, readInt, readReportingValueSize, type CommSettings } from './variables.js';

export interface CsmsLinkOptions {
  config: CsmsConfig;
  /** The identity used towards the CSMS (config station_id, or SecurityCtrlr Identity). */
  stationId: string;
  service: OcppService;
  /** SecurityCtrlr BasicAuthPassword (profiles 1 and 2), read at every connect. */
  password: () => string | undefined;
  forwardDataTransfer?: DataTransferForwarder;
  log: Logger;
  timers?: Timers;
  /** Seconds before another BootNotification when the CSMS gives no interval or does not answer. */
  bootRetryS?: number;
}

// Node's codes for a server certificate that does not verify (OCPP A00 security event InvalidCsmsCertificate).
const CERTIFICATE_ERRORS: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'CERT_REJECTED',
]);

const CLOSE_GRACE_MS = 2000;
const RESET_POLL_MS = 1000;

export class OcppCsmsLink implements CsmsLink {
  readonly #opts: CsmsLinkOptions;
  readonly #service: OcppService;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #listeners = new Set<(up: boolean) => void>();
  readonly #backoff: ReconnectBackoff;
  readonly #reconnect: TimerSlot;
  readonly #bootRetry: TimerSlot;
  readonly #heartbeat: TimerSlot;
  readonly #resetPoll: TimerSlot;
  readonly #status: StatusReporter;
  readonly #security: SecurityEventSender;
  readonly #events: NotifyEventSender;
  readonly #unsubscribe: Array<() => void> = [];
  #reports: NotifyReportRequest[][] = [];
  #sendingReports = false;

  #wanted = false;
  /** Bumped whenever a connection is given up: answers and events of older ones are ignored. */
  #generation = 0;
  #client: RPCClient | undefined;
  #up = false;
  #registration: Registration = 'Unknown';
  #bootReason: BootReason = 'PowerUp';
  #reconnectNow = false;
  #comm: CommSettings;
  #closing: Promise<void> | undefined;
  /** Connection failures since the last success, for logging and security events once per streak. */
  #failures = 0;
  #reported = new Set<string>();

  constructor(opts: CsmsLinkOptions) {
    this.#opts = opts;
    this.#service = opts.service;
    this.#log = opts.log;
    this.#timers = opts.timers ?? realTimers;
    this.#backoff = new ReconnectBackoff(this.#timers.random);
    this.#reconnect = new TimerSlot(this.#timers);
    this.#bootRetry = new TimerSlot(this.#timers);
    this.#heartbeat = new TimerSlot(this.#timers);
    this.#resetPoll = new TimerSlot(this.#timers);
    this.#comm = readCommSettings(this.#service);
    const now = () => this.#timers.now();
    const sender = this.#sender();
    this.#status = new StatusReporter(this.#service, sender, now, this.#log);
    this.#security = new SecurityEventSender(this.#service, sender, this.#log, new TimerSlot(this.#timers),
      () => Math.max(1, this.#comm.messageAttemptIntervalS) * 1000);
    this.#events = new NotifyEventSender(sender, this.#log, now, () => readReportingValueSize(this.#service, MAX_ATTRIBUTE_VALUE));
    this.#unsubscribe.push(
      this.#service.on('security_event', () => this.#security.kick()),
      this.#service.on('event_data', (e: EventData) => this.#events.push(e)),
      this.#service.on('availability', () => this.#status.sendChanged()),
    );
  }

  // ---- CsmsLink ----

  start(): void {
    if (this.#wanted) return;
    this.#wanted = true;
    this.#backoff.reset();
    this.#open();
  }

  stop(): void {
    this.#wanted = false;
    this.#giveUpConnection('stopped');
  }

  onConnection(fn: (connected: boolean) => void): () => void {
    this.#listeners.add(fn);
    return () => {
      this.#listeners.delete(fn);
    };
  }

  // ---- public ----

  get connected(): boolean {
    return this.#up;
  }

  get registration(): Registration {
    return this.#registration;
  }

  get identity(): string {
    return this.#opts.stationId;
  }

  /** Stops and waits until the socket is closed (at most a short grace, then it is cut). */
  async close(): Promise<void> {
    this.stop();
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.#closing;
  }

  /**
   * The bus data_transfer command with a CSMS link: sent to the CSMS, as everest-core OCPP201
   * data_transfer/ocpp_data_transferImpl.cpp does, and its answer returned. Without an answer (offline, not
   * Accepted, timeout, CALLERROR) the status is Rejected and data names why as JSON {"status": ...}
   * (everest-core answers its Offline status, which this interface version does not have).
   * TsOcpp's own vendor id org.tsocpp (transaction state, variable reads) is never a CSMS matter and stays
   * with the local registry.
   */
  async dataTransferFromBus(req: DataTransferRequest): Promise<DataTransferResponse> {
    if (String(req.vendor_id).toLowerCase() === TSOCPP_VENDOR_ID) return this.#service.dataTransfer.handle(req);
    try {
      const res = await this.#call<OcppDataTransferResponse>('DataTransfer', toOcppDataTransferRequest(req));
      return toEverestDataTransferResponse(res);
    } catch (err) {
      const failure = err instanceof CsmsUnavailable ? 'Offline' : classifyFailure(err) === 'timeout' ? 'Timeout'
        : classifyFailure(err) === 'answered' ? 'CallError' : 'Offline';
      const data: Record<string, string> = { status: failure };
      const code = rpcErrorCode(err);
      if (code !== undefined) data.error_code = code;
      return { status: 'Rejected', data: JSON.stringify(data) };
    }
  }

  // ---- connection ----

  #emit(up: boolean): void {
    if (this.#up === up) return;
    this.#up = up;
    for (const fn of [...this.#listeners]) {
      try {
        fn(up);
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, 'connection listener threw');
      }
    }
  }

  #open(): void {
    if (!this.#wanted || this.#client) return;
    const generation = ++this.#generation;
    this.#comm = readCommSettings(this.#service);
    const { config } = this.#opts;
    const password = config.securityProfile < 3 ? this.#opts.password() : undefined;
    if (config.securityProfile < 3 && password === undefined && !this.#reported.has('no-password')) {
      this.#reported.add('no-password');
      this.#log.warn('SecurityCtrlr BasicAuthPassword is not set: connecting without Basic authentication');
    }
    const client = new RPCClient({
      identity: this.#opts.stationId,
      endpoint: config.url,
      protocols: [OCPP201],
      strictMode: true,
      strictModeValidators: [strictValidator()],
      reconnect: false,
      callConcurrency: 1,
      callTimeoutMs: Math.max(1, this.#comm.messageTimeoutS) * 1000,
      pingIntervalMs: Math.max(0, this.#comm.pingIntervalS) * 1000,
      respondWithDetailedErrors: false,
      // ocpp-rpc builds the Basic auth header from identity and password; neither option is ever logged.
      ...(password !== undefined ? { password } : {}),
      wsOpts: config.url.startsWith('wss:') ? { ...config.tls, minVersion: 'TLSv1.2' } : {},
    } as ConstructorParameters<typeof RPCClient>[0]);
    this.#client = client;
    this.#registerHandlers(client, generation);
    client.on('close', () => {
      if (generation !== this.#generation) return;
      this.#client = undefined;
      if (this.#up) this.#onDown();
    });
    client.connect().then(
      () => {
        if (generation !== this.#generation) {
          client.close({ force: true }).catch(() => undefined);
          return;
        }
        this.#onUp(generation);
      },
      (err: unknown) => {
        if (generation !== this.#generation) return;
        this.#client = undefined;
        this.#onConnectFailed(err);
        this.#scheduleReconnect();
      },
    );
  }

  #onUp(generation: number): void {
    this.#backoff.reset();
    if (this.#failures > 0) this.#log.info({ failures: this.#failures }, 'CSMS connection restored');
    this.#failures = 0;
    this.#reported.clear();
    this.#registration = 'Unknown';
    this.#status.reset();
    this.#log.info({ url: this.#opts.config.url, identity: this.#opts.stationId }, 'connected to the CSMS');
    this.#emit(true);
    this.#boot(this.#bootReason, generation);
  }

  #onDown(): void {
    this.#log.warn('CSMS connection lost');
    this.#afterConnection();
    this.#emit(false);
    this.#scheduleReconnect();
  }

  #afterConnection(): void {
    this.#registration = 'Unknown';
    this.#bootRetry.clear();
    this.#heartbeat.clear();
    this.#security.stop();
  }

  #onConnectFailed(err: unknown): void {
    this.#failures++;
    const e = err as { code?: unknown; message?: string };
    let what = e.message ?? String(err);
    if (err instanceof UnexpectedHttpResponse) {
      what = `HTTP ${String(e.code)} ${what}`;
      // OCPP A00: the CSMS did not accept the credentials (Basic auth or client certificate).
      if (e.code === 401 || e.code === 403) this.#securityEventOnce('FailedToAuthenticateAtCsms', `CSMS answered ${what}`);
    } else if (typeof e.code === 'string' && CERTIFICATE_ERRORS.has(e.code)) {
      this.#securityEventOnce('InvalidCsmsCertificate', `${e.code}: ${what}`);
    }
    if (this.#failures === 1) this.#log.warn({ err: what }, 'cannot connect to the CSMS; retrying with back-off');
    else this.#log.debug({ err: what, failures: this.#failures }, 'cannot connect to the CSMS');
  }

  #securityEventOnce(type: string, info: string): void {
    if (this.#reported.has(type)) return;
    this.#reported.add(type);
    this.#recordSecurityEvent(type, info);
  }

  #recordSecurityEvent(type: string, info: string): void {
    try {
      this.#service.securityEvent({ type, info });
    } catch (err) {
      this.#log.error({ err: (err as Error).message }, 'could not record a security event');
    }
  }

  #scheduleReconnect(): void {
    if (!this.#wanted) return;
    let ms = 0;
    if (this.#reconnectNow) this.#reconnectNow = false;
    else ms = this.#backoff.next(this.#comm);
    this.#log.debug({ ms }, 'reconnecting to the CSMS');
    this.#reconnect.set(ms, () => this.#open());
  }

  #giveUpConnection(reason: string): void {
    this.#generation++;
    this.#reconnect.clear();
    this.#resetPoll.clear();
    this.#afterConnection();
    const client = this.#client;
    this.#client = undefined;
    if (client) this.#closing = closeClient(client, reason);
    this.#emit(false);
  }

  // ---- sending ----

  #sender(): Sender {
    const link = this;
    return {
      call: <Res>(action: string, payload: object, opts?: SendOptions) => this.#call<Res>(action, payload, opts),
      get accepted() {
        return link.#up && link.#registration === 'Accepted';
      },
    };
  }

  async #call<Res>(action: string, payload: object, opts: SendOptions = {}): Promise<Res> {
    const client = this.#client;
    if (!client || !this.#up) throw new CsmsUnavailable('offline', 'no connection to the CSMS');
    if (this.#registration !== 'Accepted' && action !== 'BootNotification' && opts.triggered !== true) {
      throw new CsmsUnavailable('not-accepted', `${action} waits for an accepted BootNotification`);
    }
    return (await client.call(action, payload)) as Res;
  }

  // ---- BootNotification and Heartbeat ----

  #boot(reason: BootReason, generation = this.#generation): void {
    this.#bootRetry.clear();
    const retry = (s: number) => this.#bootRetry.set(s * 1000, () => this.#boot(reason, generation));
    this.#call<BootNotificationResponse>('BootNotification', bootNotification(this.#service, reason)).then(
      (res) => {
        if (generation !== this.#generation) return;
        this.#registration = res.status;
        this.#log.info({ status: res.status, interval: res.interval, reason }, 'BootNotification answered');
        if (res.status === 'Accepted') {
          this.#bootReason = 'Unknown';
          this.#onAccepted(res.interval);
        } else {
          // B02/B03: with Pending or Rejected the interval is the least wait before the next BootNotification.
          retry(res.interval > 0 ? res.interval : this.#opts.bootRetryS ?? DEFAULT_BOOT_RETRY_S);
        }
      },
      (err: unknown) => {
        if (generation !== this.#generation || classifyFailure(err) === 'offline') return;
        this.#log.warn({ err: (err as Error).message }, 'BootNotification not answered; trying again');
        retry(this.#opts.bootRetryS ?? DEFAULT_BOOT_RETRY_S);
      },
    );
  }

  #onAccepted(interval: number): void {
    // libocpp provisioning.cpp handle_boot_notification_response: the interval becomes the heartbeat
    // interval and is written to OCPPCommCtrlr HeartbeatInterval.
    if (interval > 0) {
      try {
        this.#service.setInternal(HEARTBEAT_INTERVAL, String(interval));
      } catch (err) {
        this.#log.warn({ interval, err: (err as Error).message }, 'could not store the heartbeat interval');
      }
    }
    this.#scheduleHeartbeat(interval > 0 ? interval : this.#heartbeatIntervalS());
    this.#status.sendAll();
    this.#security.kick();
    this.#events.flush();
    this.#flushReports();
  }

  #heartbeatIntervalS(): number {
    return readInt(this.#service, HEARTBEAT_INTERVAL, 0);
  }

  #scheduleHeartbeat(seconds: number): void {
    this.#heartbeat.clear();
    if (!(seconds > 0)) return;
    this.#heartbeat.set(seconds * 1000, () => {
      this.#sendHeartbeat(false);
      this.#scheduleHeartbeat(this.#heartbeatIntervalS());
    });
  }

  #sendHeartbeat(triggered: boolean): void {
    this.#call<HeartbeatResponse>('Heartbeat', {}, { triggered }).catch((err: unknown) => {
      this.#log.debug({ err: (err as Error).message }, 'Heartbeat not answered');
    });
  }

  // ---- NotifyReport ----

  #flushReports(): void {
    if (this.#sendingReports || this.#reports.length === 0) return;
    this.#sendingReports = true;
    void (async () => {
      try {
        while (this.#registration === 'Accepted' && this.#up && this.#reports.length > 0) {
          const parts = this.#reports[0] ?? [];
          for (const part of parts) {
            try {
              await this.#call('NotifyReport', part);
            } catch (err) {
              if (classifyFailure(err) !== 'answered') {
                // The CSMS can ask again; a report half-sent over a lost connection is not resumed.
                this.#log.warn({ requestId: part.requestId, seqNo: part.seqNo }, 'NotifyReport not delivered; report dropped');
                break;
              }
              this.#log.error({ requestId: part.requestId, seqNo: part.seqNo, err: (err as Error).message }, 'CSMS refused a NotifyReport part');
            }
          }
          this.#reports.shift();
        }
      } finally {
        this.#sendingReports = false;
      }
    })();
  }

  // ---- Reset ----

  #reset(onIdle: boolean): void {
    if (onIdle && this.#service.availability().evses.some((e) => e.transaction_active)) {
      this.#resetPoll.set(RESET_POLL_MS, () => this.#reset(true));
      return;
    }
    this.#log.info('Reset from the CSMS: recording ResetOrReboot and reconnecting');
    this.#recordSecurityEvent('ResetOrReboot', 'Reset requested by the CSMS (communication reset, no reboot)');
    this.#bootReason = 'RemoteReset';
    const client = this.#client;
    if (!client || !this.#up) return;
    this.#reconnectNow = true;
    // The security event and any other call in flight are answered before the socket closes.
    client.close({ code: 1000, reason: 'Reset', awaitPending: true }).catch(() => undefined);
  }

  // ---- CALLs from the CSMS ----

  #station(): StationControl {
    const link = this;
    return {
      get registration() {
        return link.#registration;
      },
      boot: (reason) => this.#boot(reason),
      heartbeat: () => this.#sendHeartbeat(true),
      status: (evseId, connectorId) => this.#status.sendOne(evseId, connectorId),
      connectorExists: (evseId, connectorId) => this.#status.exists(evseId, connectorId),
      heartbeatIntervalChanged: () => {
        if (this.#registration === 'Accepted') this.#scheduleHeartbeat(this.#heartbeatIntervalS());
      },
      report: (parts) => {
        this.#reports.push(parts);
        this.#flushReports();
      },
      reset: ({ onIdle }) => this.#reset(onIdle),
    };
  }

  #registerHandlers(client: RPCClient, generation: number): void {
    const station = this.#station();
    const implemented = new Set(Object.keys(CALL_HANDLERS));
    for (const action of knownActions()) {
      const handler = CALL_HANDLERS[action];
      client.handle(action, async ({ params }: IHandlersOption) => {
        if (generation !== this.#generation) throw createRPCError('GenericError', 'connection is closing');
        const why = refusal(this.#registration, action, params);
        if (why !== undefined) {
          this.#log.warn({ action, registration: this.#registration }, why);
          throw createRPCError('SecurityError', why);
        }
        if (!handler || !implemented.has(action)) throw createRPCError('NotSupported', `${action} is not supported by TsOcpp`);
        const after: Array<() => void> = [];
        const ctx: CallContext = {
          service: this.#service,
          log: this.#log,
          station,
          forwardDataTransfer: this.#opts.forwardDataTransfer,
          now: () => this.#timers.now(),
          payloadBytes: Buffer.byteLength(JSON.stringify(params ?? null)),
          after: (fn) => after.push(fn),
        };
        const result = await (handler as (p: unknown, c: CallContext) => object | Promise<object>)(params, ctx);
        // ocpp-rpc sends the CALLRESULT as soon as this promise settles; setImmediate runs after that.
        if (after.length > 0) {
          setImmediate(() => {
            if (generation !== this.#generation) return;
            for (const fn of after) {
              try {
                fn();
              } catch (err) {
                this.#log.error({ action, err: (err as Error).message }, 'follow-up of a CSMS call failed');
              }
            }
          });
        }
        return result;
      });
    }
    // A CALL whose payload breaks its schema was answered with FormatViolation (validator.ts); like
    // libocpp, TsOcpp records it as the security event InvalidMessages (not critical: log and bus only).
    client.on('strictValidationFailure', (ev: { outbound?: boolean; isCall?: boolean; method?: string; error?: Error }) => {
      if (generation !== this.#generation) return;
      if (ev.outbound) {
        this.#log.error({ action: ev.method, err: ev.error?.message }, 'TsOcpp built a message that breaks the OCPP schema');
        return;
      }
      if (!ev.isCall) {
        this.#log.warn({ action: ev.method, err: ev.error?.message }, 'CSMS answer breaks the OCPP schema');
        return;
      }
      this.#log.warn({ action: ev.method, err: ev.error?.message }, 'CSMS CALL breaks the OCPP schema; answered FormatViolation');
      this.#recordSecurityEvent('InvalidMessages', `${ev.method ?? '?'}: ${ev.error?.message ?? ''}`);
    });
    client.on('badMessage', (ev: { error?: Error; buffer?: Buffer }) => {
      if (generation !== this.#generation) return;
      // Only its size: an unreadable message may still carry a secret (a garbled SetVariables).
      this.#log.warn({ err: ev.error?.message, bytes: ev.buffer?.length }, 'unreadable message from the CSMS');
      this.#recordSecurityEvent('InvalidMessages', ev.error?.message ?? 'unreadable message');
    });
  }
}

/** Closes with a close frame; a CSMS that does not answer it within the grace gets the socket cut. */
async function closeClient(client: RPCClient, reason: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = client.close({ code: 1000, reason }).then(() => true, () => true);
  // Not unref'd: the grace is short, and a shutdown must not end before the socket is dealt with.
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
  });
  const done = await Promise.race([closed, late]);
  clearTimeout(timer);
  // ocpp-rpc has no terminate for a socket that is already closing; its WebSocket is the only handle.
  if (!done) (client as unknown as { _ws?: { terminate(): void } })._ws?.terminate();
}
