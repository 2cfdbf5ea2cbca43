// The one place where the EVSEs' inputs meet the transactions room: every session event of an evse_manager
// connection goes to the OCPP service's transactions (which queue their TransactionEvents in the outbox the
// CSMS link drains), and the meter value timers run here, with the EVSEs' latest powermeter readings:
// - SampledDataCtrlr.TxUpdatedInterval: an Updated (MeterValuePeriodic, Sample.Periodic) of each open
//   transaction, counted from its start (E01.FR.09, J02);
// - SampledDataCtrlr.TxEndedInterval: a Sample.Periodic reading kept for the transaction's Ended (J02, E06);
// - AlignedDataCtrlr.Interval, at instants counted from midnight (J01): an Updated (MeterValueClock,
//   Sample.Clock) of each open transaction, and a MeterValues (Sample.Clock) of each EVSE without one that has
//   a reading; with AlignedDataCtrlr.SendDuringIdle only the latter, and none while any transaction is open
//   (J01.FR.20, as libocpp);
// - AlignedDataCtrlr.TxEndedInterval, aligned the same way: a Sample.Clock reading kept for the Ended.
//
// Every interval is read again at each tick, at every powermeter reading (EVerest publishes one about every
// second) and whenever a variable is set (service event variable_changed of SampledDataCtrlr and AlignedDataCtrlr), so a change takes effect without a
// restart: 0 stops the timer, another value reschedules it.
//
// At start, records of EVSEs that no evse_manager feeds (fewer connections than before, or none) are ended
// (stoppedReason Other): nothing would ever finish them. Records of connected EVSEs are kept, as the room's
// design says: everest-core reports a session it remembers after a restart with SessionResumed and then its
// TransactionFinished (PowerLoss), and a new SessionStarted of another session ends the old transaction.
import type { Logger } from '../log.js';
import type { OcppService } from '../ocpp/service.js';
import { realTimers, type Timers } from '../csms/timers.js';
import { cvOf, readBool, readInt } from '../csms/variables.js';
import type { EvseInputs } from './evse-inputs.js';
import { AlignedTimer, EvseIntervalTimers } from './meter-timers.js';
import { toMeterReading, toSessionEventInput } from './session-event-input.js';

const TX_UPDATED_INTERVAL = cvOf('SampledDataCtrlr', 'TxUpdatedInterval');
const TX_ENDED_INTERVAL = cvOf('SampledDataCtrlr', 'TxEndedInterval');
const ALIGNED_INTERVAL = cvOf('AlignedDataCtrlr', 'Interval');
const ALIGNED_TX_ENDED_INTERVAL = cvOf('AlignedDataCtrlr', 'TxEndedInterval');
const SEND_DURING_IDLE = cvOf('AlignedDataCtrlr', 'SendDuringIdle');

export interface TransactionFeedOptions {
  timers?: Timers;
}

export class TransactionFeed {
  readonly #service: OcppService;
  readonly #log: Logger;
  readonly #evseCount: number;
  readonly #updated: EvseIntervalTimers;
  readonly #ended: EvseIntervalTimers;
  readonly #aligned: AlignedTimer;
  readonly #alignedEnded: AlignedTimer;
  readonly #off: Array<() => void> = [];

