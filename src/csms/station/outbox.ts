// The one drain of the service's durable outbox to the CSMS: every kind (SecurityEventNotification,
// TransactionEvent, MeterValues, NotifyChargingLimit, ClearedChargingLimit, FirmwareStatusNotification,
// LogStatusNotification), oldest first, one CALL at a time, and an entry is removed only once the CSMS answered it.
// So what was made offline, or before a restart, is delivered after it, in the order it was made (E04.FR.01:
// transaction messages in order of seqNo), once each (at least once if the process dies between the answer and
// the removal). Like libocpp (message_queue.hpp), nothing goes out before an Accepted BootNotification, and a
// message that cannot be delivered holds back the ones after it.
//
// What a failed CALL does, per kind:
// - not sent / connection lost: kept, sent at the next Accepted boot;
// - SecurityEventNotification, MeterValues (J01, clock-aligned values outside a transaction),
//   NotifyChargingLimit / ClearedChargingLimit (K12, K13), FirmwareStatusNotification and LogStatusNotification
//   (L01, N01); none is transactional in libocpp's queue: a timeout
//   is retried after OCPPCommCtrlr MessageAttemptInterval; a CALLERROR
//   counts as the answer (libocpp drops a message the CSMS refused);
// - TransactionEvent (E04.FR.02, E04.FR.03 ...): a CALLERROR or a timeout is retried after
//   MessageAttemptInterval[TransactionEvent] times the attempts so far (libocpp's growing interval), at most
//   MessageAttempts[TransactionEvent] attempts in all; then it is dropped with an error line.
import type { Logger } from '../../log.js';
import type { OcppService, OutboxEntry, TransactionEventAnswer } from '../../ocpp/service.js';
import type { TransactionEventRequest } from '../../ocpp/transactions/ocpp-types.js';
import type { AuthControl } from '../auth-control.js';
import type { EvseControl } from '../evse-control.js';
import type { IdTokenInfo as OcppIdTokenInfo } from '../../ocpp/auth/ocpp-types.js';
import { toOcppSecurityEvent } from '../mapping.js';
import { classifyFailure, rpcErrorCode, type Failure, type Sender } from '../sender.js';
import type { TimerSlot } from '../timers.js';
import { cvOf, readInt } from '../variables.js';
import { onInvalidId } from './invalid-id.js';

const BATCH = 20;
const MESSAGE_ATTEMPTS = cvOf('OCPPCommCtrlr', 'MessageAttempts', 'TransactionEvent');
const MESSAGE_ATTEMPT_INTERVAL = cvOf('OCPPCommCtrlr', 'MessageAttemptInterval', 'TransactionEvent');

/** idTokenInfo of a TransactionEventResponse (D01/E05: kept for StopTxOnInvalidId). */
export interface IdTokenInfo {
  status: string;
  [key: string]: unknown;
}

export class OutboxSender {
  readonly #service: OcppService;
  readonly #sender: Sender;
  readonly #log: Logger;
  readonly #retry: TimerSlot;
  readonly #evseControl: EvseControl | undefined;
  readonly #authControl: AuthControl | undefined;
  /** Attempts of the entry at the head, by outbox id (in memory: a restart starts the count again). */
  readonly #attempts = new Map<number, number>();
  /** The last idTokenInfo the CSMS gave per transactionId (StopTxOnInvalidId acts on it: invalid-id.ts). */
  readonly idTokenInfo = new Map<string, IdTokenInfo>();
  #running = false;

  constructor(service: OcppService, sender: Sender, log: Logger, retry: TimerSlot, evseControl?: EvseControl, authControl?: AuthControl) {
    this.#service = service;
    this.#evseControl = evseControl;
    this.#authControl = authControl;
    this.#sender = sender;
    this.#log = log;
    this.#retry = retry;
  }

