// The socket to the CSMS and its generations: an ocpp-rpc RPCClient in strict mode (subprotocol
// ocpp2.0.1, the station id as the last path segment), opened again after every loss with the
// OCPPCommCtrlr back-off. Network profiles (B09/B10, network-profile.ts): each profile is tried
// OCPPCommCtrlr NetworkProfileConnectionAttempts times, then the next one in NetworkConfigurationPriority order,
// after the last one the first again (libocpp connectivity_manager.cpp get_next_configuration_slot, after its
// 2 s WEBSOCKET_INIT_DELAY); the list is read again at every switch, so a new SetNetworkProfile takes part.
// A lost open socket is reconnected on its own profile first (libocpp moves on to the next slot at once).
// Basic auth (A01): a CSMS that refuses a new password with HTTP 401/403 gets the previous one at once. Every socket is one generation; giving a socket up bumps the generation, so the
// answers and events of an older one are ignored. What an open socket is used for (registration, sending,
// inbound CALLs) is the link's business: this class only says when a generation is up or lost.
import { rootCertificates } from 'node:tls';
import type { Logger } from '../log.js';
import type { OcppService } from '../ocpp/service.js';
import { peerCertRejected } from '../tls-errors.js';
import { ReconnectBackoff } from './backoff.js';
import type { CsmsConfig } from './config.js';
import type { ClientCertificate } from './security-control.js';
import { RPCClient, UnexpectedHttpResponse } from './rpc.js';
import { TimerSlot, type TimerHandle, type Timers } from './timers.js';
import { OCPP201, strictValidator } from './validator.js';
import { readCommSettings, type CommSettings } from './variables.js';

export interface ConnectionEvents {
  /** A new socket, before it connects: the inbound handlers go on it. */
  attach(client: RPCClient, generation: number): void;
  /** The socket of this generation is open, with this profile. */
  up(generation: number, profile: LinkProfile): void;
  /** The open socket was lost (not given up): a reconnect follows. */
  down(): void;
  /** OCPP A00 security events about the connection (once per failure streak). */
  securityEvent(type: string, info: string): void;
}

/** One network profile the link may connect with; slot undefined: the module config alone (no device model slot). */
export interface LinkProfile {
  slot: number | undefined;
  config: CsmsConfig;
}

/** SecurityCtrlr BasicAuthPassword (profiles 1 and 2) during a rotation (src/ocpp/basic-auth/rotation.ts). */
export interface PasswordSource {
  /** Read at every connect. */
  current(): string | undefined;
  /** A connection with the current one succeeded. */
  accepted(): void;
  /** The CSMS refused it: true when a previous one is in force again. */
  refused(): boolean;
}

export interface CsmsConnectionOptions {
  /** The profiles in priority order, at least one; read at start and at every switch of profile. */
  profiles: () => LinkProfile[];
  stationId: string;
  service: OcppService;
  password: PasswordSource;
  log: Logger;
  timers: Timers;
  events: ConnectionEvents;
  /**
   * Security profile 3 with an evse_security connection: the client certificate for each connect (A02.FR.09: a
   * renewed one is used at the next connect); undefined from it falls back to the module config's files.
   */
  clientCertificate?: () => Promise<ClientCertificate | undefined>;
  /**
   * A TLS profile without csms_ca_file and an evse_security connection: the CSMS CA bundle for each connect, trusted
   * besides Node's default roots (libocpp loads it besides the default verify paths, UseSslDefaultVerifyPaths true).
   */
  csmsCa?: () => Promise<Buffer | undefined>;
}

/** What evse_security adds to one connect's TLS options. */
interface SecurityTls {
  leaf?: ClientCertificate | undefined;
  ca?: Buffer | undefined;
}

const CLOSE_GRACE_MS = 2000;
/** libocpp connectivity_manager.cpp WEBSOCKET_INIT_DELAY: the wait before the next profile is tried. */
export const PROFILE_SWITCH_MS = 2000;

export class CsmsConnection {
  readonly #opts: CsmsConnectionOptions;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #events: ConnectionEvents;
  readonly #backoff: ReconnectBackoff;
  readonly #reconnect: TimerSlot;
  #wanted = false;
  #generation = 0;
  #client: RPCClient | undefined;
  #open = false;
  #reconnectNow = false;
  /** The next connect starts again with the first profile of a fresh list (a Reset). */
  #fromFirst = false;
  #comm: CommSettings;
  #profiles: LinkProfile[];
  #index = 0;
  /** Failed connection attempts on the current profile. */
  #tries = 0;
  /** The password the socket being opened sends, if any. */
  #sentPassword = false;
  #closing: Promise<void> | undefined;
  /** Waiting for the client certificate of a connect (no second connect meanwhile). */
  #fetching = false;
  /** Connection failures since the last success, for logging and security events once per streak. */
  #failures = 0;
  #reported = new Set<string>();

