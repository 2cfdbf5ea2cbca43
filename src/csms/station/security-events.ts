// SecurityEventNotification from the service's durable outbox (src/ocpp/security-event.ts queues every
// critical event there, in the same transaction as the security log). Entries go out oldest first, one at
// a time, and an entry is removed only once the CSMS answered it; so events raised while offline, or before
// a restart, are delivered after it, once each (at least once if the process dies between the CSMS's
// answer and the removal). libocpp treats SecurityEventNotification the same way: a transaction-class
// message (message_queue.hpp is_transaction_message) held until the boot is Accepted.
// A CALLERROR also counts as the answer (libocpp drops a message the CSMS refused); a timeout is retried
// after OCPPCommCtrlr MessageAttemptInterval, a lost connection at the next Accepted boot.
import type { Logger } from '../../log.js';
import type { OcppService } from '../../ocpp/service.js';
import { toOcppSecurityEvent } from '../mapping.js';
import { classifyFailure, rpcErrorCode, type Sender } from '../sender.js';
import type { TimerSlot } from '../timers.js';

const BATCH = 20;

export class SecurityEventSender {
  readonly #service: OcppService;
  readonly #sender: Sender;
  readonly #log: Logger;
  readonly #retry: TimerSlot;
  readonly #retryMs: () => number;
  #running = false;

  constructor(service: OcppService, sender: Sender, log: Logger, retry: TimerSlot, retryMs: () => number) {
    this.#service = service;
    this.#sender = sender;
    this.#log = log;
    this.#retry = retry;
    this.#retryMs = retryMs;
  }

  /** Sends what is queued, unless a run is already going (it reads the outbox again until it is empty). */
  kick(): void {
    if (this.#running || !this.#sender.accepted) return;
    this.#running = true;
    this.#retry.clear();
    this.#run().catch((err: unknown) => this.#log.error({ err }, 'security event delivery failed'))
      .finally(() => { this.#running = false; });
  }

  stop(): void {
    this.#retry.clear();
  }

  async #run(): Promise<void> {
    while (this.#sender.accepted) {
      const batch = this.#service.outbox.pending(BATCH).filter((e) => e.kind === 'SecurityEventNotification');
      if (batch.length === 0) return;
      for (const entry of batch) {
        try {
          await this.#sender.call('SecurityEventNotification', toOcppSecurityEvent(entry.payload));
        } catch (err) {
          const failure = classifyFailure(err);
          if (failure !== 'answered') {
            this.#log.info({ id: entry.id, failure }, 'security event not delivered yet; kept in the outbox');
            if (failure === 'timeout') this.#retry.set(this.#retryMs(), () => this.kick());
            return;
          }
          this.#log.error({ id: entry.id, type: entry.payload.type, code: rpcErrorCode(err), err },
            'CSMS refused a SecurityEventNotification; dropped from the outbox');
        }
        this.#service.outbox.confirm(entry.id);
      }
    }
  }
}

/** Records a security event raised by the link itself (the service decides whether it is critical). */
export function recordSecurityEvent(service: OcppService, log: Logger, type: string, info: string): void {
  try {
    service.securityEvent({ type, info });
  } catch (err) {
    log.error({ err, type }, 'could not record a security event');
  }
}
