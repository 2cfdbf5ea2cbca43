// Registration at the CSMS: the BootNotification that opens every connection, its retry interval, and
// the Heartbeat once Accepted (OCPP 2.0.1 B01-B04, G02). Until a BootNotification is Accepted nothing
// else goes out but what the CSMS triggers (B02/B03; the link's sender enforces it with `state`).
import type { Logger } from '../log.js';
import type { OcppService } from '../ocpp/service.js';
import type { BootNotificationResponse, BootReason, HeartbeatResponse } from './ocpp-types.js';
import { classifyFailure, type Registration, type SendOptions } from './sender.js';
import { bootNotification, DEFAULT_BOOT_RETRY_S } from './station/boot.js';
import { TimerSlot, type Timers } from './timers.js';
import { HEARTBEAT_INTERVAL, readInt } from './variables.js';

export interface RegistrarOptions {
  service: OcppService;
  log: Logger;
  timers: Timers;
  call<Res>(action: string, payload: object, opts?: SendOptions): Promise<Res>;
  /** The connection generation now; an answer for another one is ignored. */
  generation(): number;
  /** Seconds before another BootNotification when the CSMS gives no interval or does not answer. */
  bootRetryS?: number;
  /** After an Accepted BootNotification (the heartbeat is scheduled already). */
  onAccepted(): void;
  /**
   * The reason of the first BootNotification (the system module's get_boot_reason); the first connection's
   * BootNotification waits for it. Without it, or when it gives nothing: PowerUp.
   */
  firstBootReason?: () => Promise<BootReason | undefined>;
  /** The currentTime of an Accepted BootNotification or a Heartbeat answer (clock.ts); sentAt in ms of the link's clock. */
  onCurrentTime?(currentTime: string, source: 'BootNotification' | 'Heartbeat', sentAt: number): void;
}

export class Registrar {
  readonly #opts: RegistrarOptions;
  readonly #service: OcppService;
  readonly #log: Logger;
  readonly #bootRetry: TimerSlot;
  readonly #heartbeat: TimerSlot;
  #state: Registration = 'Unknown';
  #bootReason: BootReason = 'PowerUp';
  /** Pending while the first boot reason is asked; then undefined. */
  #reasonKnown: Promise<void> | undefined;

  constructor(opts: RegistrarOptions) {
    this.#opts = opts;
    this.#service = opts.service;
    this.#log = opts.log;
    this.#bootRetry = new TimerSlot(opts.timers);
    this.#heartbeat = new TimerSlot(opts.timers);
    if (opts.firstBootReason) {
      this.#reasonKnown = opts.firstBootReason().then((r) => {
        if (r !== undefined) this.#bootReason = r;
      }, () => undefined).finally(() => {
        this.#reasonKnown = undefined;
      });
    }
  }

  get state(): Registration {
    return this.#state;
  }

  /** The reason the next connection's BootNotification gives (RemoteReset after a Reset). */
  set nextBootReason(reason: BootReason) {
    this.#bootReason = reason;
  }

  /** A new connection: not registered on it yet; its BootNotification follows with bootOnConnect. */
  reset(): void {
    this.#state = 'Unknown';
  }

  /** The connection is gone: not registered, no retry or heartbeat pending. */
  stop(): void {
    this.#state = 'Unknown';
    this.#bootRetry.clear();
    this.#heartbeat.clear();
  }

  /** The BootNotification of a connection that just opened. */
  bootOnConnect(generation: number): void {
    const known = this.#reasonKnown;
    if (!known) {
      this.boot(this.#bootReason, generation);
      return;
    }
    void known.then(() => {
      if (generation === this.#opts.generation()) this.boot(this.#bootReason, generation);
    });
  }

  boot(reason: BootReason, generation = this.#opts.generation()): void {
    this.#bootRetry.clear();
    const retry = (s: number) => this.#bootRetry.set(s * 1000, () => this.boot(reason, generation));
    const retryS = this.#opts.bootRetryS ?? DEFAULT_BOOT_RETRY_S;
    const sentAt = this.#now();
    this.#opts.call<BootNotificationResponse>('BootNotification', bootNotification(this.#service, reason)).then(
      (res) => {
        if (generation !== this.#opts.generation()) return;
        this.#state = res.status;
        this.#log.info({ status: res.status, interval: res.interval, reason }, 'BootNotification answered');
        if (res.status === 'Accepted') {
          this.#bootReason = 'Unknown';
          this.#opts.onCurrentTime?.(res.currentTime, 'BootNotification', sentAt);
          this.#accepted(res.interval);
        } else {
          // B02/B03: with Pending or Rejected the interval is the least wait before the next BootNotification.
          retry(res.interval > 0 ? res.interval : retryS);
        }
      },
      (err: unknown) => {
        if (generation !== this.#opts.generation() || classifyFailure(err) === 'offline') return;
        this.#log.warn({ err }, 'BootNotification not answered; trying again');
        retry(retryS);
      },
    );
  }

  /** TriggerMessage Heartbeat (allowed while Pending), or the scheduled one. */
  heartbeat(triggered: boolean): void {
    const sentAt = this.#now();
    this.#opts.call<HeartbeatResponse>('Heartbeat', {}, { triggered }).then(
      (res) => this.#opts.onCurrentTime?.(res.currentTime, 'Heartbeat', sentAt),
      (err: unknown) => {
        this.#log.debug({ err }, 'Heartbeat not answered');
      },
    );
  }

  /** OCPPCommCtrlr HeartbeatInterval was set: the next heartbeat follows the new interval. */
  heartbeatIntervalChanged(): void {
    if (this.#state === 'Accepted') this.#scheduleHeartbeat(this.#heartbeatIntervalS());
  }

  #accepted(interval: number): void {
    // libocpp provisioning.cpp handle_boot_notification_response: the interval becomes the heartbeat
    // interval and is written to OCPPCommCtrlr HeartbeatInterval.
    if (interval > 0) {
      try {
        this.#service.setInternal(HEARTBEAT_INTERVAL, String(interval));
      } catch (err) {
        this.#log.warn({ interval, err }, 'could not store the heartbeat interval');
      }
    }
    this.#scheduleHeartbeat(interval > 0 ? interval : this.#heartbeatIntervalS());
    this.#opts.onAccepted();
  }

  #now(): number {
    return this.#opts.timers.now().getTime();
  }

  #heartbeatIntervalS(): number {
    return readInt(this.#service, HEARTBEAT_INTERVAL, 0);
  }

  #scheduleHeartbeat(seconds: number): void {
    this.#heartbeat.clear();
    if (!(seconds > 0)) return;
    this.#heartbeat.set(seconds * 1000, () => {
      this.heartbeat(false);
      this.#scheduleHeartbeat(this.#heartbeatIntervalS());
    });
  }
}
