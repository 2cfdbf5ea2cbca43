// The OCPP 2.0.1 link to the CSMS, put together from its parts: the socket and its generations
// (connection.ts), registration with BootNotification and Heartbeat (registration.ts), what the station
// sends (station/*), and the CALLs the CSMS sends (dispatch.ts). It implements CsmsLink, so
// OcppService.stop/restart close and reopen it and is_connected follows it. One owner per piece of state:
// the link and its parts have the socket, the registration state and the timers; the OCPP service has
// everything durable.
import type { Logger } from '../log.js';
import type { ComponentVariable, DataTransferRequest, DataTransferResponse, EventData } from '../generated/types/ocpp.js';
import type { CsmsLink, OcppService } from '../ocpp/service.js';
import { TSOCPP_VENDOR_ID } from '../ocpp/data-transfer.js';
import { AnswerFirst } from './answer-first.js';
import { ClockSync } from './clock.js';
import { CsmsConnection, type LinkProfile, type PasswordSource } from './connection.js';
import { ACTIVE_NETWORK_PROFILE } from './network-profile.js';
import type { AuthControl } from './auth-control.js';
import type { EvseControl } from './evse-control.js';
import type { SystemControl } from './system-control.js';
import type { SecurityControl } from './security-control.js';
import { CertificateSigning } from './station/sign-certificate.js';
import { ClientCertificateExpiry } from './station/certificate-expiry.js';
import { dispatchInbound } from './dispatch.js';
import type { DataTransferForwarder, StationControl } from './handlers/index.js';
import { MAX_ATTRIBUTE_VALUE, toEverestDataTransferResponse, toOcppDataTransferRequest } from './mapping.js';
import type { OcppDataTransferResponse } from './ocpp-types.js';
import { Registrar } from './registration.js';
import { csmsAuthorizer } from './authorize.js';
import { classifyFailure, CsmsUnavailable, rpcErrorCode, type Registration, type SendOptions, type Sender } from './sender.js';
import { NotifyEventSender } from './station/notify-event.js';
import { NotifyReportSender } from './station/notify-report.js';
import { OutboxSender } from './station/outbox.js';
import { recordSecurityEvent, type RaiseSecurityEvent } from './station/security-events.js';
import { StatusReporter } from './station/status.js';
import { realTimers, TimerSlot, type Timers } from './timers.js';
import { readReportingValueSize, SECURITY_PROFILE } from './variables.js';

export interface CsmsLinkOptions {
  /** The network profiles in priority order (connection.ts); the first is csms_url's or the first usable slot. */
  profiles: () => LinkProfile[];
  /** The NetworkConfigurationPriority slot csms_url holds (SetNetworkProfile for it is Rejected). */
  heldSlot?: number;
  /** csms_url's security profile, for NetworkConfigurationPriority checks (A05). */
  heldSecurityProfile?: number;
  /** The identity used towards the CSMS (config station_id, or SecurityCtrlr Identity). */
  stationId: string;
  service: OcppService;
  /** SecurityCtrlr BasicAuthPassword (profiles 1 and 2) and its rotation (A01). */
  password: PasswordSource;
  forwardDataTransfer?: DataTransferForwarder;
  /** The EVSEs' evse_manager cmds (RequestStopTransaction, StopTxOnInvalidId). */
  evseControl?: EvseControl;
  /** auth_provider's provided_token and the auth requirement (RequestStartTransaction, a withdrawn token). */
  authControl?: AuthControl;
  /**
   * The `system` requirement (Reset B11/B12, the clock from the CSMS); without it a Reset is a communication
   * reset and the clock is left alone.
   */
  systemControl?: SystemControl;
  /**
   * The `security` requirement (evse_security): certificates (A02/A03, M03-M05) and, under profile 3, the client
   * certificate of every connect; without it the module config's PEM files are used and certificate messages are
   * answered NotSupported.
   */
  securityControl?: SecurityControl;
  log: Logger;
  timers?: Timers;
  /** Seconds before another BootNotification when the CSMS gives no interval or does not answer. */
  bootRetryS?: number;
}

const RESET_POLL_MS = 1000;
// An Immediate Reset during a transaction waits this long at most for the Ended of the stopped transactions.
const IMMEDIATE_RESET_WAIT_MS = 10_000;

export class OcppCsmsLink implements CsmsLink {
  readonly #opts: CsmsLinkOptions;
  readonly #service: OcppService;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #listeners = new Set<(up: boolean) => void>();
  readonly #connection: CsmsConnection;
  readonly #registrar: Registrar;
  readonly #resetPoll: TimerSlot;
  readonly #status: StatusReporter;
  readonly #outbox: OutboxSender;
  readonly #events: NotifyEventSender;
  readonly #reports: NotifyReportSender;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #answerFirst: AnswerFirst;
  readonly #signing: CertificateSigning | undefined;
  readonly #expiry: ClientCertificateExpiry | undefined;
  #up = false;
  /** A system reset waiting for transactions to end (OnIdle, or the stopped ones of an Immediate reset). */
  #resetWaiting: { scheduled: boolean; evses: number[] | 'all'; deadline?: number } | undefined;

