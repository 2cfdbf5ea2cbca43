// Whole sessions through the transactions room on a real SQLite file: TxStartPoint / TxStopPoint combinations
// (E01, E06), cable first (E02) and identification first (E03), local stop (E07), cable unplugged (E09),
// chargingState transitions, offline flags (E04/E08/E12), Ended exactly once. Every request is checked
// against the OCPP 2.0.1 schema and every transaction's seqNo against 0, 1, 2 ...
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RFID, TxBench, assertContiguous, shape } from './fixtures/transactions.js';

let b: TxBench;
test.after.each(() => {
  b.cleanup();
});

test('E01/E02 default points (PowerPathClosed; EVConnected,Authorized), cable first: Started at authorization, Updated per chargingState, Ended at unplug, seqNo 0..n', () => {
  b = new TxBench();
  assert.equal(b.feed('SessionStarted', { startReason: 'EVConnected' }), [], 'no transaction before the power path closes');
  const [started] = b.feed('TransactionStarted', { idTag: RFID });
  assert.ok(started);
  assert.is(started.eventType, 'Started');
  assert.is(started.triggerReason, 'Authorized');
  assert.is(started.seqNo, 0);
  assert.equal(started.evse, { id: 1, connectorId: 1 });
  assert.equal(started.idToken, { idToken: 'DEADBEEF', type: 'ISO14443' });
  assert.is(started.transactionInfo.chargingState, 'EVConnected');
  assert.is(started.meterValue?.[0]?.sampledValue[0]?.context, 'Transaction.Begin');
  assert.is(started.meterValue?.[0]?.sampledValue[0]?.measurand, 'Energy.Active.Import.Register');
  b.feed('ChargingStarted');
  b.periodic();
  b.feed('ChargingPausedEV');
  b.feed('ChargingStarted');
  b.feed('ChargingPausedEVSE');
  b.feed('ChargingStarted');
  b.feed('TransactionFinished', { stopReason: 'EVDisconnected' });
  assert.equal(b.feed('SessionFinished'), [], 'already ended');
  assert.equal(shape(b.sent), [
    'Started Authorized EVConnected',
    'Updated ChargingStateChanged Charging',
    'Updated MeterValuePeriodic Charging',
    'Updated ChargingStateChanged SuspendedEV',
    'Updated ChargingStateChanged Charging',
    'Updated ChargingStateChanged SuspendedEVSE',
    'Updated ChargingStateChanged Charging',
    'Ended EVCommunicationLost Idle EVDisconnected',
  ]);
  assertContiguous(b.sent);
  assert.is(new Set(b.sent.map((r) => r.transactionInfo.transactionId)).size, 1, 'one transactionId per session');
  const ended = b.sent[b.sent.length - 1];
  // libocpp keeps the start reading with the transaction's samples: the Ended carries it before its End (J02).
  assert.equal(ended?.meterValue?.map((m) => m.sampledValue[0]?.context), ['Transaction.Begin', 'Transaction.End']);
  assert.is(ended?.evse, undefined, 'the EVSE is named in Started only (libocpp)');
  assert.is(b.tx.record(1), undefined, 'the session is closed');
});

test('E03 identification first, default points: Started at plug-in with CablePluggedIn and the token', () => {
  b = new TxBench();
  assert.equal(b.feed('SessionStarted', { startReason: 'Authorized', idTag: RFID }), []);
  const [started] = b.feed('TransactionStarted', { idTag: RFID });
  assert.is(started?.triggerReason, 'CablePluggedIn');
  assert.is(started?.transactionInfo.chargingState, 'EVConnected');
  assert.equal(started?.idToken, { idToken: 'DEADBEEF', type: 'ISO14443' });
  b.feed('TransactionFinished', { stopReason: 'Local', idTag: RFID });
  assert.equal(shape(b.sent), ['Started CablePluggedIn EVConnected', 'Ended StopAuthorized EVConnected Local']);
  assertContiguous(b.sent);
});

