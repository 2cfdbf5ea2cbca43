// Group commit of set_variables from the bus (src/ocpp/group-commit.ts): the calls of one event-loop turn
// share one transaction and are answered after its COMMIT (B05 SetVariables, durable before the answer).
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

test.run();
