// stop / restart / is_connected. There is no CSMS link yet, so the state here is only "stopped or not";
// a later link plugs in through CsmsLink and drives the connection events.
// EVerest OCPP201 ocpp_generic/ocppImpl.cpp: stop() disconnects and stops OCPP communication, restart()
// connects again after a stop; both answer true once the charge point exists.

/** What a CSMS link must offer. start/stop are idempotent; onConnection reports every up/down. */
export interface CsmsLink {
  start(): void;
  stop(): void;
  onConnection(fn: (connected: boolean) => void): () => void;
  /** Connected and registered (BootNotification Accepted): messages made now are not offline (E04, E08). */
  isAccepted?(): boolean;
}

export class ConnectionState {
  #stopped = false;
  #connected = false;
  #link: CsmsLink | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #notify: (connected: boolean) => void;

  constructor(notify: (connected: boolean) => void) {
    this.#notify = notify;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  isConnected(): boolean {
    return this.#connected;
  }

  /** Connected and, when the link knows registration, Accepted by the CSMS. */
  isAccepted(): boolean {
    return this.#connected && (this.#link?.isAccepted?.() ?? true);
  }

  /** Plugs in a CSMS link; it is started unless the service is stopped. */
  attach(link: CsmsLink): void {
    this.detach();
    this.#link = link;
    this.#unsubscribe = link.onConnection((up) => this.#set(up));
    if (!this.#stopped) link.start();
  }

  detach(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#link?.stop();
    this.#link = undefined;
    this.#set(false);
  }

  stop(): boolean {
    this.#stopped = true;
    this.#link?.stop();
    this.#set(false);
    return true;
  }

  restart(): boolean {
    this.#stopped = false;
    this.#link?.start();
    return true;
  }

  #set(connected: boolean): void {
    // A link that reports "up" while we are stopped is ignored: stop means no OCPP communication.
    const next = connected && !this.#stopped;
    if (next === this.#connected) return;
    this.#connected = next;
    this.#notify(next);
  }
}