test('E01 TxStartPoint EVConnected, cable first: Started at plug-in without a token, then Updated Authorized with the idToken (E02)', () => {
  b = new TxBench({ start: ['EVConnected'] });
  const [started] = b.feed('SessionStarted', { startReason: 'EVConnected' });
  assert.is(started?.eventType, 'Started');
  assert.is(started?.triggerReason, 'CablePluggedIn');
  assert.is(started?.idToken, undefined);
  const [updated] = b.feed('TransactionStarted', { idTag: RFID });
  assert.is(updated?.eventType, 'Updated');
  assert.is(updated?.triggerReason, 'Authorized');
  assert.equal(updated?.idToken, { idToken: 'DEADBEEF', type: 'ISO14443' });
  b.feed('ChargingStarted');
  assert.equal(b.feed('TransactionStarted', { idTag: RFID }), [], 'the token is sent once');
  b.feed('TransactionFinished', { stopReason: 'EVDisconnected' });
  assert.equal(shape(b.sent), [
    'Started CablePluggedIn EVConnected', 'Updated Authorized EVConnected', 'Updated ChargingStateChanged Charging',
    'Ended EVCommunicationLost Idle EVDisconnected',
  ]);
  assertContiguous(b.sent);
});

test('E01 TxStartPoint Authorized, identification first: Started at authorization (Idle), Updated CablePluggedIn at plug-in', () => {
  b = new TxBench({ start: ['Authorized'] });
  const [started] = b.feed('SessionStarted', { startReason: 'Authorized', idTag: RFID });
  assert.is(started?.triggerReason, 'Authorized');
  assert.is(started?.transactionInfo.chargingState, 'Idle');
  assert.ok(started?.idToken);
  const [plugged] = b.feed('TransactionStarted', { idTag: RFID });
  assert.is(plugged?.triggerReason, 'CablePluggedIn');
  assert.is(plugged?.transactionInfo.chargingState, 'EVConnected');
  assert.is(plugged?.idToken, undefined, 'already sent in Started');
  b.feed('SessionFinished');
  assert.equal(shape(b.sent), [
    'Started Authorized Idle', 'Updated CablePluggedIn EVConnected', 'Ended EVCommunicationLost Idle EVDisconnected',
  ]);
  assertContiguous(b.sent);
});

test('E03 TxStartPoint Authorized: no EV within the timeout (Deauthorized before any plug-in) ends with EVConnectTimeout / Timeout', () => {
  b = new TxBench({ start: ['Authorized'] });
  b.feed('SessionStarted', { startReason: 'Authorized', idTag: RFID });
  b.feed('Deauthorized');
  assert.equal(shape(b.sent), ['Started Authorized Idle', 'Ended EVConnectTimeout Idle Timeout']);
});

test('E01 TxStartPoint EnergyTransfer: Started when energy flows (ChargingStateChanged, Charging)', () => {
  b = new TxBench({ start: ['EnergyTransfer'] });
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  assert.equal(b.feed('TransactionStarted', { idTag: RFID }), []);
  const [started] = b.feed('ChargingStarted');
  assert.is(started?.eventType, 'Started');
  assert.is(started?.triggerReason, 'ChargingStateChanged');
  assert.is(started?.transactionInfo.chargingState, 'Charging');
  assert.ok(started?.idToken, 'the token known before the start goes in Started');
  b.feed('TransactionFinished', { stopReason: 'Local', idTag: RFID });
  assert.equal(shape(b.sent), ['Started ChargingStateChanged Charging', 'Ended StopAuthorized EVConnected Local']);
});

test('E01 TxStartPoint DataSigned: Started when the EVSE reports signed start data', () => {
  b = new TxBench({ start: ['DataSigned'] });
  assert.equal(b.feed('SessionStarted', { startReason: 'EVConnected' }), []);
  const [started] = b.feed('TransactionStarted', { idTag: RFID, signedStart: true });
  assert.is(started?.eventType, 'Started');
});

test('E01 TxStartPoint ParkingBayOccupancy alone never starts (EVerest reports no parking bay)', () => {
  b = new TxBench({ start: ['ParkingBayOccupancy'] });
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.feed('ChargingStarted');
  b.feed('TransactionFinished', { stopReason: 'EVDisconnected' });
  b.feed('SessionFinished');
  assert.equal(b.sent, []);
  assert.is(b.tx.record(1), undefined);
});