  /**
   * Sends what is queued, unless a run is already going (it reads the outbox again until it is empty) or the
   * head entry waits for its retry (new entries queue behind it); `force` (a new Accepted boot, the retry
   * itself) sends at once.
   */
  kick(force = false): void {
    if (this.#running || !this.#sender.accepted) return;
    if (!force && this.#retry.pending) return;
    this.#running = true;
    this.#retry.clear();
    this.#run().catch((err: unknown) => this.#log.error({ err }, 'outbox delivery failed'))
      .finally(() => { this.#running = false; });
  }

  stop(): void {
    this.#retry.clear();
  }

  /** MessageAttemptInterval[TransactionEvent] in ms, at least one second. */
  #intervalMs(): number {
    return Math.max(1, readInt(this.#service, MESSAGE_ATTEMPT_INTERVAL, 10)) * 1000;
  }

  async #run(): Promise<void> {
    while (this.#sender.accepted) {
      const batch = this.#service.outbox.pending(BATCH);
      if (batch.length === 0) return;
      for (const entry of batch) {
        if (!(await this.#send(entry))) return;
        this.#attempts.delete(entry.id);
        this.#service.outbox.confirm(entry.id);
        if (!this.#sender.accepted) return;
      }
    }
  }

  /** True: answered (or given up on), remove it; false: keep it and stop this run. */
  async #send(entry: OutboxEntry): Promise<boolean> {
    try {
      if (entry.kind === 'SecurityEventNotification') {
        await this.#sender.call('SecurityEventNotification', toOcppSecurityEvent(entry.payload));
      } else if (entry.kind !== 'TransactionEvent') {
        await this.#sender.call(entry.kind, entry.payload);
      } else {
        const res = await this.#sender.call<TransactionEventAnswer | undefined>('TransactionEvent', entry.payload);
        this.#answered(entry, res ?? {});
      }
      return true;
    } catch (err) {
      const failure = classifyFailure(err);
      if (failure === 'offline') {
        this.#log.info({ id: entry.id, kind: entry.kind, failure }, 'outbox entry not delivered yet; kept');
        return false;
      }
      return entry.kind === 'TransactionEvent' ? this.#transactionFailed(entry, failure, err) : this.#normalFailed(entry, failure, err);
    }
  }

  /** Every kind but TransactionEvent: a timeout is retried, a CALLERROR is the answer. */
  #normalFailed(entry: Exclude<OutboxEntry, { kind: 'TransactionEvent' }>, failure: Failure, err: unknown): boolean {
    if (failure === 'timeout') {
      this.#log.info({ id: entry.id, kind: entry.kind, failure }, `${entry.kind} not delivered yet; kept in the outbox`);
      this.#retry.set(this.#intervalMs(), () => this.kick(true));
      return false;
    }
    const what = entry.kind === 'SecurityEventNotification' ? { type: entry.payload.type }
      : entry.kind === 'MeterValues' ? { evseId: entry.payload.evseId } : { status: entry.payload.status, requestId: entry.payload.requestId };
    this.#log.error({ id: entry.id, ...what, code: rpcErrorCode(err), err }, `CSMS refused a ${entry.kind}; dropped from the outbox`);
    return true;
  }

  #transactionFailed(entry: OutboxEntry & { kind: 'TransactionEvent' }, failure: Failure, err: unknown): boolean {
    const attempts = (this.#attempts.get(entry.id) ?? 0) + 1;
    const max = Math.max(1, readInt(this.#service, MESSAGE_ATTEMPTS, 5));
    const what = {
      id: entry.id, eventType: entry.payload.eventType, seqNo: entry.payload.seqNo, failure, code: rpcErrorCode(err),
      attempts, max_attempts: max,
    };
    if (attempts >= max) {
      this.#attempts.delete(entry.id);
      this.#log.error({ ...what, err }, 'TransactionEvent not accepted after MessageAttempts tries; dropped from the outbox');
      return true;
    }
    this.#attempts.set(entry.id, attempts);
    const wait = this.#intervalMs() * attempts;
    this.#log.warn({ ...what, retry_ms: wait }, 'TransactionEvent not accepted by the CSMS; retried after MessageAttemptInterval');
    this.#retry.set(wait, () => this.kick(true));
    return false;
  }

  /** Kept, told to the bus side (libocpp's transaction_event_response_callback), and an invalid token acted on. */
  #answered(entry: OutboxEntry & { kind: 'TransactionEvent' }, res: TransactionEventAnswer): void {
    this.#remember(entry, res);
    const request = entry.payload as unknown as TransactionEventRequest;
    try {
      this.#service.transactionEventAnswered({ request, response: res });
      this.#cacheIdTokenInfo(request, res);
      onInvalidId(this.#service, { evse: this.#evseControl, auth: this.#authControl }, this.#log, request, res);
    } catch (err) {
      this.#log.error({ err, seqNo: request.seqNo }, 'could not act on the answer to a TransactionEvent');
    }
  }

  /**
   * C10.FR.05: the idTokenInfo of the answer updates the authorization cache, as libocpp's TransactionBlock
   * does: not for an answer to Ended (libocpp returns before), not for a Central token (C03/C05: central
   * information is never cached); the room checks AuthCtrlr / AuthCacheCtrlr Enabled.
   */
  #cacheIdTokenInfo(request: TransactionEventRequest, res: TransactionEventAnswer): void {
    const info = res.idTokenInfo;
    const token = request.idToken;
    if (info === undefined || token === undefined || request.eventType === 'Ended' || token.type === 'Central') return;
    this.#service.auth.cacheIdTokenInfo(token, info as unknown as OcppIdTokenInfo);
  }

  #remember(entry: OutboxEntry & { kind: 'TransactionEvent' }, res: TransactionEventAnswer): void {
    const info = res.idTokenInfo;
    const txInfo = entry.payload.transactionInfo as { transactionId?: string } | undefined;
    const txId = txInfo?.transactionId;
    if (!info || txId === undefined) return;
    this.idTokenInfo.set(txId, info);
    if (entry.payload.eventType === 'Ended') this.idTokenInfo.delete(txId);
    // The status only: the token itself is personal data.
    this.#log.debug({ transactionId: txId, status: info.status }, 'idTokenInfo of a TransactionEvent answer');
  }
}
