// What a CSMS CALL causes goes out after that CALL's answer, as the CSMS's socket sees the frames:
// ChangeAvailability of the station, an EVSE and a connector (OCPP 2.0.1 G03/G04: the
// ChangeAvailabilityResponse precedes the StatusNotificationRequest; libocpp availability.cpp answers
// before it changes anything), TriggerMessage StatusNotification (F06.FR.04). The CSMS here reads one
// frame at a time and no CALL of the station while its own CALL waits for the answer, so the old order
// (StatusNotification first) would stall it until its call times out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestCsms, type Frame } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel } from './fixtures/csms/app.js';
import { startLink, type LinkUnderTest } from './fixtures/csms/link.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { sleep } from './helpers/wait.js';

type R = Record<string, unknown>;
let db: TempDb;
let csms: TestCsms;
let link: LinkUnderTest;

const show = (f: Frame) => (f.type === 'CALL' ? `CALL ${f.action ?? '?'}` : f.type);

test.before.each(async () => {
  db = tempDb();
  seedDeviceModel(db.path);
  csms = await new TestCsms({ password: PASSWORD, oneAtATime: true }).start();
  link = startLink(db.path, { csms_url: csms.url, station_id: 'CS001' });
  // The boot's StatusNotifications (one per connector; 2 EVSEs with 1 connector each).
  await csms.waitFor('StatusNotification', 2);
  csms.clear();
});
test.after.each(async () => {
  await link.stop();
  await csms.stop();
  db.cleanup();
});

/** Calls the CSMS side and returns the answer, how long it took, and the frames once `statuses` StatusNotifications are in. */
async function callAndWatch(action: string, params: R, statuses: number): Promise<{ answer: R; ms: number; frames: string[] }> {
  const t0 = Date.now();
  const answer = await csms.call(action, params);
  const ms = Date.now() - t0;
  if (statuses > 0) await csms.waitFor('StatusNotification', statuses, 3000);
  else await sleep(150);
  return { answer, ms, frames: csms.frames.map(show) };
}

const statusOf = (r: { params: R }) => [r.params.evseId, r.params.connectorId, r.params.connectorStatus];

test('ChangeAvailability of a connector: its CALLRESULT strictly before the StatusNotification CALL (G03/G04)', async () => {
  const r = await callAndWatch('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } }, 1);
  assert.equal(r.answer, { status: 'Accepted' });
  assert.equal(r.frames, ['CALLRESULT', 'CALL StatusNotification']);
  assert.equal(csms.of('StatusNotification').map(statusOf), [[1, 1, 'Unavailable']]);
});

test('ChangeAvailability of an EVSE: CALLRESULT first, then its connector\'s StatusNotification', async () => {
  const r = await callAndWatch('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2 } }, 1);
  assert.equal(r.answer, { status: 'Accepted' });
  assert.equal(r.frames, ['CALLRESULT', 'CALL StatusNotification']);
  assert.equal(csms.of('StatusNotification').map(statusOf), [[2, 1, 'Unavailable']]);
});

test('ChangeAvailability of the station: CALLRESULT first, then every connector\'s StatusNotification; and back', async () => {
  const off = await callAndWatch('ChangeAvailability', { operationalStatus: 'Inoperative' }, 2);
  assert.equal(off.answer, { status: 'Accepted' });
  assert.equal(off.frames, ['CALLRESULT', 'CALL StatusNotification', 'CALL StatusNotification']);
  assert.equal(csms.of('StatusNotification').map(statusOf).sort(), [[1, 1, 'Unavailable'], [2, 1, 'Unavailable']]);
  csms.clear();
  const on = await callAndWatch('ChangeAvailability', { operationalStatus: 'Operative' }, 2);
  assert.equal(on.frames, ['CALLRESULT', 'CALL StatusNotification', 'CALL StatusNotification']);
  assert.equal(csms.of('StatusNotification').map(statusOf).sort(), [[1, 1, 'Available'], [2, 1, 'Available']]);
});

test('a CSMS that answers one call at a time gets its ChangeAvailability answered at once (no stall until a timeout)', async () => {
  for (const status of ['Inoperative', 'Operative', 'Inoperative']) {
    const r = await callAndWatch('ChangeAvailability', { operationalStatus: status, evse: { id: 1 } }, 1);
    assert.equal(r.answer, { status: 'Accepted' });
    // The fixture's call timeout is 5 s; a stall would take all of it.
    assert.ok(r.ms < 1000, `answered after ${r.ms} ms`);
    csms.clear();
  }
});

test('TriggerMessage StatusNotification: CALLRESULT first, then the triggered StatusNotification (F06.FR.04)', async () => {
  const r = await callAndWatch('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 2, connectorId: 1 } }, 1);
  assert.equal(r.answer, { status: 'Accepted' });
  assert.equal(r.frames, ['CALLRESULT', 'CALL StatusNotification']);
  assert.equal(csms.of('StatusNotification').map(statusOf), [[2, 1, 'Available']]);
});

test('Scheduled while a transaction runs: only the answer now; the StatusNotification when the transaction ends', async () => {
  link.service.setTransactionActive(1, true);
  const r = await callAndWatch('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } }, 0);
  assert.equal(r.answer, { status: 'Scheduled' });
  assert.equal(r.frames, ['CALLRESULT']);
  link.service.setTransactionActive(1, false);
  await csms.waitFor('StatusNotification', 1, 3000);
  assert.equal(csms.frames.map(show), ['CALLRESULT', 'CALL StatusNotification']);
  assert.equal(csms.of('StatusNotification').map(statusOf), [[1, 1, 'Unavailable']]);
});

test('a change that is not from the CSMS is not held: StatusNotification right away', async () => {
  link.service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 2 } });
  await csms.waitFor('StatusNotification', 1, 3000);
  assert.equal(csms.frames.map(show), ['CALL StatusNotification']);
});

test.run();