test('E06 TxStopPoint EnergyTransfer: the EV pausing ends the transaction with StoppedByEV', () => {
  b = new TxBench({ stop: ['EnergyTransfer'] });
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.feed('ChargingStarted');
  b.feed('ChargingPausedEV');
  b.feed('ChargingStarted');
  b.feed('TransactionFinished', { stopReason: 'EVDisconnected' });
  assert.equal(shape(b.sent), [
    'Started Authorized EVConnected', 'Updated ChargingStateChanged Charging',
    'Ended ChargingStateChanged SuspendedEV StoppedByEV',
  ]);
  assertContiguous(b.sent);
});

test('E06 TxStopPoint EVConnected, E07 local stop: Updated StopAuthorized at the swipe, Ended only at unplug', () => {
  b = new TxBench({ stop: ['EVConnected'] });
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.feed('ChargingStarted');
  const [swipe] = b.feed('TransactionFinished', { stopReason: 'Local', idTag: RFID });
  assert.is(swipe?.eventType, 'Updated');
  b.feed('SessionFinished');
  assert.equal(shape(b.sent), [
    'Started Authorized EVConnected', 'Updated ChargingStateChanged Charging', 'Updated StopAuthorized EVConnected',
    'Ended EVCommunicationLost Idle EVDisconnected',
  ]);
  assertContiguous(b.sent);
});

test('E06 TxStopPoint Authorized: the EVSE finishing for a limit ends the transaction (authorization withdrawn)', () => {
  b = new TxBench({ stop: ['Authorized'] });
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.feed('ChargingStarted');
  b.feed('TransactionFinished', { stopReason: 'EnergyLimitReached' });
  assert.equal(shape(b.sent).at(-1), 'Ended EnergyLimitReached EVConnected EnergyLimitReached');
});

test('E06 TxStopPoint PowerPathClosed: unplugging ends it', () => {
  b = new TxBench({ stop: ['PowerPathClosed'] });
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.feed('SessionFinished');
  assert.equal(shape(b.sent), ['Started Authorized EVConnected', 'Ended EVCommunicationLost Idle EVDisconnected']);
});

test('E07 local stop: Ended with StopAuthorized, stoppedReason Local and the idToken that stopped it', () => {
  b = new TxBench();
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.feed('ChargingStarted');
  const other = { token: { value: 'CAFE', type: 'ISO14443' as const }, authorizationType: 'RFID' };
  const [ended] = b.feed('TransactionFinished', { stopReason: 'Local', idTag: other });
  assert.is(ended?.eventType, 'Ended');
  assert.is(ended?.triggerReason, 'StopAuthorized');
  assert.is(ended?.transactionInfo.stoppedReason, 'Local');
  assert.is(ended?.transactionInfo.chargingState, 'EVConnected');
  assert.equal(ended?.idToken, { idToken: 'CAFE', type: 'ISO14443' });
});

test('RemoteStop: a finish with reason Remote ends with triggerReason RemoteStop and no idToken', () => {
  b = new TxBench();
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  const [ended] = b.feed('TransactionFinished', { stopReason: 'Remote' });
  assert.is(ended?.triggerReason, 'RemoteStop');
  assert.is(ended?.transactionInfo.stoppedReason, 'Remote');
  assert.is(ended?.idToken, undefined);
});

test('RemoteStart: a token the CSMS started (authorization_type OCPP) gives RemoteStart and its remoteStartId', () => {
  b = new TxBench();
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  const [started] = b.feed('TransactionStarted', { idTag: { ...RFID, authorizationType: 'OCPP', requestId: 42 } });
  assert.is(started?.triggerReason, 'RemoteStart');
  assert.is(started?.transactionInfo.remoteStartId, 42);
});

test('E09 cable unplugged on the EV side without a TransactionFinished: SessionFinished ends it (EVCommunicationLost, EVDisconnected)', () => {
  b = new TxBench();
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.feed('ChargingStarted');
  const [ended] = b.feed('SessionFinished');
  assert.is(ended?.triggerReason, 'EVCommunicationLost');
  assert.is(ended?.transactionInfo.stoppedReason, 'EVDisconnected');
  assert.is(ended?.transactionInfo.chargingState, 'Idle');
});