  constructor(opts: CsmsLinkOptions) {
    this.#opts = opts;
    this.#service = opts.service;
    this.#log = opts.log;
    this.#timers = opts.timers ?? realTimers;
    this.#resetPoll = new TimerSlot(this.#timers);
    this.#answerFirst = new AnswerFirst((err) => this.#log.error({ err }, 'what a CSMS call caused failed after its answer'));
    const securityEvent: RaiseSecurityEvent = (type, info, o) => recordSecurityEvent(this.#service, this.#log, type, info, o);
    this.#connection = new CsmsConnection({
      profiles: opts.profiles, stationId: opts.stationId, service: this.#service, password: opts.password, log: this.#log, timers: this.#timers,
      ...(opts.securityControl ? { clientCertificate: () => opts.securityControl!.clientCertificate(), csmsCa: () => opts.securityControl!.csmsCaBundle() } : {}),
      events: {
        attach: (client, generation) => dispatchInbound(client, generation, {
          service: this.#service, log: this.#log, timers: this.#timers, answerFirst: this.#answerFirst, station: this.#station(),
          forwardDataTransfer: opts.forwardDataTransfer,
          evseControl: opts.evseControl,
          authControl: opts.authControl,
          systemControl: opts.systemControl,
          securityControl: opts.securityControl,
          registration: () => this.#registrar.state,
          isCurrent: (g) => this.#connection.isCurrent(g),
          securityEvent,
        }),
        up: (generation, profile) => this.#onUp(generation, profile),
        down: () => this.#onDown(),
        securityEvent,
      },
    });
    const sender = this.#sender();
    const clock = new ClockSync({ service: this.#service, log: this.#log, timers: this.#timers, systemControl: opts.systemControl, securityEvent });
    this.#registrar = new Registrar({
      service: this.#service, log: this.#log, timers: this.#timers,
      call: (action, payload, o) => this.#call(action, payload, o),
      generation: () => this.#connection.generation,
      ...(opts.bootRetryS !== undefined ? { bootRetryS: opts.bootRetryS } : {}),
      onCurrentTime: (time, source, sentAt) => clock.sync(time, source, sentAt),
      ...(opts.systemControl ? { firstBootReason: () => opts.systemControl!.bootReason() } : {}),
      onAccepted: () => {
        this.#expiry?.start();
        this.#status.sendAll();
        this.#outbox.kick(true);
        this.#events.flush();
        this.#reports.flush();
      },
    });
    const now = () => this.#timers.now();
    this.#status = new StatusReporter(this.#service, sender, now, this.#log);
    this.#outbox = new OutboxSender(this.#service, sender, this.#log, new TimerSlot(this.#timers), opts.evseControl, opts.authControl);
    this.#events = new NotifyEventSender(sender, this.#log, this.#timers, () => readReportingValueSize(this.#service, MAX_ATTRIBUTE_VALUE));
    this.#reports = new NotifyReportSender(sender, this.#log);
    this.#signing = opts.securityControl
      ? new CertificateSigning({ service: this.#service, security: opts.securityControl, sender, timer: new TimerSlot(this.#timers), log: this.#log, securityEvent })
      : undefined;
    this.#expiry = opts.securityControl && this.#signing
      ? new ClientCertificateExpiry({ service: this.#service, security: opts.securityControl, signing: this.#signing, timer: new TimerSlot(this.#timers), log: this.#log })
      : undefined;
    this.#unsubscribe.push(
      this.#service.auth.attach(csmsAuthorizer((action, payload) => this.#call(action, payload), () => this.isAccepted(), this.#log)),
      this.#service.on('security_event', () => this.#outbox.kick()),
      this.#service.on('outbox', () => this.#outbox.kick()),
      this.#service.on('event_data', (e: EventData) => this.#events.push(e)),
      this.#service.on('availability', () => this.#status.sendChanged()),
      this.#service.on('connector_status', () => this.#status.sendChanged()),
      this.#service.on('transaction_event', ({ request }) => {
        if (request.eventType === 'Ended' && this.#resetWaiting) this.#systemResetWhenIdle();
      }),
    );
  }

  // ---- CsmsLink ----

  start(): void {
    this.#connection.start();
  }

  stop(): void {
    this.#connection.stop('stopped');
    this.#resetPoll.clear();
    this.#signing?.stop();
    this.#afterConnection();
    this.#emit(false);
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

  /** CsmsLink: connected and the last BootNotification Accepted. */
  isAccepted(): boolean {
    return this.#up && this.#registrar.state === 'Accepted';
  }

  /** The last idTokenInfo the CSMS answered per open transactionId (for StopTxOnInvalidId). */
  get idTokenInfo(): ReadonlyMap<string, { status: string }> {
    return this.#outbox.idTokenInfo;
  }

  get registration(): Registration {
    return this.#registrar.state;
  }

  get identity(): string {
    return this.#opts.stationId;
  }

  /** Stops and waits until the socket is closed (at most a short grace, then it is cut). */
  async close(): Promise<void> {
    this.stop();
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.#connection.closing;
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
        this.#log.error({ err }, 'connection listener threw');
      }
    }
  }

