// The transactions store on a real SQLite file: the migration, a record round trip, restarts between events
// (close and reopen) that continue the same transaction with the next seqNo for every start/stop point
// combination, and SIGKILL of a real process in the middle of a transaction.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/device-model/db.js';
import { SqliteTransactionStore } from '../src/ocpp/transactions/sqlite-store.js';
import { Transactions } from '../src/ocpp/transactions/transactions.js';
import type { SessionRecord } from '../src/ocpp/transactions/store.js';
import type { TransactionEventRequest } from '../src/ocpp/transactions/ocpp-types.js';
import type { SessionEventInput } from '../src/ocpp/transactions/session-event.js';
import type { TxPoint } from '../src/ocpp/transactions/tx-points.js';
import { RFID, TxBench, assertContiguous, validate } from './fixtures/transactions.js';
import { captureLogger, tempDb } from './fixtures/ocpp/helpers.js';

const FULL: SessionRecord = {
  evseId: 2, connectorId: 1, sessionId: 's', transactionId: 't-1', seqNoNext: 7, started: true, ended: false,
  startPoints: ['EVConnected', 'Authorized'], stopPoints: ['EnergyTransfer'],
  conditions: { evConnected: true, authorized: true, parkingBayOccupied: false, energyTransfer: true, dataSigned: false, immediateReset: false },
  chargingState: 'Charging', idToken: { idToken: 'AB', type: 'ISO14443' }, groupIdToken: { idToken: 'G', type: 'Central' },
  idTokenSent: true, remoteStartId: 3, reservationId: 4, stoppedReason: 'Local',
  sessionStartedAt: '2025-01-01T12:00:00.000Z', startedAt: '2025-01-01T12:00:01.000Z', endedAt: '2025-01-01T12:00:09.000Z',
  updatedAt: '2025-01-01T12:00:09.000Z',
};

test('migration 2 adds the transactions table; a record round-trips every field, by EVSE and by transactionId', () => {
  const tmp = tempDb();
  try {
    const { db } = openDatabase(tmp.path);
    const store = new SqliteTransactionStore(db);
    store.put(FULL);
    store.put({ ...FULL, evseId: 1, transactionId: 't-0', idToken: undefined, groupIdToken: undefined, remoteStartId: undefined,
      reservationId: undefined, stoppedReason: undefined, startedAt: undefined, endedAt: undefined });
    db.close();
    const again = new SqliteTransactionStore(openDatabase(tmp.path).db);
    assert.equal(again.get(2), FULL);
    assert.equal(again.byTransactionId('t-1'), FULL);
    const minimal = again.get(1);
    assert.ok(minimal);
    for (const k of ['idToken', 'groupIdToken', 'remoteStartId', 'reservationId', 'stoppedReason', 'startedAt', 'endedAt'] as const) {
      assert.not.ok(k in minimal, `${k} absent, not undefined-valued`);
    }
    assert.equal(again.all().map((r) => r.evseId), [1, 2]);
    again.delete(2);
    assert.is(again.get(2), undefined);
  } finally {
    tmp.cleanup();
  }
});

type Script = Array<[SessionEventInput['kind'], Partial<SessionEventInput>] | 'periodic'>;

const SESSION: Script = [
  ['SessionStarted', { startReason: 'EVConnected' }],
  ['TransactionStarted', { idTag: RFID }],
  ['ChargingStarted', {}],
  'periodic',
  ['ChargingPausedEV', {}],
  ['ChargingStarted', {}],
  'periodic',
  ['ChargingPausedEVSE', {}],
  ['TransactionFinished', { stopReason: 'Local', idTag: RFID }],
  ['SessionFinished', {}],
];

function play(points: { start: TxPoint[]; stop: TxPoint[] }, restartEvery: boolean): TransactionEventRequest[] {
  const b = new TxBench(points);
  try {
    for (const step of SESSION) {
      if (step === 'periodic') b.periodic();
      else b.feed(step[0], step[1]);
      if (restartEvery) {
        b.close();
        b.open();
      }
    }
    assert.is(b.tx.record(1), undefined, 'closed at the end');
    return b.sent;
  } finally {
    b.cleanup();
  }
}

