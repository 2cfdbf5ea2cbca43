// The transactions room's tables: TxStartPoint / TxStopPoint parsing and evaluation (E01, E06) and their
// reading from a real device model, EVerest's finish reasons to stoppedReason / triggerReason (every one
// schema-valid in an Ended), and powermeter readings as meterValue.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeviceModelRepository } from '../src/device-model/repository.js';
import { DEFAULT_DEVICE_MODEL_DIR, loadComponentDefinitions } from '../src/device-model/config.js';
import { readTransactionSettings } from '../src/ocpp/transactions/settings.js';
import {
  DEFAULT_TX_START_POINTS, DEFAULT_TX_STOP_POINTS, NO_CONDITIONS, parseTxPoints, startPointReached, stopPointReached,
  TX_POINTS,
} from '../src/ocpp/transactions/tx-points.js';
import { finishEffect, toStoppedReason, triggerForStop } from '../src/ocpp/transactions/reasons.js';
import { STOP_TRANSACTION_REASONS } from '../src/ocpp/transactions/session-event.js';
import { STOPPED_REASONS } from '../src/ocpp/transactions/ocpp-types.js';
import { parseMeasurands, toMeterValue } from '../src/ocpp/transactions/meter-value.js';
import { Transactions } from '../src/ocpp/transactions/transactions.js';
import { SqliteTransactionStore } from '../src/ocpp/transactions/sqlite-store.js';
import { captureLogger, tempDb } from './fixtures/ocpp/helpers.js';
import { RFID, validate } from './fixtures/transactions.js';

test('parseTxPoints: MemberList members in order, unknown ones dropped, empty gives the default (libocpp: PowerPathClosed / EVConnected,Authorized)', () => {
  assert.equal(parseTxPoints('EVConnected, Authorized', DEFAULT_TX_STOP_POINTS), ['EVConnected', 'Authorized']);
  assert.equal(parseTxPoints('Bogus,EnergyTransfer,EnergyTransfer', []), ['EnergyTransfer']);
  assert.equal(parseTxPoints('', DEFAULT_TX_START_POINTS), ['PowerPathClosed']);
  assert.equal(parseTxPoints(null, DEFAULT_TX_STOP_POINTS), ['EVConnected', 'Authorized']);
});

test('E01/E06 point evaluation: PowerPathClosed needs both, DataSigned never stops, any listed point is enough', () => {
  const c = { ...NO_CONDITIONS, evConnected: true };
  assert.ok(startPointReached(['EVConnected'], c));
  assert.not.ok(startPointReached(['PowerPathClosed'], c));
  assert.ok(startPointReached(['PowerPathClosed'], { ...c, authorized: true }));
  assert.ok(startPointReached(['Authorized', 'EVConnected'], c));
  assert.not.ok(stopPointReached(['DataSigned'], NO_CONDITIONS));
  assert.ok(stopPointReached(['EVConnected', 'Authorized'], c), 'not authorized');
  assert.ok(stopPointReached(['DataSigned'], { ...NO_CONDITIONS, immediateReset: true }));
  for (const p of TX_POINTS) assert.type(startPointReached([p], NO_CONDITIONS), 'boolean');
});

