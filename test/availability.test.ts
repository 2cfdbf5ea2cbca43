// change_availability: per station / EVSE / connector, persisted, Scheduled during transactions,
// AvailabilityState variables, availability events per unit whose effective state changed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OcppService, type AvailabilityChange } from '../src/ocpp/service.js';
import type { EventData } from '../src/generated/types/ocpp.js';
import { cv, tempDb, type TempDb } from './fixtures/ocpp/helpers.js';

let db: TempDb;
let service: OcppService;
let changes: AvailabilityChange[];

const open = (): OcppService => OcppService.open({ dbPath: db.path, evseCount: 2, connectorsPerEvse: 2 });

test.before.each(() => {
  db = tempDb();
  service = open();
  changes = [];
  service.on('availability', (c) => changes.push(c));
});
test.after.each(() => {
  service.close();
  db.cleanup();
});

function state(component: string, evse?: { id: number; connector_id?: number }): string | undefined {
  return service.getVariables([{ component_variable: cv(component, 'AvailabilityState', evse ? { evse } : {}) }])[0]?.value;
}

test('everything starts Operative and Available', () => {
  const a = service.availability();
  assert.equal(a.station, { operational_status: 'Operative', effective: 'Operative' });
  assert.is(a.evses.length, 2);
  assert.is(a.evses[1]?.connectors.length, 2);
  assert.is(state('ChargingStation'), 'Available');
  assert.is(state('EVSE', { id: 2 }), 'Available');
  assert.is(state('Connector', { id: 2, connector_id: 2 }), 'Available');
});

test('connector Inoperative: Accepted, one event, AvailabilityState Unavailable, persisted', () => {
  const r = service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 1, connector_id: 2 } });
  assert.equal(r, { status: 'Accepted' });
  assert.equal(changes, [{ evse: { id: 1, connector_id: 2 }, operational_status: 'Inoperative' }]);
  assert.is(state('Connector', { id: 1, connector_id: 2 }), 'Unavailable');
  assert.is(state('Connector', { id: 1, connector_id: 1 }), 'Available');
  assert.is(state('EVSE', { id: 1 }), 'Available');
  service.close();
  service = open();
  assert.is(service.availability().evses[0]?.connectors[1]?.operational_status, 'Inoperative');
  assert.is(state('Connector', { id: 1, connector_id: 2 }), 'Unavailable');
});

test('EVSE Inoperative makes its connectors effectively Inoperative; events per changed unit', () => {
  service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 1, connector_id: 1 } });
  changes.length = 0;
  assert.is(service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 1 } }).status, 'Accepted');
  // Connector 1 was already Inoperative: only the EVSE and connector 2 changed.
  assert.equal(changes, [
    { evse: { id: 1 }, operational_status: 'Inoperative' },
    { evse: { id: 1, connector_id: 2 }, operational_status: 'Inoperative' },
  ]);
  const evse = service.availability().evses[0];
  assert.is(evse?.connectors[1]?.operational_status, 'Operative');
  assert.is(evse?.connectors[1]?.effective, 'Inoperative');
  assert.is(state('Connector', { id: 1, connector_id: 2 }), 'Unavailable');
  changes.length = 0;
  service.changeAvailability({ operational_status: 'Operative', evse: { id: 1 } });
  assert.equal(changes, [
    { evse: { id: 1 }, operational_status: 'Operative' },
    { evse: { id: 1, connector_id: 2 }, operational_status: 'Operative' },
  ]);
});

test('station Inoperative and back', () => {
  assert.is(service.changeAvailability({ operational_status: 'Inoperative' }).status, 'Accepted');
  assert.is(changes.length, 1 + 2 + 4);
  assert.equal(changes[0], { operational_status: 'Inoperative' });
  assert.is(state('ChargingStation'), 'Unavailable');
  assert.is(state('EVSE', { id: 2 }), 'Unavailable');
  assert.is(service.changeAvailability({ operational_status: 'Operative' }).status, 'Accepted');
  assert.is(state('Connector', { id: 2, connector_id: 1 }), 'Available');
});

test('unknown EVSE or connector: Rejected with a reason code, nothing changes', () => {
  const cases: Array<[{ id: number; connector_id?: number }, string]> = [
    [{ id: 3 }, 'UnknownEvse'],
    [{ id: 0 }, 'UnknownEvse'],
    [{ id: -1, connector_id: 1 }, 'UnknownEvse'],
    [{ id: 1, connector_id: 3 }, 'UnknownConnectorId'],
    [{ id: 2, connector_id: 0 }, 'UnknownConnectorId'],
  ];
  for (const [evse, reason] of cases) {
    const r = service.changeAvailability({ operational_status: 'Inoperative', evse });
    assert.is(r.status, 'Rejected');
    assert.is(r.status_info?.reason_code, reason, JSON.stringify(evse));
  }
  assert.is(changes.length, 0);
});

test('same state is Accepted, also during a transaction, and emits nothing', () => {
  service.setTransactionActive(1, true);
  assert.equal(service.changeAvailability({ operational_status: 'Operative', evse: { id: 1 } }), { status: 'Accepted' });
  assert.equal(service.changeAvailability({ operational_status: 'Operative', evse: { id: 1, connector_id: 1 } }), { status: 'Accepted' });
  assert.is(changes.length, 0);
});