  constructor(inputs: EvseInputs | undefined, service: OcppService, log: Logger, o: TransactionFeedOptions = {}) {
    this.#service = service;
    this.#log = log;
    const timers = o.timers ?? realTimers;
    const seconds = (cv: typeof TX_UPDATED_INTERVAL) => () => Math.max(0, readInt(service, cv, 0));
    this.#updated = new EvseIntervalTimers(timers, seconds(TX_UPDATED_INTERVAL), (evseId) => this.#periodic(evseId));
    this.#ended = new EvseIntervalTimers(timers, seconds(TX_ENDED_INTERVAL), (evseId) => this.#endedSample(evseId));
    this.#aligned = new AlignedTimer(timers, seconds(ALIGNED_INTERVAL), (at) => this.#clock(at));
    // Like libocpp's, the aligned TxEnded timer runs only while a transaction is open.
    this.#alignedEnded = new AlignedTimer(timers, seconds(ALIGNED_TX_ENDED_INTERVAL), (at) => this.#clockEndedSample(at),
      () => this.#anyOpen());
    const evseCount = inputs?.evseCount ?? 0;
    this.#evseCount = evseCount;
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
        this.#sync(evseId);
      }),
      inputs.on('powermeter', (evseId, pm) => {
        service.transactions.noteReading(evseId, toMeterReading(pm));
        this.#sync(evseId);
      }),
      service.on('variable_changed', (cv) => {
        if (cv.component.name === 'SampledDataCtrlr' || cv.component.name === 'AlignedDataCtrlr') this.#syncAll();
      }),
    );
    this.#syncAll();
  }

  /** Stops listening and every timer (before the service closes). */
  stop(): void {
    for (const off of this.#off.splice(0)) off();
    this.#updated.stop();
    this.#ended.stop();
    this.#aligned.stop();
    this.#alignedEnded.stop();
  }

  #open(evseId: number): boolean {
    const r = this.#service.transactions.record(evseId);
    return r !== undefined && r.started && !r.ended;
  }

  #anyOpen(): boolean {
    return this.#service.transactions.records().some((r) => r.started && !r.ended);
  }

  #sync(evseId: number): void {
    const open = this.#open(evseId);
    this.#updated.sync(evseId, open);
    this.#ended.sync(evseId, open);
    this.#aligned.sync();
    this.#alignedEnded.sync(this.#anyOpen());
  }

  #syncAll(): void {
    for (let evseId = 1; evseId <= this.#evseCount; evseId++) this.#sync(evseId);
    this.#aligned.sync();
    this.#alignedEnded.sync(this.#anyOpen());
  }

  /** Runs one timer's work; a failure is logged and the timers go on. */
  #guard(what: string, evseId: number | undefined, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.error({ err, evse: evseId }, `could not make the ${what}`);
    }
  }

  #periodic(evseId: number): void {
    // Without a reading there is no meter value to send: wait for the next interval.
    const reading = this.#service.transactions.reading(evseId);
    this.#guard('periodic TransactionEvent', evseId, () => {
      if (reading && this.#open(evseId)) this.#service.transactions.meterValuePeriodic(evseId, reading);
    });
    this.#sync(evseId);
  }

  #endedSample(evseId: number): void {
    const reading = this.#service.transactions.reading(evseId);
    this.#guard('TxEnded sample', evseId, () => {
      if (reading) this.#service.transactions.keepSample(evseId, { context: 'Sample.Periodic', reading });
    });
    this.#sync(evseId);
  }

  #clock(at: Date): void {
    const timestamp = at.toISOString();
    const duringIdleOnly = readBool(this.#service, SEND_DURING_IDLE, false);
    const evses = this.#service.transactions.evsesWithReading();
    // J01.FR.20 (libocpp): with SendDuringIdle, nothing while any transaction is open.
    if (duringIdleOnly && this.#anyOpen()) return;
    for (const evseId of evses) {
      const reading = this.#service.transactions.reading(evseId);
      if (!reading) continue;
      if (this.#open(evseId)) {
        this.#guard('clock-aligned TransactionEvent', evseId, () => {
          this.#service.transactions.meterValueClock(evseId, reading, timestamp);
        });
      } else {
        this.#guard('clock-aligned MeterValues', evseId, () => {
          this.#service.transactions.meterValues(evseId, 'Sample.Clock', timestamp);
        });
      }
    }
  }

  #clockEndedSample(at: Date): void {
    for (const evseId of this.#service.transactions.evsesWithReading()) {
      const reading = this.#service.transactions.reading(evseId);
      if (!reading || !this.#open(evseId)) continue;
      this.#guard('clock-aligned TxEnded sample', evseId, () => {
        this.#service.transactions.keepSample(evseId, { context: 'Sample.Clock', reading: { ...reading, timestamp: at.toISOString() } });
      });
    }
  }
}