test('Ended is made exactly once: a second finish, a late Deauthorized and charging events after it make nothing', () => {
  b = new TxBench();
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  assert.is(b.feed('TransactionFinished', { stopReason: 'Local', idTag: RFID }).length, 1);
  assert.equal(b.feed('TransactionFinished', { stopReason: 'EVDisconnected' }), []);
  assert.equal(b.feed('Deauthorized'), []);
  assert.equal(b.feed('ChargingStarted'), []);
  assert.equal(b.feed('TransactionStarted', { idTag: RFID }), [], 'the same session opens no second transaction');
  assert.equal(b.periodic(), []);
  assert.equal(b.feed('SessionFinished'), []);
  assert.is(b.sent.filter((r) => r.eventType === 'Ended').length, 1);
  assertContiguous(b.sent);
});

test('a hard reset ends the transaction whatever the stop points (ImmediateReset, ResetCommand)', () => {
  b = new TxBench({ stop: ['EVConnected'] });
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.feed('ChargingStarted');
  const [ended] = b.feed('TransactionFinished', { stopReason: 'HardReset' });
  assert.is(ended?.transactionInfo.stoppedReason, 'ImmediateReset');
  assert.is(ended?.triggerReason, 'ResetCommand');
  assert.is(ended?.transactionInfo.chargingState, 'EVConnected');
});

test('after a restart, the EVSE finishing the remembered session for PowerLoss (SessionResumed, TransactionFinished) ends it whatever the stop points', () => {
  b = new TxBench({ stop: ['EVConnected'] });
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.feed('ChargingStarted');
  b.close();
  b.open();
  assert.equal(b.feed('SessionResumed'), []);
  const [ended] = b.feed('TransactionFinished', { stopReason: 'PowerLoss' });
  assert.is(ended?.eventType, 'Ended');
  assert.is(ended?.transactionInfo.stoppedReason, 'PowerLoss');
  assert.is(ended?.triggerReason, 'AbnormalCondition');
  assert.is(ended?.seqNo, 2);
  assertContiguous(b.sent);
});

test('E04/E08/E12 offline: messages made while the CSMS is unreachable carry offline: true, the others none', () => {
  b = new TxBench();
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.offline = true;
  b.feed('TransactionStarted', { idTag: RFID });
  b.feed('ChargingStarted');
  b.offline = false;
  b.feed('TransactionFinished', { stopReason: 'EVDisconnected' });
  assert.equal(b.sent.map((r) => r.offline), [true, true, undefined]);
});

test('a new session while the old transaction is open: the old one is Ended (Other) first, the new one gets a new transactionId', () => {
  b = new TxBench();
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.session = 'session-2';
  const [endOld] = b.feed('SessionStarted', { startReason: 'EVConnected' });
  assert.is(endOld?.eventType, 'Ended');
  assert.is(endOld?.transactionInfo.stoppedReason, 'Other');
  b.feed('TransactionStarted', { idTag: RFID });
  const ids = [...new Set(b.sent.map((r) => r.transactionInfo.transactionId))];
  assert.is(ids.length, 2);
  assertContiguous(b.sent);
});

test('a TransactionStarted of another session (no SessionStarted seen) replaces the stored one, ending its open transaction first', () => {
  b = new TxBench();
  b.feed('SessionStarted', { startReason: 'EVConnected' });
  b.feed('TransactionStarted', { idTag: RFID });
  b.session = 'session-2';
  assert.equal(shape(b.feed('TransactionStarted', { idTag: RFID })), ['Ended AbnormalCondition EVConnected Other', 'Started Authorized EVConnected']);
  assert.is(b.tx.record(1)?.sessionId, 'session-2');
  assertContiguous(b.sent);
});

test('events without an open session make nothing (no Started out of nowhere, no Ended without Started)', () => {
  b = new TxBench();
  for (const kind of ['ChargingStarted', 'TransactionFinished', 'SessionFinished', 'Deauthorized', 'SessionResumed', 'Authorized'] as const) {
    assert.equal(b.feed(kind), [], kind);
  }
  assert.equal(b.periodic(), []);
});

test('TransactionStarted without a SessionStarted (everest-core: a stop point already active) still opens and starts the transaction', () => {
  b = new TxBench();
  const [started] = b.feed('TransactionStarted', { idTag: RFID });
  assert.is(started?.eventType, 'Started');
  assert.is(started?.triggerReason, 'Authorized');
  assert.equal(started?.evse, { id: 1, connectorId: 1 });
});

test.run();