  #onUp(generation: number, profile: LinkProfile): void {
    this.#registrar.reset();
    this.#status.reset();
    this.#log.info({ url: profile.config.url, slot: profile.slot, identity: this.#opts.stationId }, 'connected to the CSMS');
    // As libocpp: ActiveNetworkProfile names the slot in use, SecurityProfile the profile connected with.
    const values: Array<[ComponentVariable, string]> = [[SECURITY_PROFILE, String(profile.config.securityProfile)]];
    if (profile.slot !== undefined) values.push([ACTIVE_NETWORK_PROFILE, String(profile.slot)]);
    for (const [cv, value] of values) {
      try {
        this.#service.setInternal(cv, value);
      } catch (err) {
        this.#log.warn({ variable: `${cv.component.name}.${cv.variable.name}`, err }, 'could not record the network profile in use');
      }
    }
    this.#emit(true);
    this.#registrar.bootOnConnect(generation);
  }

  #onDown(): void {
    this.#afterConnection();
    this.#emit(false);
  }

  #afterConnection(): void {
    this.#registrar.stop();
    this.#expiry?.stop();
    this.#outbox.stop();
  }

  // ---- sending ----

  #sender(): Sender {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below are object-literal getters, which cannot be arrows
    const link = this;
    return {
      call: <Res>(action: string, payload: object, opts?: SendOptions) => this.#call<Res>(action, payload, opts),
      get accepted() {
        return link.#up && link.#registrar.state === 'Accepted';
      },
    };
  }

  /** A CALL caused by a CSMS CALL waits for that CALL's answer to be on the socket (answer-first.ts). */
  #call<Res>(action: string, payload: object, opts: SendOptions = {}): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.#answerFirst.hold(() => {
        this.#callNow<Res>(action, payload, opts).then(resolve, reject);
      });
    });
  }

  async #callNow<Res>(action: string, payload: object, opts: SendOptions): Promise<Res> {
    const client = this.#connection.client;
    if (!client || !this.#up) throw new CsmsUnavailable('offline', 'no connection to the CSMS');
    if (this.#registrar.state !== 'Accepted' && action !== 'BootNotification' && opts.triggered !== true) {
      throw new CsmsUnavailable('not-accepted', `${action} waits for an accepted BootNotification`);
    }
    return (await client.call(action, payload)) as Res;
  }

  // ---- Reset ----

  #reset(onIdle: boolean): void {
    if (onIdle && this.#service.availability().evses.some((e) => e.transaction_active)) {
      // B12 as libocpp: the idle EVSEs Unavailable while the reset waits (not stored).
      this.#service.holdConnectors('reset');
      this.#resetPoll.set(RESET_POLL_MS, () => this.#reset(true));
      return;
    }
    // TsOcpp goes on running after a communication reset: the connectors follow their stored state again.
    this.#service.releaseConnectors('reset');
    this.#log.info('Reset from the CSMS: recording ResetOrReboot and reconnecting');
    recordSecurityEvent(this.#service, this.#log, 'ResetOrReboot', 'Reset requested by the CSMS (communication reset, no reboot)');
    this.#registrar.nextBootReason = 'RemoteReset';
    if (!this.#up) return;
    // The security event and any other call in flight are answered before the socket closes.
    this.#connection.restart('Reset', true);
  }

  /**
   * Reset through the `system` requirement (B11/B12, as libocpp handle_reset_req with OCPP201's callbacks),
   * after the answer: Immediate stops the running transactions with HardReset (their Ended say
   * ImmediateReset, B12.FR.04/08), waits for their Ended (at most IMMEDIATE_RESET_WAIT_MS), then resets;
   * OnIdle while transactions run waits for all of them to end, then resets with scheduled true (B12.FR.01);
   * meanwhile the connectors of the idle EVSEs, and of each whose transaction ends, are held Unavailable (libocpp
   * handle_reset_req / on_transaction_finished, set_evse_connectors_unavailable without persisting): the
   * reset restarts TsOcpp, which then follows the stored state.
   */
  #systemReset(system: SystemControl, how: { onIdle: boolean; stop: number[] }): void {
    if (how.onIdle) {
      this.#resetWaiting = { scheduled: true, evses: 'all' };
      this.#service.holdConnectors('reset');
    } else if (how.stop.length > 0) {
      for (const evseId of how.stop) {
        if (!this.#opts.evseControl?.has(evseId)) continue;
        this.#opts.evseControl.stopTransaction(evseId, 'HardReset').catch((err: unknown) => {
          this.#log.error({ err, evse: evseId }, 'evse_manager stop_transaction for a Reset failed');
        });
      }
      this.#resetWaiting = { scheduled: false, evses: how.stop, deadline: this.#timers.now().getTime() + IMMEDIATE_RESET_WAIT_MS };
    } else {
      this.#resetWaiting = { scheduled: false, evses: [] };
    }
    this.#systemResetWhenIdle(system);
  }

  #systemResetWhenIdle(system = this.#opts.systemControl): void {
    const waiting = this.#resetWaiting;
    if (!waiting || !system) return;
    const active = this.#service.availability().evses.filter((e) => e.transaction_active && (waiting.evses === 'all' || waiting.evses.includes(e.id)));
    const late = waiting.deadline !== undefined && this.#timers.now().getTime() >= waiting.deadline;
    if (active.length > 0 && !late) {
      this.#resetPoll.set(RESET_POLL_MS, () => this.#systemResetWhenIdle(system));
      return;
    }
    if (late && active.length > 0) this.#log.warn({ evses: active.map((e) => e.id) }, 'transactions still running at an Immediate Reset; resetting anyway');
    this.#resetPoll.clear();
    this.#resetWaiting = undefined;
    this.#log.info({ scheduled: waiting.scheduled }, 'Reset from the CSMS: system reset');
    recordSecurityEvent(this.#service, this.#log, 'ResetOrReboot', 'Reset requested by the CSMS (system reset)');
    system.reset(waiting.scheduled).catch((err: unknown) => {
      this.#log.error({ err }, 'system reset failed');
      // No restart follows: the connectors held for it follow their stored state again.
      this.#service.releaseConnectors('reset');
    });
  }

  // ---- what the CSMS's CALLs may do to the station ----

  #station(): StationControl {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below are object-literal getters, which cannot be arrows
    const link = this;
    return {
      get registration() {
        return link.#registrar.state;
      },
      boot: (reason) => this.#registrar.boot(reason),
      heartbeat: () => this.#registrar.heartbeat(true),
      status: (evseId, connectorId) => this.#status.sendOne(evseId, connectorId),
      connectorExists: (evseId, connectorId) => this.#status.exists(evseId, connectorId),
      heartbeatIntervalChanged: () => this.#registrar.heartbeatIntervalChanged(),
      heldSlot: this.#opts.heldSlot,
      heldSecurityProfile: this.#opts.heldSecurityProfile,
      passwordChanged: () => {
        // A01: reconnect with the new password now (libocpp set_websocket_authorization_key + disconnect).
        // Security profile 3 sends no password: nothing to try, nothing to fall back to.
        if (this.#connection.profile.config.securityProfile >= 3) this.#opts.password.accepted();
        else if (this.#connection.restart('BasicAuthPassword changed')) this.#log.info('BasicAuthPassword changed by the CSMS: reconnecting with it');
      },
      report: (parts) => this.#reports.push(parts),
      reportChargingProfiles: (reports) => {
        void (async () => {
          for (const r of reports) {
            try {
              await this.#call('ReportChargingProfiles', r);
            } catch (err) {
              this.#log.warn({ err, requestId: r.requestId, evseId: r.evseId }, 'ReportChargingProfiles not delivered');
            }
          }
        })();
      },
      triggered: (action, payload) => {
        this.#call(action, payload, { triggered: true }).catch((err: unknown) => {
          this.#log.warn({ err, action }, 'triggered message not delivered');
        });
      },
      reset: ({ onIdle, stop }) => {
        if (this.#opts.systemControl) this.#systemReset(this.#opts.systemControl, { onIdle, stop });
        else this.#reset(onIdle);
      },
      signCertificate: (use, triggered) => {
        this.#signing?.request(use, triggered).catch((err: unknown) => this.#log.error({ err, use }, 'SignCertificate failed'));
      },
      certificateSigned: () => this.#signing?.certificateSigned(),
      clientCertificateChanged: () => {
        // libocpp on_charging_station_certificate_changed: the next connection presents the new certificate.
        this.#log.info('new charging station certificate: connecting again with it');
        this.#connection.restart('charging station certificate changed');
      },
    };
  }
}
