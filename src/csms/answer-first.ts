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
// A handler runs inside a scope (AsyncLocalStorage, so it follows the handler into every event listener
// and promise it causes, and nothing else); a CALL made inside an open scope is held until the scope is
// released, which happens once the answer is handed to the socket. Anything held runs in the order it came.
import { AsyncLocalStorage } from 'node:async_hooks';

interface Scope {
  open: boolean;
  readonly held: Array<() => void>;
}

export class AnswerFirst {
  readonly #als = new AsyncLocalStorage<Scope>();
  readonly #onError: (err: unknown) => void;

  /** `onError`: a held function threw (the others still run). */
  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  /** Runs `fn` (a handler) in a new scope; `release` ends the scope and runs what it held, in order. */
  run<T>(fn: () => T): { result: T; release: () => void } {
    const scope: Scope = { open: true, held: [] };
    const result = this.#als.run(scope, fn);
    return {
      result,
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

  /** Inside an open scope: `fn` waits for its release. Elsewhere it runs now. */
  hold(fn: () => void): void {
    const scope = this.#als.getStore();
    if (scope?.open === true) scope.held.push(fn);
    else fn();
  }
}
