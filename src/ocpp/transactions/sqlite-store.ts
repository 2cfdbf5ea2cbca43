// TransactionStore on the device model's SQLite connection (table transactions, migration 2 of
// src/device-model/db.ts). Sharing the connection gives the device model's sync mode (full: fsync per commit)
// and lets the caller write a record and its outbox entries in one SQLite transaction.
import { transactionRunner, type Db, type InTransaction } from '../../device-model/db.js';
import type { ChargingState, OcppIdToken, StoppedReason } from './ocpp-types.js';
import type { SessionRecord, TransactionStore, TxEndedSample } from './store.js';
import { NO_CONDITIONS, parseTxPoints, type TxConditions } from './tx-points.js';

interface Row {
  evse_id: number;
  connector_id: number;
  session_id: string;
  transaction_id: string;
  seq_no_next: number;
  started: number;
  ended: number;
  start_points: string;
  stop_points: string;
  conditions: string;
  charging_state: string;
  id_token: string | null;
  group_id_token: string | null;
  id_token_sent: number;
  remote_start_id: number | null;
  reservation_id: number | null;
  stopped_reason: string | null;
  session_started_at: string;
  started_at: string | null;
  ended_at: string | null;
  updated_at: string;
}

const COLUMNS = `evse_id, connector_id, session_id, transaction_id, seq_no_next, started, ended, start_points,
  stop_points, conditions, charging_state, id_token, group_id_token, id_token_sent, remote_start_id, reservation_id,
  stopped_reason, session_started_at, started_at, ended_at, updated_at`;

function toRecord(r: Row): SessionRecord {
  const rec: SessionRecord = {
    evseId: r.evse_id,
    connectorId: r.connector_id,
    sessionId: r.session_id,
    transactionId: r.transaction_id,
    seqNoNext: r.seq_no_next,
    started: r.started === 1,
    ended: r.ended === 1,
    // Stored as written; an empty list cannot be stored, so no fallback is ever taken here.
    startPoints: parseTxPoints(r.start_points, []),
    stopPoints: parseTxPoints(r.stop_points, []),
    conditions: { ...NO_CONDITIONS, ...(JSON.parse(r.conditions) as Partial<TxConditions>) },
    chargingState: r.charging_state as ChargingState,
    idTokenSent: r.id_token_sent === 1,
    sessionStartedAt: r.session_started_at,
    updatedAt: r.updated_at,
  };
  if (r.id_token !== null) rec.idToken = JSON.parse(r.id_token) as OcppIdToken;
  if (r.group_id_token !== null) rec.groupIdToken = JSON.parse(r.group_id_token) as OcppIdToken;
  if (r.remote_start_id !== null) rec.remoteStartId = r.remote_start_id;
  if (r.reservation_id !== null) rec.reservationId = r.reservation_id;
  if (r.stopped_reason !== null) rec.stoppedReason = r.stopped_reason as StoppedReason;
  if (r.started_at !== null) rec.startedAt = r.started_at;
  if (r.ended_at !== null) rec.endedAt = r.ended_at;
  return rec;
}

export class SqliteTransactionStore implements TransactionStore {
  readonly #inTransaction: InTransaction;
  readonly #get;
  readonly #byTx;
  readonly #all;
  readonly #put;
  readonly #delete;
  readonly #addSample;
  readonly #samples;
  readonly #deleteSamples;

  constructor(db: Db) {
    this.#inTransaction = transactionRunner(db);
    this.#get = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM transactions WHERE evse_id = ?`);
    this.#byTx = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM transactions WHERE transaction_id = ?`);
    this.#all = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM transactions ORDER BY evse_id`);
    this.#put = db.prepare<Row>(`INSERT OR REPLACE INTO transactions (${COLUMNS}) VALUES (@evse_id, @connector_id,
      @session_id, @transaction_id, @seq_no_next, @started, @ended, @start_points, @stop_points, @conditions,
      @charging_state, @id_token, @group_id_token, @id_token_sent, @remote_start_id, @reservation_id, @stopped_reason,
      @session_started_at, @started_at, @ended_at, @updated_at)`);
    this.#delete = db.prepare<[number]>('DELETE FROM transactions WHERE evse_id = ?');
    // Table tx_meter_values: migration 9.
    this.#addSample = db.prepare<[string, string]>('INSERT INTO tx_meter_values (transaction_id, sample) VALUES (?, ?)');
    this.#samples = db.prepare<[string], { sample: string }>('SELECT sample FROM tx_meter_values WHERE transaction_id = ? ORDER BY id');
    this.#deleteSamples = db.prepare<[string]>('DELETE FROM tx_meter_values WHERE transaction_id = ?');
  }

  get(evseId: number): SessionRecord | undefined {
    const r = this.#get.get(evseId);
    return r ? toRecord(r) : undefined;
  }

  byTransactionId(transactionId: string): SessionRecord | undefined {
    const r = this.#byTx.get(transactionId);
    return r ? toRecord(r) : undefined;
  }

  all(): SessionRecord[] {
    return this.#all.all().map(toRecord);
  }

  put(rec: SessionRecord): void {
    this.#put.run({
      evse_id: rec.evseId,
      connector_id: rec.connectorId,
      session_id: rec.sessionId,
      transaction_id: rec.transactionId,
      seq_no_next: rec.seqNoNext,
      started: rec.started ? 1 : 0,
      ended: rec.ended ? 1 : 0,
      start_points: rec.startPoints.join(','),
      stop_points: rec.stopPoints.join(','),
      conditions: JSON.stringify(rec.conditions),
      charging_state: rec.chargingState,
      id_token: rec.idToken ? JSON.stringify(rec.idToken) : null,
      group_id_token: rec.groupIdToken ? JSON.stringify(rec.groupIdToken) : null,
      id_token_sent: rec.idTokenSent ? 1 : 0,
      remote_start_id: rec.remoteStartId ?? null,
      reservation_id: rec.reservationId ?? null,
      stopped_reason: rec.stoppedReason ?? null,
      session_started_at: rec.sessionStartedAt,
      started_at: rec.startedAt ?? null,
      ended_at: rec.endedAt ?? null,
      updated_at: rec.updatedAt,
    });
  }

  delete(evseId: number): void {
    this.#delete.run(evseId);
  }

  addSample(transactionId: string, sample: TxEndedSample): void {
    this.#addSample.run(transactionId, JSON.stringify(sample));
  }

  samples(transactionId: string): TxEndedSample[] {
    // Written by addSample only.
    return this.#samples.all(transactionId).map((r) => JSON.parse(r.sample) as TxEndedSample);
  }

  deleteSamples(transactionId: string): void {
    this.#deleteSamples.run(transactionId);
  }

  atomically<T>(fn: () => T): T {
    // Nested in a caller's transaction (the device model's transaction()) this becomes a savepoint.
    return this.#inTransaction(fn);
  }
}
