// Group commit of set_variables and change_availability from the bus (src/ocpp/group-commit.ts): the calls of
// one event-loop turn share one transaction and are answered after its COMMIT (B05 SetVariables, G03
// ChangeAvailability: durable before the answer).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { OcppService } from '../src/ocpp/service.js';
import type { ComponentVariable, SetVariableRequest } from '../src/generated/types/ocpp.js';
import { cv, steppingClock, tempDb, TEST_DEVICE_MODEL_DIR, type TempDb } from './fixtures/ocpp/helpers.js';

let db: TempDb;
let service: OcppService;

test.before.each(() => {
  db = tempDb();
  service = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1, deviceModelDir: TEST_DEVICE_MODEL_DIR, now: steppingClock() });
});
test.after.each(() => {
  service.close();
  db.cleanup();
});

const set = (variable: string, value: string): SetVariableRequest => ({ component_variable: cv('TestCtrlr', variable), value });

/** The Actual value as another connection to the file reads it: only what is committed. */
function committed(variable: string): string | null | undefined {
  const other = new Database(db.path, { readonly: true });
  try {
    const row = other.prepare(`SELECT a.value FROM attributes a JOIN variables v ON v.id = a.variable_id
      JOIN components c ON c.id = v.component_id WHERE c.name = 'TestCtrlr' AND v.name = ? AND a.type = 'Actual'`).get(variable) as { value: string | null } | undefined;
    return row?.value;
  } finally {
    other.close();
  }
}

test('B05: the set_variables of one event-loop turn commit together, and each is answered and announced after that COMMIT', async () => {
  const seenAtAnnounce: Array<[string, string | null | undefined, string | null | undefined]> = [];
  service.on('variable_changed', (c: ComponentVariable) => seenAtAnnounce.push([c.variable.name, committed('Int'), committed('Opt')]));
  const first = service.setVariablesBatched([set('Int', '7')]);
  const second = service.setVariablesBatched([set('Opt', 'c')]);
  // Nothing is written before the turn ends.
  assert.is(committed('Int'), '0');
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a.map((r) => r.status), ['Accepted']);
  assert.equal(b.map((r) => r.status), ['Accepted']);
  // The first call's announcement already sees the second call's write: one transaction for both.
  assert.equal(seenAtAnnounce, [['Int', '7', 'c'], ['Opt', '7', 'c']]);
});

test('B05: a call that fails in the group is refused alone; the others of its turn commit', async () => {
  const bad = service.setVariablesBatched(null as unknown as SetVariableRequest[]);
  const good = service.setVariablesBatched([set('Int', '-3')]);
  const [badOutcome, goodOutcome] = await Promise.allSettled([bad, good]);
  assert.is(badOutcome.status, 'rejected');
  assert.equal(goodOutcome.status === 'fulfilled' ? goodOutcome.value.map((r) => r.status) : goodOutcome, ['Accepted']);
  assert.is(committed('Int'), '-3');
});

test('B05: closing the service commits and answers what is pending', async () => {
  const pending = service.setVariablesBatched([set('Int', '4')]);
  service.close();
  assert.equal((await pending).map((r) => r.status), ['Accepted']);
  assert.is(committed('Int'), '4');
});

/** The committed operational status of an availability unit, as another connection reads it. */
function committedAvailability(evse: number, connector: number): string | undefined {
  const other = new Database(db.path, { readonly: true });
  try {
    const row = other.prepare('SELECT operational_status FROM availability WHERE evse_id = ? AND connector_id = ?').get(evse, connector) as { operational_status: string } | undefined;
    return row?.operational_status;
  } finally {
    other.close();
  }
}

test('G03: a change_availability and a set_variables of one turn commit together, each announced after that COMMIT', async () => {
  const seen: Array<[string, string | undefined, string | null | undefined]> = [];
  service.on('availability', (c) => seen.push([`availability ${c.operational_status}`, committedAvailability(1, 0), committed('Int')]));
  service.on('variable_changed', (c: ComponentVariable) => seen.push([c.variable.name, committedAvailability(1, 0), committed('Int')]));
  const change = service.changeAvailabilityBatched({ operational_status: 'Inoperative', evse: { id: 1 } });
  const setting = service.setVariablesBatched([set('Int', '5')]);
  assert.is(committedAvailability(1, 0), 'Operative');
  assert.equal(await change, { status: 'Accepted' });
  assert.equal((await setting).map((r) => r.status), ['Accepted']);
  assert.ok(seen.length >= 2, JSON.stringify(seen));
  for (const s of seen) assert.equal(s.slice(1), ['Inoperative', '5'], JSON.stringify(seen));
  assert.is(service.availability().evses.find((e) => e.id === 1)?.operational_status, 'Inoperative');
});

test('G03: change_availability of an unknown EVSE is Rejected through the group commit as without it', async () => {
  const r = await service.changeAvailabilityBatched({ operational_status: 'Inoperative', evse: { id: 9 } });
  assert.equal(r, service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 9 } }));
  assert.is(r.status, 'Rejected');
});

test.run();