test('EVSE in a transaction: Scheduled, applied when the transaction ends', () => {
  service.setTransactionActive(1, true);
  assert.equal(service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 1 } }), { status: 'Scheduled' });
  assert.equal(service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 1, connector_id: 2 } }), { status: 'Scheduled' });
  // Another EVSE is not affected by EVSE 1's transaction.
  assert.equal(service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 2 } }), { status: 'Accepted' });
  changes.length = 0;
  const a = service.availability().evses[0];
  assert.is(a?.scheduled, 'Inoperative');
  assert.is(a?.effective, 'Operative');
  assert.is(state('EVSE', { id: 1 }), 'Available');
  service.setTransactionActive(1, false);
  const b = service.availability().evses[0];
  assert.is(b?.operational_status, 'Inoperative');
  assert.is(b?.scheduled, undefined);
  assert.is(b?.connectors[1]?.operational_status, 'Inoperative');
  assert.equal(changes, [
    { evse: { id: 1 }, operational_status: 'Inoperative' },
    { evse: { id: 1, connector_id: 1 }, operational_status: 'Inoperative' },
    { evse: { id: 1, connector_id: 2 }, operational_status: 'Inoperative' },
  ]);
  assert.is(state('EVSE', { id: 1 }), 'Unavailable');
});

test('a later Accepted request drops the scheduled one', () => {
  service.setTransactionActive(1, true);
  service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 1 } });
  assert.is(service.changeAvailability({ operational_status: 'Operative', evse: { id: 1 } }).status, 'Accepted');
  assert.is(service.availability().evses[0]?.scheduled, undefined);
  service.setTransactionActive(1, false);
  assert.is(service.availability().evses[0]?.operational_status, 'Operative');
  assert.is(changes.length, 0);
});

test('station Inoperative during transactions waits for the last one; Operative is Accepted at once', () => {
  service.setTransactionActive(1, true);
  service.setTransactionActive(2, true);
  assert.equal(service.changeAvailability({ operational_status: 'Inoperative' }), { status: 'Scheduled' });
  service.setTransactionActive(1, false);
  assert.is(service.availability().station.operational_status, 'Operative');
  service.setTransactionActive(2, false);
  assert.is(service.availability().station.operational_status, 'Inoperative');
  assert.is(state('ChargingStation'), 'Unavailable');
  service.setTransactionActive(1, true);
  assert.equal(service.changeAvailability({ operational_status: 'Operative' }), { status: 'Accepted' });
  assert.is(service.availability().station.effective, 'Operative');
});

test('a scheduled change survives a restart and runs at the next transaction end', () => {
  service.setTransactionActive(2, true);
  service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 2, connector_id: 1 } });
  service.close();
  service = open();
  assert.is(service.availability().evses[1]?.connectors[0]?.scheduled, 'Inoperative');
  service.setTransactionActive(2, true);
  service.setTransactionActive(2, false);
  assert.is(service.availability().evses[1]?.connectors[0]?.operational_status, 'Inoperative');
});

test('AvailabilityState changes reach monitors as event_data', () => {
  const events: EventData[] = [];
  service.on('event_data', (e) => events.push(e));
  service.monitorVariables([cv('EVSE', 'AvailabilityState', { evse: { id: 2 } })]);
  service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 2 } });
  assert.is(events.length, 1);
  assert.is(events[0]?.actual_value, 'Unavailable');
  assert.equal(events[0]?.component_variable, cv('EVSE', 'AvailabilityState', { evse: { id: 2 } }));
});

test('setTransactionActive refuses an unknown EVSE', () => {
  assert.throws(() => service.setTransactionActive(3, true), /EVSE 3/);
});

test('B12/L01 a hold: the idle EVSEs\' connectors Inoperative at once, a busy EVSE\'s when its transaction ends; released, they follow the stored state; nothing stored', () => {
  service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 2, connector_id: 2 } });
  service.setTransactionActive(1, true);
  changes.length = 0;
  service.holdConnectors('reset');
  assert.equal(changes, [{ evse: { id: 2, connector_id: 1 }, operational_status: 'Inoperative' }], 'only the idle EVSE, only what changed');
  assert.is(service.connectorStatus(2, 1), 'Unavailable');
  assert.is(state('Connector', { id: 2, connector_id: 1 }), 'Unavailable');
  assert.is(service.connectorStatus(1, 1), 'Available');
  changes.length = 0;
  service.setTransactionActive(1, false);
  assert.equal(changes, [
    { evse: { id: 1, connector_id: 1 }, operational_status: 'Inoperative' },
    { evse: { id: 1, connector_id: 2 }, operational_status: 'Inoperative' },
  ]);
  // A second reason holds the same connectors; releasing one leaves the other in force.
  service.holdConnectors('firmware');
  service.releaseConnectors('reset');
  assert.is(service.connectorStatus(1, 1), 'Unavailable');
  changes.length = 0;
  service.releaseConnectors('firmware');
  assert.equal(changes.map((c) => c.evse), [{ id: 1, connector_id: 1 }, { id: 1, connector_id: 2 }, { id: 2, connector_id: 1 }]);
  assert.is(service.connectorStatus(2, 2), 'Unavailable', 'the stored Inoperative stays');
  assert.is(service.connectorStatus(1, 1), 'Available');
  // Restarted in the middle of a hold: the stored state only.
  service.holdConnectors('reset');
  service.close();
  service = open();
  assert.equal(service.availability().evses.map((e) => e.connectors.map((c) => c.effective)), [['Operative', 'Operative'], ['Operative', 'Inoperative']]);
  assert.is(state('Connector', { id: 1, connector_id: 1 }), 'Available');
});

test.run();
