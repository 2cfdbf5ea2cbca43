// The storage of open sessions, one per EVSE, behind a small interface (sqlite-store.ts keeps it in the device
// model file). A record lives from the session's first event to its end: the OCPP transaction it maps to,
// the next seqNo and what the start/stop evaluation needs, so a restart continues the same transaction.
import type { ChargingState, OcppIdToken, ReadingContext, StoppedReason } from './ocpp-types.js';
import type { MeterReading } from './session-event.js';
import type { TxConditions, TxPoint } from './tx-points.js';

export interface SessionRecord {
  evseId: number;
  connectorId: number;
  /** EVerest's session uuid. */
  sessionId: string;
  /** The OCPP transactionId: a UUID made once, when the session opens (sent only once a start point is reached). */
  transactionId: string;
  /** seqNo of the next TransactionEvent of this transaction (contiguous from 0 per transaction, E01). */
  seqNoNext: number;
  /** TransactionEvent(Started) made. */
  started: boolean;
  /** TransactionEvent(Ended) made: nothing more is made for this transaction. */
  ended: boolean;
  /** TxStartPoint / TxStopPoint in force when the session opened. */
  startPoints: TxPoint[];
  stopPoints: TxPoint[];
  conditions: TxConditions;
  /** The chargingState last sent (or to send in Started). */
  chargingState: ChargingState;
  idToken?: OcppIdToken;
  groupIdToken?: OcppIdToken;
  /** idToken has been in a TransactionEvent of this transaction. */
  idTokenSent: boolean;
  remoteStartId?: number;
  reservationId?: number;
  /** The reason recorded by the EVSE's finish, for an Ended that comes later. */
  stoppedReason?: StoppedReason;
  sessionStartedAt: string;
  startedAt?: string;
  endedAt?: string;
  updatedAt: string;
}

/**
 * A reading kept for the transaction's Ended (J02, E06: SampledDataCtrlr / AlignedDataCtrlr TxEnded*), with the
 * context it was taken in; filtered by the TxEnded measurands only when the Ended is made, as libocpp does.
 */
export interface TxEndedSample {
  context: Extract<ReadingContext, 'Transaction.Begin' | 'Sample.Periodic' | 'Sample.Clock'>;
  reading: MeterReading;
}

export interface TransactionStore {
  get(evseId: number): SessionRecord | undefined;
  byTransactionId(transactionId: string): SessionRecord | undefined;
  /** Every open record, by EVSE. */
  all(): SessionRecord[];
  /** Inserts or replaces the EVSE's record; durable once it (or the enclosing atomically) returns. */
  put(record: SessionRecord): void;
  delete(evseId: number): void;
  addSample(transactionId: string, sample: TxEndedSample): void;
  /** The transaction's samples, oldest first. */
  samples(transactionId: string): TxEndedSample[];
  deleteSamples(transactionId: string): void;
  /** Runs fn as one storage transaction, so a record and the messages it made are kept together or not at all. */
  atomically<T>(fn: () => T): T;
}