test('TxCtrlr from a real device model: defaults as seeded; a changed TxStartPoint applies to the next session, not the open one', () => {
  const tmp = tempDb();
  const { log } = captureLogger();
  const { repo } = DeviceModelRepository.open(tmp.path, loadComponentDefinitions(DEFAULT_DEVICE_MODEL_DIR, { evseCount: 2, connectorsPerEvse: 1 }), log);
  try {
    const settings = readTransactionSettings(repo);
    assert.equal(settings.points, { start: ['PowerPathClosed'], stop: ['EVConnected', 'Authorized'] });
    assert.equal(settings.measurands.started, ['Energy.Active.Import.Register']);
    const tx = new Transactions({ store: new SqliteTransactionStore(repo.sqlite), settings: () => readTransactionSettings(repo), now: () => new Date(), log });
    const ev = (evseId: number, kind: 'SessionStarted' | 'TransactionStarted') => ({
      evseId, connectorId: 1, kind, timestamp: new Date().toISOString(), sessionId: `s${evseId}`,
      startReason: 'EVConnected' as const, idTag: RFID,
    });
    assert.equal(tx.onSessionEvent(ev(1, 'SessionStarted'), false), [], 'PowerPathClosed: not yet');
    const c = repo.findComponent({ name: 'TxCtrlr' });
    const v = c && repo.findVariable(c.id, 'TxStartPoint');
    const a = v && repo.attribute(v.id, 'Actual');
    assert.ok(a);
    repo.writeAttribute(a.id, 'EVConnected');
    assert.equal(readTransactionSettings(repo).points.start, ['EVConnected']);
    assert.is(tx.onSessionEvent(ev(2, 'SessionStarted'), false)[0]?.eventType, 'Started', 'the next session starts at EVConnected');
    assert.equal(tx.record(1)?.startPoints, ['PowerPathClosed'], 'the open session keeps the points it opened with');
    assert.is(tx.onSessionEvent(ev(1, 'TransactionStarted'), false)[0]?.eventType, 'Started');
  } finally {
    repo.close();
    tmp.cleanup();
  }
});

test('every EVerest finish reason maps to a 2.0.1 stoppedReason and triggerReason that fit the schema in an Ended', () => {
  for (const reason of STOP_TRANSACTION_REASONS) {
    const stopped = toStoppedReason(reason);
    assert.ok((STOPPED_REASONS as readonly string[]).includes(stopped), reason);
    validate({
      eventType: 'Ended', timestamp: '2025-01-01T12:00:00.000Z', triggerReason: triggerForStop(stopped), seqNo: 1,
      transactionInfo: { transactionId: 't', chargingState: 'Idle', stoppedReason: stopped },
    });
  }
  assert.is(toStoppedReason(undefined), 'Other');
  assert.is(toStoppedReason('HardReset'), 'ImmediateReset');
  assert.is(toStoppedReason('ReqEnergyTransferRejected'), 'Other', 'a 2.1 reason, not in 2.0.1');
  assert.is(triggerForStop('Remote'), 'RemoteStop');
  assert.is(triggerForStop('Local'), 'StopAuthorized');
  assert.is(triggerForStop('EVDisconnected'), 'EVCommunicationLost');
  assert.is(finishEffect('Local'), 'deauthorize');
  assert.is(finishEffect('EVDisconnected'), 'disconnect');
  assert.is(finishEffect('EmergencyStop'), 'none');
});

test('meterValue: Energy.Active.Import.Register always, other measurands only when asked for and present, all schema-valid', () => {
  const reading = {
    timestamp: '2025-01-01T12:00:00.000Z', energyImportWh: 1234.5, energyExportWh: 2,
    powerW: { total: 7000, L1: 2300 }, currentA: { L1: 10, N: 0.1 }, voltageV: { L1: 230 }, frequencyHz: 50,
  };
  const plain = toMeterValue(reading, 'Transaction.Begin');
  assert.equal(plain.sampledValue, [{ value: 1234.5, context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }]);
  const all = toMeterValue(reading, 'Sample.Periodic', parseMeasurands('Power.Active.Import,Current.Import,Voltage,Frequency,Energy.Active.Export.Register,SoC,Nonsense'));
  assert.equal(all.sampledValue.map((s) => `${s.measurand}${s.phase ? `/${s.phase}` : ''}`), [
    'Energy.Active.Import.Register', 'Energy.Active.Export.Register', 'Power.Active.Import', 'Power.Active.Import/L1',
    'Current.Import/L1', 'Current.Import/N', 'Voltage/L1-N', 'Frequency',
  ]);
  validate({
    eventType: 'Updated', timestamp: reading.timestamp, triggerReason: 'MeterValuePeriodic', seqNo: 1,
    transactionInfo: { transactionId: 't' }, meterValue: [plain, all],
  });
});

test.run();
