// The one place where the EVSEs' inputs meet the transactions room: every session event of an evse_manager
// connection goes to the OCPP service's transactions (which queue their TransactionEvents in the outbox the
// CSMS link drains), and each running transaction gets a TransactionEvent(Updated, MeterValuePeriodic) every
// SampledDataCtrlr.TxUpdatedInterval seconds with the EVSE's latest powermeter reading (E01.FR.09, J02).
//
// TxUpdatedInterval is read again at every tick and at every powermeter reading (EVerest publishes one about
// every second), so a change takes effect without a restart: 0 stops the samples, another value reschedules.
//
// At start, records of EVSEs that no evse_manager feeds (fewer connections than before, or none) are ended
// (stoppedReason Other): nothing would ever finish them. Records of connected EVSEs are kept, as the room's
// design says: everest-core reports a session it remembers after a restart with SessionResumed and then its
// TransactionFinished (PowerLoss), and a new SessionStarted of another session ends the old transaction.
import type { Logger } from '../log.js';
import type { OcppService } from '../ocpp/service.js';
import type { MeterReading } from '../ocpp/transactions/session-event.js';
import { realTimers, type TimerHandle, type Timers } from '../csms/timers.js';
import { cvOf, readInt } from '../csms/variables.js';
import type { EvseInputs } from './evse-inputs.js';
import { toMeterReading, toSessionEventInput } from './session-event-input.js';

const TX_UPDATED_INTERVAL = cvOf('SampledDataCtrlr', 'TxUpdatedInterval');

export interface TransactionFeedOptions {
  timers?: Timers;
}

interface Periodic {
  handle: TimerHandle;
  intervalS: number;
  /** When the timer was set (its interval counts from here). */
  since: number;
}

export class TransactionFeed {
  readonly #service: OcppService;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #latest = new Map<number, MeterReading>();
  readonly #periodic = new Map<number, Periodic>();
  readonly #off: Array<() => void> = [];
  #stopped = false;

  constructor(inputs: EvseInputs | undefined, service: OcppService, log: Logger, o: TransactionFeedOptions = {}) {
    this.#service = service;
    this.#log = log;
    this.#timers = o.timers ?? realTimers;
    const evseCount = inputs?.evseCount ?? 0;
    for (const r of service.transactions.records()) {
      if (r.evseId <= evseCount) continue;
      const sent = service.transactions.endAbandoned(r.evseId, 'Other');
      log.warn({ evse: r.evseId, transactionId: r.transactionId, ended: sent.length > 0 },
        'a stored session of an EVSE no evse_manager feeds any more; its transaction is ended');
    }
    if (!inputs) return;
    this.#off.push(
      inputs.on('session_event', (evseId, ev) => {
        const input = toSessionEventInput(evseId, ev);
        if (!input) return;
        service.transactions.sessionEvent(input);
        this.#schedule(evseId);
      }),
      inputs.on('powermeter', (evseId, pm) => {
        this.#latest.set(evseId, toMeterReading(pm));
        this.#schedule(evseId);
      }),
    );
    for (const r of service.transactions.records()) this.#schedule(r.evseId);
  }

  /** Stops listening and every timer (before the service closes). */
  stop(): void {
    this.#stopped = true;
    for (const off of this.#off.splice(0)) off();
    for (const evseId of [...this.#periodic.keys()]) this.#clear(evseId);
  }

  #intervalS(): number {
    return Math.max(0, readInt(this.#service, TX_UPDATED_INTERVAL, 0));
  }

  #open(evseId: number): boolean {
    const r = this.#service.transactions.record(evseId);
    return r !== undefined && r.started && !r.ended;
  }

  /** The EVSE's timer as the transaction and TxUpdatedInterval now say: started, kept, moved or cleared. */
  #schedule(evseId: number): void {
    if (this.#stopped) return;
    const intervalS = this.#open(evseId) ? this.#intervalS() : 0;
    const p = this.#periodic.get(evseId);
    if (intervalS === 0) {
      if (p) this.#clear(evseId);
      return;
    }
    if (p?.intervalS === intervalS) return;
    // A new interval counts from the last sample (or the start), so a shorter one may be due at once.
    const since = p?.since ?? this.#timers.now().getTime();
    const due = Math.max(0, since + intervalS * 1000 - this.#timers.now().getTime());
    if (p) this.#timers.clearTimeout(p.handle);
    this.#periodic.set(evseId, { intervalS, since, handle: this.#timers.setTimeout(() => this.#tick(evseId), due) });
  }

  #clear(evseId: number): void {
    const p = this.#periodic.get(evseId);
    if (p) this.#timers.clearTimeout(p.handle);
    this.#periodic.delete(evseId);
  }

  #tick(evseId: number): void {
    this.#periodic.delete(evseId);
    if (this.#stopped) return;
    const reading = this.#latest.get(evseId);
    try {
      // Without a reading there is no meter value to send: wait for the next interval.
      if (reading && this.#open(evseId)) this.#service.transactions.meterValuePeriodic(evseId, reading);
    } catch (err) {
      this.#log.error({ err, evse: evseId }, 'could not make the periodic TransactionEvent');
    }
    this.#schedule(evseId);
  }
}
