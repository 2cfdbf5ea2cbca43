// The transactions room's entry: runs the machine (transaction-events.ts) on the EVSE's stored record and
// keeps the new record, all in one storage transaction together with the caller's delivery of the requests
// (the durable outbox, on the same SQLite connection), so a SIGKILL at any point either keeps both or
// neither: after a restart the same transaction continues with the next seqNo.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { StoppedReason, TransactionEventRequest } from './ocpp-types.js';
import type { MeterReading, SessionEventInput } from './session-event.js';
import type { TransactionSettings } from './settings.js';
import type { SessionRecord, TransactionStore, TxEndedSample } from './store.js';
import {
  endAbandoned, onMeterValueClock, onMeterValuePeriodic, onSessionEvent, onTrigger, type MachineContext, type Step,
} from './transaction-events.js';

/** Receives the requests of one input inside the storage transaction (append them to the outbox there). */
export type Deliver = (requests: TransactionEventRequest[]) => void;

export interface TransactionsOptions {
  store: TransactionStore;
  /** Read at each input (TxCtrlr, SampledDataCtrlr). */
  settings: () => TransactionSettings;
  now: () => Date;
  log: Logger;
  newTransactionId?: () => string;
}

export class Transactions {
  readonly #store: TransactionStore;
  readonly #settings: () => TransactionSettings;
  readonly #now: () => Date;
  readonly #log: Logger;
  readonly #newTransactionId: () => string;

  constructor(opts: TransactionsOptions) {
    this.#store = opts.store;
    this.#settings = opts.settings;
    this.#now = opts.now;
    this.#log = opts.log;
    this.#newTransactionId = opts.newTransactionId ?? randomUUID;
  }

  onSessionEvent(ev: SessionEventInput, offline: boolean, deliver?: Deliver): TransactionEventRequest[] {
    return this.#apply(ev.evseId, offline, deliver, (stored, ctx) => onSessionEvent(stored, ev, ctx), ev.kind);
  }

  onMeterValuePeriodic(evseId: number, reading: MeterReading, offline: boolean, deliver?: Deliver): TransactionEventRequest[] {
    return this.#apply(evseId, offline, deliver, (stored, ctx) => onMeterValuePeriodic(stored, reading, ctx), 'periodic');
  }

  /** J01: the MeterValueClock Updated of an open transaction, stamped with the aligned instant. */
  onMeterValueClock(evseId: number, reading: MeterReading, timestamp: string, offline: boolean, deliver?: Deliver): TransactionEventRequest[] {
    return this.#apply(evseId, offline, deliver, (stored, ctx) => onMeterValueClock(stored, reading, timestamp, ctx), 'clock');
  }

  /**
   * J02 / E06: keeps a reading of the EVSE's open transaction for its Ended (TxEndedInterval samples); false
   * when there is no open transaction.
   */
  keepSample(evseId: number, sample: TxEndedSample): boolean {
    return this.#store.atomically(() => {
      const r = this.#store.get(evseId);
      if (!r?.started || r.ended) return false;
      this.#store.addSample(r.transactionId, sample);
      return true;
    });
  }

  onTrigger(evseId: number, reading: MeterReading | undefined, offline: boolean, deliver?: Deliver): TransactionEventRequest[] {
    return this.#apply(evseId, offline, deliver, (stored, ctx) => onTrigger(stored, reading, ctx), 'trigger');
  }

  /** Ends the EVSE's open transaction whose session the EVSE no longer has (after a restart). */
  endAbandoned(evseId: number, reason: StoppedReason, offline: boolean, deliver?: Deliver): TransactionEventRequest[] {
    return this.#apply(evseId, offline, deliver, (stored, ctx) =>
      (stored ? endAbandoned(stored, reason, ctx.now.toISOString(), ctx) : { record: undefined, requests: [] }),
    'abandoned');
  }

  /** The EVSE's open session, if any. */
  record(evseId: number): SessionRecord | undefined {
    return this.#store.get(evseId);
  }

  /** Every open session (GetTransactionStatus, restart reconciliation). */
  records(): SessionRecord[] {
    return this.#store.all();
  }

  #apply(
    evseId: number, offline: boolean, deliver: Deliver | undefined,
    run: (stored: SessionRecord | undefined, ctx: MachineContext) => Step, what: string,
  ): TransactionEventRequest[] {
    const settings = this.#settings();
    const ctx: MachineContext = {
      now: this.#now(), offline, points: settings.points, measurands: settings.measurands,
      newTransactionId: this.#newTransactionId,
    };
    return this.#store.atomically(() => {
      const stored = this.#store.get(evseId);
      if (stored?.started) ctx.kept = { transactionId: stored.transactionId, samples: this.#store.samples(stored.transactionId) };
      const step = run(stored, ctx);
      if (step.record) this.#store.put(step.record);
      else if (stored) this.#store.delete(evseId);
      for (const s of step.samples ?? []) if (step.record) this.#store.addSample(step.record.transactionId, s);
      // The samples of a transaction are done with once its Ended is made (or its record is gone).
      for (const r of step.requests) if (r.eventType === 'Ended') this.#store.deleteSamples(r.transactionInfo.transactionId);
      if (stored && step.record?.transactionId !== stored.transactionId) this.#store.deleteSamples(stored.transactionId);
      if (step.ignored !== undefined) this.#log.debug({ evseId, input: what, why: step.ignored }, 'transaction input made nothing');
      if (step.requests.length > 0) deliver?.(step.requests);
      return step.requests;
    });
  }
}
