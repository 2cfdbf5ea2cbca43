// Reset (B11, B12) through the `system` requirement, as everest-core's OCPP201 wires it: a stand-in system
// module on the bus serves is_reset_allowed and reset and records the calls; a scripted evse_manager serves
// stop_transaction and finishes its session as an EvseManager does. TsOcpp is the real app against the strict
// ocpp-rpc CSMS (v25 dialect). Without a system connection the communication reset stays (csms-link.test.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';
import { Cleanup } from './helpers/cleanup.js';
import { ScriptedEvse } from './fixtures/evse.js';
import { EvseCmdServer, finishOnStop } from './fixtures/evse-cmds.js';
import { sleep, until } from './helpers/wait.js';

type R = Record<string, unknown>;
const cleanup = new Cleanup();
let db: TempDb;
let csms: TestCsms | undefined;
let ts: TsOcpp | undefined;
let client: MqttClient | undefined;

interface Rig {
  evse: ScriptedEvse;
  cmds: EvseCmdServer;
  /** The second EVSE's evse_manager, with `evses: 2`. */
  evse2?: { evse: ScriptedEvse; cmds: EvseCmdServer };
  system: EvseCmdServer;
  /** At each system reset call: whether a transaction was still running. */
  atReset: boolean[];
}

/** Stops once, whether the test or the cleanup asks first (a test that restarts TsOcpp stops it itself). */
const once = (stop: () => Promise<void>): (() => Promise<void>) => {
  let p: Promise<void> | undefined;
  return () => (p ??= stop());
};

async function start(o: { allowed?: boolean; evses?: 1 | 2 } = {}): Promise<Rig> {
  seedDeviceModel(db.path);
  csms = cleanup.add(await new TestCsms({ password: PASSWORD }).start(), (c) => c.stop());
  const managers = o.evses === 2 ? ['evse1', 'evse2'] : ['evse1'];
  const t0 = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: {
      connections: {
        evse_manager: managers.map((module_id) => ({ module_id, implementation_id: 'evse' })),
        system: [{ module_id: 'system1', implementation_id: 'main' }],
      },
    },
  });
  ts = cleanup.add({ ...t0, stop: once(() => t0.stop()) }, (t) => t.stop());
  const c0 = await mqtt.connectAsync(ts.app.brokerUrl, { protocolVersion: 4 });
  client = cleanup.add(c0, once(() => c0.endAsync()));
  const evse = new ScriptedEvse(client, 'everest/', 'evse1');
  const cmds = await EvseCmdServer.serve(client, 'everest/', 'evse1', finishOnStop(evse));
  let evse2: Rig['evse2'];
  if (o.evses === 2) {
    const e2 = new ScriptedEvse(client, 'everest/', 'evse2');
    e2.uuid = 'session-2';
    evse2 = { evse: e2, cmds: await EvseCmdServer.serve(client, 'everest/', 'evse2', finishOnStop(e2)) };
  }
  const atReset: Rig['atReset'] = [];
  const t = ts;
  const system = await EvseCmdServer.serve(client, 'everest/', 'system1', (c) => {
    if (c.cmd !== 'reset') return;
    atReset.push(t.app.service.availability().evses.some((e) => e.transaction_active));
  }, { impl: 'main', cmds: ['is_reset_allowed', 'reset'], answer: (c) => (c.cmd === 'is_reset_allowed' ? o.allowed ?? true : null) });
  await csms.waitFor('StatusNotification', 2);
  return { evse, cmds, system, atReset, ...(evse2 ? { evse2 } : {}) };
}

const events = (): R[] => csms!.of('TransactionEvent').map((r) => r.params);
const shape = (p: R) => [p.eventType, p.triggerReason, (p.transactionInfo as R).stoppedReason ?? null];

async function startedTransaction(rig: Rig, evse = rig.evse, events = 2): Promise<void> {
  await evse.plugIn();
  await evse.authorize();
  await evse.charge();
  await csms!.waitFor('TransactionEvent', events);
}

/** The last StatusNotification of a connector (connector 1 of each EVSE here). */
const lastStatus = (evseId: number): unknown => csms!.of('StatusNotification').map((r) => r.params).filter((p) => p.evseId === evseId).at(-1)?.connectorStatus;
const disables = (c: EvseCmdServer): unknown[] => c.of('enable_disable').map((x) => (x.args.cmd_source as R).enable_state);

test.before.each(() => {
  db = cleanup.add(tempDb(), (d) => d.cleanup());
});
test.after.each(() => cleanup.run());

