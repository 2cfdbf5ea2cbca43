// A01 password rotation: the CSMS sets SecurityCtrlr BasicAuthPassword and the station reconnects with it at
// once (libocpp provisioning.cpp handle_variable_changed -> set_websocket_authorization_key). TsOcpp adds what
// libocpp leaves out: the password in force before is kept (durably, store.ts) until a connection with the new
// one succeeded, and a CSMS that refuses the new one (HTTP 401/403 on the upgrade) gets the old one again, so a
// rotation that went wrong on the CSMS side does not cut the station off. Passwords are never logged here.
import type { BasicAuthFallbackStore } from './store.js';

export interface BasicAuthRotationOptions {
  store: BasicAuthFallbackStore;
  /** The BasicAuthPassword in force (the device model's, read internally: it is WriteOnly). */
  read(): string | undefined;
  write(password: string): void;
}

export class BasicAuthRotation {
  readonly #o: BasicAuthRotationOptions;

  constructor(opts: BasicAuthRotationOptions) {
    this.#o = opts;
  }

  /** The password to connect with. */
  current(): string | undefined {
    return this.#o.read();
  }

  /** A new password is about to be applied: keep the one in force, unless an older one still waits for its replacement's success. */
  rotating(): { undo(): void } {
    const old = this.#o.read();
    if (old === undefined || this.#o.store.get() !== undefined) return { undo: () => undefined };
    this.#o.store.set(old);
    return { undo: () => this.#o.store.clear() };
  }

  /** True while a new password has not yet connected. */
  get pending(): boolean {
    return this.#o.store.get() !== undefined;
  }

  /** A connection with the current password succeeded: the old one is no longer needed. */
  accepted(): void {
    if (this.pending) this.#o.store.clear();
  }

  /** The CSMS refused the current password: the kept one is in force again. False when there is none. */
  refused(): boolean {
    const old = this.#o.store.get();
    if (old === undefined) return false;
    this.#o.write(old);
    this.#o.store.clear();
    return true;
  }
}
