// The transactions room (src/ocpp/transactions) as the OCPP service runs it: on the device model's SQLite
// connection, with every TransactionEvent it makes appended to the durable outbox inside the same SQLite
// transaction as the session record, so a SIGKILL keeps both or neither and a restart continues the same
// transactionId with the next seqNo (E01, E04). The offline flag is the CSMS link's state when the message is
// made: not connected, or connected but not (yet) Accepted (E04.FR.04, E08, E12).
// Without a CSMS link (csms_url empty, ServiceContext.outbox absent) the sessions are still followed (their
// records are the station's own state), but nothing is queued: the outbox's rule (docs/security.md).
import type { MeterReading, SessionEventInput } from './transactions/session-event.js';
import type { MeterValue, StoppedReason, TransactionEventRequest } from './transactions/ocpp-types.js';
import { toMeterValue } from './transactions/meter-value.js';
import { SqliteTransactionStore } from './transactions/sqlite-store.js';
import { readTransactionSettings } from './transactions/settings.js';
import type { SessionRecord, TxEndedSample } from './transactions/store.js';
import { Transactions, type Deliver } from './transactions/transactions.js';
import type { ServiceContext } from './context.js';

export class TransactionOutbox {
  readonly #ctx: ServiceContext;
  readonly #tx: Transactions;
  readonly #offline: () => boolean;
  readonly #deliver: Deliver;
  /** The EVSEs' latest powermeter readings (in memory: EVerest publishes one about every second). */
  readonly #latest = new Map<number, MeterReading>();

  constructor(ctx: ServiceContext, offline: () => boolean, newTransactionId?: () => string) {
    this.#ctx = ctx;
    this.#offline = offline;
    const log = ctx.log.child({ unit: 'transactions' });
    this.#tx = new Transactions({
      store: new SqliteTransactionStore(ctx.repo.sqlite),
      // Read at each input: a TxCtrlr / SampledDataCtrlr change applies to the next session or sample.
      settings: () => readTransactionSettings(ctx.repo),
      now: ctx.now,
      log,
      ...(newTransactionId ? { newTransactionId } : {}),
    });
    this.#deliver = (requests) => {
      const outbox = ctx.outbox;
      if (!outbox) return;
      for (const r of requests) outbox.append(ctx.repo, 'TransactionEvent', { ...r }, ctx.now().toISOString());
    };
  }

  /** E01-E09: one session event of an EVSE. */
  sessionEvent(ev: SessionEventInput): TransactionEventRequest[] {
    const before = this.#tx.record(ev.evseId);
    return this.#after(this.#tx.onSessionEvent(ev, this.#offline(), this.#deliver), ev.evseId, before);
  }

  /** E01.FR.09 / J02: the Sample.Periodic Updated of an open transaction. */
  meterValuePeriodic(evseId: number, reading: MeterReading): TransactionEventRequest[] {
    return this.#after(this.#tx.onMeterValuePeriodic(evseId, reading, this.#offline(), this.#deliver), evseId);
  }

  /** J01: the MeterValueClock Updated of an open transaction at an aligned instant. */
  meterValueClock(evseId: number, reading: MeterReading, timestamp: string): TransactionEventRequest[] {
    return this.#after(this.#tx.onMeterValueClock(evseId, reading, timestamp, this.#offline(), this.#deliver), evseId);
  }

  /** J02 / E06: a TxEndedInterval sample of the EVSE's open transaction, kept for its Ended (false: none open). */
  keepSample(evseId: number, sample: TxEndedSample): boolean {
    return this.#tx.keepSample(evseId, sample);
  }

  /** F06: TriggerMessage(TransactionEvent): an Updated (trigger Trigger) of the EVSE's open transaction. */
  trigger(evseId: number, reading: MeterReading | undefined = this.#latest.get(evseId)): TransactionEventRequest[] {
    return this.#after(this.#tx.onTrigger(evseId, reading, this.#offline(), this.#deliver), evseId);
  }

  /**
   * J01.FR.14 (clock-aligned, context Sample.Clock, outside a transaction) and F06 (context Trigger): a
   * MeterValuesRequest of the EVSE's latest reading with AlignedDataCtrlr.Measurands, queued in the durable
   * outbox as a non-transactional entry (libocpp's queue: dropped before transaction messages when full).
   * False when the EVSE has no reading or there is no CSMS link.
   */
  meterValues(evseId: number, context: 'Sample.Clock' | 'Trigger', timestamp?: string): boolean {
    const reading = this.#latest.get(evseId);
    const outbox = this.#ctx.outbox;
    if (!reading || !outbox) return false;
    const measurands = readTransactionSettings(this.#ctx.repo).measurands.clock;
    const meterValue: MeterValue = toMeterValue({ ...reading, timestamp: timestamp ?? reading.timestamp }, context, measurands);
    this.#ctx.repo.transaction(() => {
      outbox.append(this.#ctx.repo, 'MeterValues', { evseId, meterValue: [meterValue] }, this.#ctx.now().toISOString());
    });
    this.#ctx.events.emit('outbox');
    return true;
  }

  /** The EVSE's latest powermeter reading (J01, J02, F06 use it). */
  noteReading(evseId: number, reading: MeterReading): void {
    this.#latest.set(evseId, reading);
  }

  reading(evseId: number): MeterReading | undefined {
    return this.#latest.get(evseId);
  }

  /** EVSEs with a reading, in order. */
  evsesWithReading(): number[] {
    return [...this.#latest.keys()].sort((a, b) => a - b);
  }

  /** Ends the EVSE's open transaction whose session the EVSE no longer has. */
  endAbandoned(evseId: number, reason: StoppedReason): TransactionEventRequest[] {
    const before = this.#tx.record(evseId);
    return this.#after(this.#tx.endAbandoned(evseId, reason, this.#offline(), this.#deliver), evseId, before);
  }

  record(evseId: number): SessionRecord | undefined {
    return this.#tx.record(evseId);
  }

  records(): SessionRecord[] {
    return this.#tx.records();
  }

  /**
   * Committed: the CSMS sender may read the new entries now, and each queued message is told (as libocpp's
   * transaction_event_callback after it dispatched the CALL) with the session it belongs to: the record before
   * the input (an Ended of a session that closed or was replaced) or after it.
   */
  #after(requests: TransactionEventRequest[], evseId: number, before?: SessionRecord): TransactionEventRequest[] {
    if (requests.length === 0 || !this.#ctx.outbox) return requests;
    this.#ctx.events.emit('outbox');
    const sessions = new Map<string, string>();
    for (const r of [before, this.#tx.record(evseId)]) if (r) sessions.set(r.transactionId, r.sessionId);
    for (const request of requests) {
      const txId = request.transactionInfo.transactionId;
      this.#ctx.events.emit('transaction_event', { request, sessionId: sessions.get(txId) ?? txId });
    }
    return requests;
  }
}
