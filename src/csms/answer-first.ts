// Answer first: whatever a CSMS CALL causes the station to send (the StatusNotification of a
// ChangeAvailability, a triggered message, a NotifyEvent of a changed variable) goes out after that CALL's
// CALLRESULT. OCPP 2.0.1 G03: the station answers the request (G03.FR.01; Scheduled while a transaction
// runs, G03.FR.02) and informs the CSMS with StatusNotification once the change has happened (G03.FR.03);
// the sequence diagram has the ChangeAvailabilityResponse before the StatusNotificationRequest. F06.FR.04:
// the triggered message after the TriggerMessageResponse. libocpp (availability.cpp
// handle_change_availability_req) likewise dispatches the CALLRESULT before it applies the change. A CSMS
// that serves one message of a station at a time would otherwise wait for a CALLRESULT queued behind a
// CALL it will not read yet.
//
// A handler runs inside a scope. Every CALL made while its synchronous part runs (the service's events
// fire synchronously, so a ChangeAvailability's StatusNotification is one of them) is held until the scope
// is released, which happens once the answer is handed to the socket; so is whatever the handler passes
// to the scope's `hold` (CallContext.after), also after an await. Held things run in the order they came.
// The scope is a plain field, not AsyncLocalStorage: on Node 20 that turns on promise hooks for the whole
// process and makes every await on the bus path several times slower.

interface Scope {
  open: boolean;
  readonly held: Array<() => void>;
}

export interface AnswerScope {
  /** Runs `fn` (the handler) with this scope current: CALLs made during its synchronous part are held. */
  run<T>(fn: () => T): T;
  /** Holds `fn` until the release (runs it now once released). */
  hold(fn: () => void): void;
  /** Ends the scope and runs what it held, in order. */
  release(): void;
}

export class AnswerFirst {
  readonly #onError: (err: unknown) => void;
  /** The scope of the handler whose synchronous part is running, if any. */
  #current: Scope | undefined;

  /** `onError`: a held function threw (the others still run). */
  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  /** A new scope for one CSMS CALL. */
  scope(): AnswerScope {
    const scope: Scope = { open: true, held: [] };
    return {
      run: (fn) => {
        const outer = this.#current;
        this.#current = scope;
        try {
          return fn();
        } finally {
          this.#current = outer;
        }
      },
      hold: (fn) => this.#hold(scope, fn),
      release: () => {
        if (!scope.open) return;
        scope.open = false;
        for (const held of scope.held.splice(0)) {
          try {
            held();
          } catch (err) {
            this.#onError(err);
          }
        }
      },
    };
  }

  /** While a handler's synchronous part runs: `fn` waits for its release. Otherwise it runs now. */
  hold(fn: () => void): void {
    this.#hold(this.#current, fn);
  }

  #hold(scope: Scope | undefined, fn: () => void): void {
    if (scope?.open === true) scope.held.push(fn);
    else fn();
  }
}