test('B11.FR.01 Reset Immediate of the idle station: is_reset_allowed(NotSpecified) first, Accepted, then system.reset(NotSpecified, scheduled false), ResetOrReboot delivered', async () => {
  const rig = await start();
  assert.equal(await csms!.call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
  assert.equal(rig.system.calls[0], { cmd: 'is_reset_allowed', args: { type: 'NotSpecified' } });
  await until(() => rig.system.of('reset').length === 1, 5000, 'system reset called');
  assert.equal(rig.system.of('reset')[0]!.args, { type: 'NotSpecified', scheduled: false });
  await csms!.until(() => csms!.of('SecurityEventNotification').some((r) => r.params.type === 'ResetOrReboot'));
  // The link stays: the system module restarts the station, not TsOcpp.
  assert.is(csms!.of('BootNotification').length, 1);
});

test('B11.FR.03 the system says a reset is not allowed now: Rejected, and no reset', async () => {
  const rig = await start({ allowed: false });
  assert.equal(await csms!.call('Reset', { type: 'OnIdle' }), { status: 'Rejected' });
  await sleep(300);
  assert.equal(rig.system.calls.map((c) => c.cmd), ['is_reset_allowed']);
});

test('B12.FR.01 Reset OnIdle during a transaction: Scheduled; system.reset(scheduled true) only after the transaction ended', async () => {
  const rig = await start();
  await startedTransaction(rig);
  assert.equal(await csms!.call('Reset', { type: 'OnIdle' }), { status: 'Scheduled' });
  await sleep(1500);
  assert.equal(rig.system.of('reset'), [], 'no reset while the transaction runs');
  assert.equal(rig.cmds.of('stop_transaction'), [], 'OnIdle stops nothing');
  await rig.evse.stop();
  await until(() => rig.system.of('reset').length === 1, 5000, 'system reset called');
  assert.equal(rig.system.of('reset')[0]!.args, { type: 'NotSpecified', scheduled: true });
  assert.equal(rig.atReset, [false], 'the transaction ended before the reset');
  await csms!.waitFor('TransactionEvent', 3);
  assert.equal(events().map(shape).at(-1), ['Ended', 'StopAuthorized', 'Local']);
});

test('B12 Reset OnIdle Scheduled: the idle EVSE reports Unavailable at once, the busy one when its transaction ends (libocpp, not stored); after the restart both follow their stored state (Available)', async () => {
  const rig = await start();
  await startedTransaction(rig);
  assert.equal(await csms!.call('Reset', { type: 'OnIdle' }), { status: 'Scheduled' });
  await csms!.until(() => lastStatus(2) === 'Unavailable', 5000, 'EVSE 2 Unavailable');
  assert.is(lastStatus(1), 'Occupied', 'the EVSE with the transaction goes on');
  assert.equal(disables(rig.cmds), [], 'its evse_manager is not disabled during the transaction');
  await rig.evse.stop();
  await csms!.until(() => lastStatus(1) === 'Unavailable', 5000, 'EVSE 1 Unavailable once its transaction ended');
  await until(() => rig.system.of('reset').length === 1, 5000, 'system reset called');
  assert.equal(disables(rig.cmds), ['Disable'], 'OCPP201: the held connector is disabled on its evse_manager');
  assert.equal(ts!.app.service.availability().evses.map((e) => e.operational_status), ['Operative', 'Operative'], 'nothing stored');
  // The system module restarts the station: TsOcpp comes back on the same database.
  await client!.endAsync();
  await ts!.stop();
  const boots = csms!.of('BootNotification').length;
  const notes = csms!.of('StatusNotification').length;
  const t1 = await startTsOcpp({ csms_url: csms!.url, station_id: 'CS001', device_model_db: db.path });
  ts = cleanup.add(t1, (t) => t.stop());
  await csms!.waitFor('BootNotification', boots + 1);
  await csms!.waitFor('StatusNotification', notes + 2);
  assert.equal([lastStatus(1), lastStatus(2)], ['Available', 'Available']);
});

test('B12 Reset OnIdle with two transactions: Scheduled, nothing Unavailable yet; the EVSE whose transaction ends first reports Unavailable while the other charges on; the reset after the last', async () => {
  const rig = await start({ evses: 2 });
  const e2 = rig.evse2!;
  await startedTransaction(rig);
  await startedTransaction(rig, e2.evse, 4);
  const before = csms!.of('StatusNotification').length;
  assert.equal(await csms!.call('Reset', { type: 'OnIdle' }), { status: 'Scheduled' });
  await sleep(300);
  assert.is(csms!.of('StatusNotification').length, before, 'no idle EVSE: no StatusNotification');
  await rig.evse.stop();
  await csms!.until(() => lastStatus(1) === 'Unavailable', 5000, 'EVSE 1 Unavailable once its transaction ended');
  assert.is(lastStatus(2), 'Occupied');
  await sleep(1200);
  assert.equal(rig.system.of('reset'), [], 'EVSE 2 still charges: no reset');
  await e2.evse.stop();
  await until(() => rig.system.of('reset').length === 1, 5000, 'system reset called');
  assert.equal(rig.system.of('reset')[0]!.args, { type: 'NotSpecified', scheduled: true });
  await csms!.until(() => lastStatus(2) === 'Unavailable', 5000, 'EVSE 2 Unavailable too');
});

test('B12.FR.04/08 Reset Immediate during a transaction: Accepted; stop_transaction HardReset, Ended ResetCommand / ImmediateReset, then system.reset(scheduled false)', async () => {
  const rig = await start();
  await startedTransaction(rig);
  assert.equal(await csms!.call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
  await until(() => rig.system.of('reset').length === 1, 5000, 'system reset called');
  assert.equal(rig.cmds.of('stop_transaction').map((c) => c.args), [{ request: { reason: 'HardReset' } }]);
  assert.equal(rig.system.of('reset')[0]!.args, { type: 'NotSpecified', scheduled: false });
  assert.equal(rig.atReset, [false], 'the transaction ended before the reset');
  await csms!.waitFor('TransactionEvent', 3);
  assert.equal(events().map(shape).at(-1), ['Ended', 'ResetCommand', 'ImmediateReset']);
});

test('B11 Reset of one EVSE with a system connection: Rejected as OCPP201 does (the system resets the whole station), nothing called', async () => {
  const rig = await start();
  const r = await csms!.call<R>('Reset', { type: 'Immediate', evseId: 1 });
  assert.is(r.status, 'Rejected');
  assert.is((r.statusInfo as R).reasonCode, 'UnsupportedRequest');
  assert.equal(await csms!.call<R>('Reset', { type: 'Immediate', evseId: 9 }).then((x) => (x.statusInfo as R).reasonCode), 'UnknownEvse');
  await sleep(300);
  assert.equal(rig.system.calls, []);
  assert.equal(rig.cmds.calls, []);
});

test.run();
