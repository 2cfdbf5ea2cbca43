// The transactions room (src/ocpp/transactions) as the OCPP service runs it: on the device model's SQLite
// connection, with every TransactionEvent it makes appended to the durable outbox inside the same SQLite
// transaction as the session record, so a SIGKILL keeps both or neither and a restart continues the same
// transactionId with the next seqNo (E01, E04). The offline flag is the CSMS link's state when the message is
// made: not connected, or connected but not (yet) Accepted (E04.FR.04, E08, E12).
// Without a CSMS link (csms_url empty, ServiceContext.outbox absent) the sessions are still followed (their
// records are the station's own state), but nothing is queued: the outbox's rule (docs/security.md).
import type { MeterReading, SessionEventInput } from './transactions/session-event.js';
import type { StoppedReason, TransactionEventRequest } from './transactions/ocpp-types.js';
import { SqliteTransactionStore } from './transactions/sqlite-store.js';
import { readTransactionSettings } from './transactions/settings.js';
import type { SessionRecord } from './transactions/store.js';
import { Transactions, type Deliver } from './transactions/transactions.js';
import type { ServiceContext } from './context.js';

export class TransactionOutbox {
  readonly #ctx: ServiceContext;
  readonly #tx: Transactions;
  readonly #offline: () => boolean;
  readonly #deliver: Deliver;

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

  /** F06: TriggerMessage(TransactionEvent). */
  trigger(evseId: number, reading: MeterReading | undefined): TransactionEventRequest[] {
    return this.#after(this.#tx.onTrigger(evseId, reading, this.#offline(), this.#deliver), evseId);
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