test('restart (close and reopen the store) after every event, for every start/stop point combination: the same messages as without restarts, seqNo contiguous, one Ended', () => {
  const starts: TxPoint[][] = [['EVConnected'], ['Authorized'], ['PowerPathClosed'], ['EnergyTransfer'], ['DataSigned'], ['EVConnected', 'Authorized']];
  const stops: TxPoint[][] = [['EVConnected'], ['Authorized'], ['EVConnected', 'Authorized'], ['PowerPathClosed'], ['EnergyTransfer']];
  let sessionsWithTransaction = 0;
  for (const start of starts) {
    for (const stop of stops) {
      const label = `start ${start.join(',')} stop ${stop.join(',')}`;
      const straight = play({ start, stop }, false);
      const restarted = play({ start, stop }, true);
      assert.equal(restarted, straight, label);
      assertContiguous(restarted);
      const started = restarted.filter((r) => r.eventType === 'Started').length;
      const ended = restarted.filter((r) => r.eventType === 'Ended').length;
      assert.is(ended, started, `${label}: each Started has one Ended`);
      assert.ok(started <= 1, `${label}: one transaction per session`);
      sessionsWithTransaction += started;
    }
  }
  // DataSigned is never reached without signed start data; all the others start.
  assert.is(sessionsWithTransaction, (starts.length - 1) * stops.length);
});

test('SIGKILL of a process in the middle of a transaction: after reopening, the same transaction continues with the next seqNo and nothing made was lost', async () => {
  const tmp = tempDb();
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/transactions-child.ts', import.meta.url)), tmp.path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let lastMade = -1;
    for await (const line of createInterface({ input: child.stdout })) {
      const m = /^made (-?\d+)$/.exec(line);
      if (!m) continue;
      lastMade = Number(m[1]);
      if (lastMade >= 20) {
        child.kill('SIGKILL');
        break;
      }
    }
    assert.is(await exited, 'SIGKILL', stderr);
    assert.ok(lastMade >= 20, stderr);

    const { db } = openDatabase(tmp.path);
    try {
      const store = new SqliteTransactionStore(db);
      const rec = store.get(1);
      assert.ok(rec, 'the open transaction survived');
      assert.ok(rec.seqNoNext > lastMade, `seqNoNext ${rec.seqNoNext} after the last made ${lastMade}`);
      // The requests were kept in the same storage transaction as the record: exactly seqNo 0 .. seqNoNext-1.
      const kept = (db.prepare('SELECT payload FROM test_sent ORDER BY rowid').all() as Array<{ payload: string }>)
        .map((r) => JSON.parse(r.payload) as TransactionEventRequest);
      assert.equal(kept.map((r) => r.seqNo), Array.from({ length: rec.seqNoNext }, (_, i) => i));
      assert.is(kept[0]?.eventType, 'Started');
      assertContiguous(kept);

      const tx = new Transactions({
        store, settings: () => ({ points: { start: ['PowerPathClosed'], stop: ['EVConnected', 'Authorized'] }, measurands: {} }),
        now: () => new Date(), log: captureLogger().log,
      });
      const [ended] = tx.onSessionEvent({
        evseId: 1, connectorId: 1, sessionId: 'killed-session', kind: 'TransactionFinished', timestamp: new Date().toISOString(),
        stopReason: 'EVDisconnected',
      }, false);
      assert.ok(ended);
      validate(ended);
      assert.is(ended.eventType, 'Ended');
      assert.is(ended.seqNo, rec.seqNoNext);
      assert.is(ended.transactionInfo.transactionId, kept[0]?.transactionInfo.transactionId);
    } finally {
      db.close();
    }
  } finally {
    tmp.cleanup();
  }
});

test.run();