  constructor(opts: CsmsConnectionOptions) {
    this.#opts = opts;
    this.#log = opts.log;
    this.#timers = opts.timers;
    this.#events = opts.events;
    this.#backoff = new ReconnectBackoff(() => this.#timers.random());
    this.#reconnect = new TimerSlot(this.#timers);
    this.#comm = readCommSettings(opts.service);
    this.#profiles = opts.profiles();
  }

  /** The profile connected with, or tried now. */
  get profile(): LinkProfile {
    return this.#profiles[this.#index] ?? this.#profiles[0]!;
  }

  /** The OCPPCommCtrlr settings read at the last connect. */
  get comm(): CommSettings {
    return this.#comm;
  }

  get generation(): number {
    return this.#generation;
  }

  isCurrent(generation: number): boolean {
    return generation === this.#generation;
  }

  /** The socket while it is open. */
  get client(): RPCClient | undefined {
    return this.#open ? this.#client : undefined;
  }

  /** Settles once the socket given up last is closed. */
  get closing(): Promise<void> | undefined {
    return this.#closing;
  }

  start(): void {
    if (this.#wanted) return;
    this.#wanted = true;
    this.#backoff.reset();
    this.#profiles = this.#opts.profiles();
    this.#index = 0;
    this.#tries = 0;
    this.#connect();
  }

  /** Gives the socket up (no reconnect); its generation is over at once. */
  stop(reason: string): void {
    this.#wanted = false;
    this.#generation++;
    this.#reconnect.clear();
    const client = this.#client;
    this.#client = undefined;
    this.#open = false;
    if (client) this.#closing = closeClient(client, reason, this.#timers);
  }

  /**
   * Closes the open socket after what is in flight is answered and connects again without back-off (a
   * Reset from the CSMS: fromFirst, with the first profile of NetworkConfigurationPriority as it is now). False
   * when no socket is open.
   */
  restart(reason: string, fromFirst = false): boolean {
    const client = this.client;
    if (!client) return false;
    this.#reconnectNow = true;
    this.#fromFirst = fromFirst;
    client.close({ code: 1000, reason, awaitPending: true }).catch(() => undefined);
    return true;
  }

  #connect(): void {
    if (!this.#wanted || this.#client || this.#fetching) return;
    const generation = ++this.#generation;
    const { config } = this.profile;
    const leafFrom = config.securityProfile === 3 ? this.#opts.clientCertificate : undefined;
    const caFrom = config.url.startsWith('wss:') && config.tls.ca === undefined ? this.#opts.csmsCa : undefined;
    if (leafFrom || caFrom) {
      this.#fetching = true;
      const ask = <T>(f: (() => Promise<T | undefined>) | undefined) => (f ? f().catch(() => undefined) : Promise.resolve(undefined));
      Promise.all([ask(leafFrom), ask(caFrom)]).then(([leaf, ca]) => {
        this.#fetching = false;
        if (generation !== this.#generation || !this.#wanted) return;
        if (leafFrom && !leaf) this.#log.warn('evse_security has no CSMS client certificate: using the module config\'s files, if any');
        this.#openSocket(generation, { leaf, ca });
      }, () => undefined);
      return;
    }
    this.#openSocket(generation, {});
  }

  #openSocket(generation: number, { leaf, ca }: SecurityTls): void {
    this.#comm = readCommSettings(this.#opts.service);
    const { config } = this.profile;
    const password = config.securityProfile < 3 ? this.#opts.password.current() : undefined;
    this.#sentPassword = password !== undefined;
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
      wsOpts: config.url.startsWith('wss:') ? { ...config.tls, ...(ca ? { ca: [...rootCertificates, ca] } : {}), ...(leaf ?? {}), minVersion: 'TLSv1.2' } : {},
    } as ConstructorParameters<typeof RPCClient>[0]);
    this.#client = client;
    this.#events.attach(client, generation);
    client.on('close', () => {
      if (generation !== this.#generation) return;
      this.#client = undefined;
      if (this.#open) this.#onDown();
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
    this.#tries = 0;
    if (this.#sentPassword) this.#opts.password.accepted();
    if (this.#failures > 0) this.#log.info({ failures: this.#failures }, 'CSMS connection restored');
    this.#failures = 0;
    this.#reported.clear();
    this.#open = true;
    this.#events.up(generation, this.profile);
  }

  #onDown(): void {
    this.#open = false;
    this.#tries = 0;
    this.#log.warn('CSMS connection lost');
    this.#events.down();
    this.#scheduleReconnect();
  }

  #onConnectFailed(err: unknown): void {
    this.#failures++;
    this.#tries++;
    const e = err as { code?: unknown; message?: string };
    let what = e.message ?? String(err);
    if (err instanceof UnexpectedHttpResponse) {
      what = `HTTP ${String(e.code)} ${what}`;
      // OCPP A00: the CSMS did not accept the credentials (Basic auth or client certificate).
      if (e.code === 401 || e.code === 403) this.#securityEventOnce('FailedToAuthenticateAtCsms', `CSMS answered ${what}`);
      // A01: a new BasicAuthPassword the CSMS refuses; the previous one is tried at once, on the same profile.
      if ((e.code === 401 || e.code === 403) && this.#sentPassword && this.#opts.password.refused()) {
        this.#log.warn('the CSMS refused the new BasicAuthPassword: connecting with the previous one');
        this.#tries = 0;
        this.#reconnectNow = true;
      }
    } else if (peerCertRejected(e.code)) {
      this.#securityEventOnce('InvalidCsmsCertificate', `${String(e.code)}: ${what}`);
    }
    // Not the error itself: ocpp-rpc hangs the upgrade request on it, whose headers carry the Basic auth.
    const logged = err instanceof UnexpectedHttpResponse ? { error: what } : { err };
    if (this.#failures === 1) this.#log.warn(logged, 'cannot connect to the CSMS; retrying with back-off');
    else this.#log.debug({ ...logged, failures: this.#failures }, 'cannot connect to the CSMS');
  }

  #securityEventOnce(type: string, info: string): void {
    if (this.#reported.has(type)) return;
    this.#reported.add(type);
    this.#events.securityEvent(type, info);
  }

  #scheduleReconnect(): void {
    if (!this.#wanted) return;
    let ms = 0;
    if (this.#fromFirst) {
      // libocpp reads NetworkConfigurationPriority when it starts, that is after a reset: so does a Reset here (A05, B10).
      this.#fromFirst = false;
      this.#profiles = this.#opts.profiles();
      this.#index = 0;
      this.#tries = 0;
    }
    if (this.#reconnectNow) this.#reconnectNow = false;
    else if (this.#tries >= Math.max(1, this.#comm.networkProfileConnectionAttempts) && this.#nextProfile()) ms = PROFILE_SWITCH_MS;
    else ms = this.#backoff.next(this.#comm);
    this.#log.debug({ ms }, 'reconnecting to the CSMS');
    this.#reconnect.set(ms, () => this.#connect());
  }

  /** After NetworkProfileConnectionAttempts failures: the next profile (read anew), false when there is no other. */
  #nextProfile(): boolean {
    const was = this.profile;
    this.#profiles = this.#opts.profiles();
    this.#tries = 0;
    if (this.#profiles.length < 2) {
      this.#index = 0;
      return false;
    }
    const at = this.#profiles.findIndex((p) => p.slot === was.slot && p.config.url === was.config.url);
    this.#index = (at + 1) % this.#profiles.length;
    this.#backoff.reset();
    const next = this.profile;
    this.#log.warn({ from: was.slot, to: next.slot, url: next.config.url }, 'CSMS not reached with this network profile: trying the next one (NetworkConfigurationPriority)');
    return true;
  }
}

/** Closes with a close frame; a CSMS that does not answer it within the grace gets the socket cut. */
async function closeClient(client: RPCClient, reason: string, timers: Timers): Promise<void> {
  let timer: TimerHandle | undefined;
  const closed = client.close({ code: 1000, reason }).then(() => true, () => true);
  // Kept alive: the grace is short, and a shutdown must not end before the socket is dealt with.
  const late = new Promise<boolean>((resolve) => {
    timer = timers.setTimeout(() => resolve(false), CLOSE_GRACE_MS, { keepAlive: true });
  });
  const done = await Promise.race([closed, late]);
  timers.clearTimeout(timer);
  // ocpp-rpc has no terminate for a socket that is already closing; its WebSocket is the only handle.
  if (!done) (client as unknown as { _ws?: { terminate(): void } })._ws?.terminate();
}
