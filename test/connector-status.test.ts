// The connector status rules without a bus (libocpp component_state_manager): precedence Faulted, Unavailable,
// Occupied, Reserved, Available (G01, G03/G04, H01); a plug-in on a reserved connector is not reported until
// the reservation ends; the conditions are not persisted; what the session events of both evse_manager
// releases (2023.12 PermanentFault/AllErrorsCleared, 2026.02) change; error objects of both bus dialects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OcppService, type ConnectorStatusChange } from '../src/ocpp/service.js';
import { connectorStatusOf } from '../src/ocpp/connector-status.js';
import { conditionChanges } from '../src/module/connector-status.js';
import { normalizeSessionEvent } from '../src/module/session-event.js';
import { readRequirementError } from '../src/everest/handlers/error.js';
import { dialectFor } from '../src/everest/dialect.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';

let db: TempDb;
let service: OcppService;
const open = (): OcppService => OcppService.open({ dbPath: db.path, evseCount: 2, connectorsPerEvse: 1 });

test.before.each(() => {
  db = tempDb();
  service = open();
});
test.after.each(() => {
  service.close();
  db.cleanup();
});

test('G01 precedence: Faulted, then Unavailable (Inoperative), then Occupied, then Reserved, then Available', () => {
  const f = (o: Partial<{ occupied: boolean; reserved: boolean; faulted: boolean }>, eff: 'Operative' | 'Inoperative' = 'Operative') =>
    connectorStatusOf({ occupied: false, reserved: false, faulted: false, unavailable: false, ...o }, eff);
  assert.is(f({ faulted: true, occupied: true }, 'Inoperative'), 'Faulted');
  assert.is(f({ occupied: true, reserved: true }, 'Inoperative'), 'Unavailable');
  assert.is(f({ occupied: true, reserved: true }), 'Occupied');
  assert.is(f({ reserved: true }), 'Reserved');
  assert.is(f({}), 'Available');
});

test('H01/G01 a plug-in on a reserved connector stays Reserved until the reservation ends (libocpp set_connector_occupied)', () => {
  const seen: ConnectorStatusChange[] = [];
  service.on('connector_status', (c) => seen.push(c));
  service.setConnectorCondition(1, 1, 'reserved', true);
  service.setConnectorCondition(1, 1, 'occupied', true);
  assert.equal(seen.map((c) => c.status), ['Reserved']);
  assert.is(service.connectorStatus(1, 1), 'Occupied', 'the condition is noted');
  service.setConnectorCondition(1, 1, 'reserved', false);
  assert.equal(seen.map((c) => c.status), ['Reserved', 'Occupied']);
  service.setConnectorCondition(1, 1, 'occupied', true);
  assert.is(seen.length, 2, 'no change, no event');
});

test('conditions are not persisted (libocpp assumes them false at start); the operational state is', () => {
  service.setConnectorCondition(1, 1, 'faulted', true);
  service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 2 } });
  service.close();
  service = open();
  assert.is(service.connectorStatus(1, 1), 'Available');
  assert.is(service.connectorStatus(2, 1), 'Unavailable');
});

test('an unknown connector is refused', () => {
  assert.throws(() => service.setConnectorCondition(1, 2, 'occupied', true), /connector 2 of EVSE 1/);
  assert.throws(() => service.setConnectorCondition(3, 1, 'occupied', true), /EVSE 3/);
});

test('session events of both releases: plug-in, transaction start (ends a reservation), unplug, reservations, 2023.12 faults', () => {
  const ev = (event: string, extra: Record<string, unknown> = {}) =>
    conditionChanges(normalizeSessionEvent({ uuid: 'u', event, ...extra } as never, new Date()));
  assert.equal(ev('SessionStarted', { session_started: { reason: 'EVConnected' } }), [{ condition: 'occupied', on: true }]);
  assert.equal(ev('SessionStarted', { session_started: { reason: 'Authorized' } }), [], 'authorization first: no EV yet');
  assert.equal(ev('TransactionStarted', { transaction_started: { id_tag: 'AB', meter_value: { timestamp: 't', energy_Wh_import: { total: 0 } } } }),
    [{ condition: 'reserved', on: false }, { condition: 'occupied', on: true }]);
  assert.equal(ev('SessionFinished'), [{ condition: 'occupied', on: false }]);
  assert.equal(ev('ReservationStart'), [{ condition: 'reserved', on: true }]);
  assert.equal(ev('ReservationEnd'), [{ condition: 'reserved', on: false }]);
  assert.equal(ev('PermanentFault', { error: { error_code: 'RCD_DC' } }), [{ condition: 'faulted', on: true }]);
  assert.equal(ev('AllErrorsCleared'), [{ condition: 'faulted', on: false }]);
  assert.equal(ev('Error', { error: { error_code: 'RCD_DC' } }), [], 'an Error does not stop charging (2023.12 OCPP module on_error)');
  assert.equal(ev('ChargingStarted'), []);
  assert.equal(ev('Disabled'), [{ condition: 'unavailable', on: true }]);
  assert.equal(ev('Enabled'), [{ condition: 'unavailable', on: false }]);
});

test('G03/G04 a connector its EVSE manager disabled is Unavailable (before Occupied), and back when enabled (OCPP201 process_disabled)', () => {
  const seen: ConnectorStatusChange[] = [];
  service.on('connector_status', (c) => seen.push(c));
  service.setConnectorCondition(1, 1, 'occupied', true);
  service.setConnectorCondition(1, 1, 'unavailable', true);
  service.setConnectorCondition(1, 1, 'unavailable', false);
  assert.equal(seen.map((c) => c.status), ['Occupied', 'Unavailable', 'Occupied']);
  assert.is(service.connectorStatus(2, 1), 'Available', 'the other EVSE is untouched');
});

test('error objects as each dialect carries them: v0.25 RaiseError/ClearError envelope, older the bare object', () => {
  const object = (state: string) => ({ type: 'evse_manager/Inoperative', state, message: 'm', origin: { module_id: 'e', implementation_id: 'evse', mapping: { evse: 1, connector: 2 } } });
  const v25 = dialectFor('v25');
  assert.equal(readRequirementError(v25.unwrap({ msg_type: 'RaiseError', data: object('Active') }, 'RaiseError')),
    { type: 'evse_manager/Inoperative', active: true, evse: 1, connector: 2, message: 'm' });
  assert.is(readRequirementError(v25.unwrap({ msg_type: 'ClearError', data: object('ClearedByModule') }, 'ClearError'))?.active, false);
  const v22 = dialectFor('v22');
  assert.is(v22.errorTopic('p', 'evse_manager/Inoperative'), 'p/error', 'one topic for every type in the old dialect');
  assert.is(readRequirementError(v22.unwrap(object('ClearedByReboot'), 'RaiseError'))?.active, false);
  assert.is(readRequirementError({ type: 'x/y', state: 'Bogus' }), undefined);
  assert.is(readRequirementError({ state: 'Active' }), undefined);
});

test.run();
