// SIGKILL of TsOcpp (a real process under a manager stand-in) in the middle of a charging session: after the
// restart the same transaction continues, with the same transactionId and the next seqNo (E01, E04), and
// the CSMS sees one contiguous transaction.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { testBroker, testDialect, uniquePrefix, type TestBroker } from './helpers/broker.js';
import { startTestManager } from './helpers/manager.js';
import { startModuleProcess, stopModule, type ModuleProcess } from './helpers/module-process.js';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel } from './fixtures/csms/app.js';
import { ScriptedEvse } from './fixtures/evse.js';

type R = Record<string, unknown>;
let broker: TestBroker;
let csms: TestCsms;
let client: MqttClient;
let mod: ModuleProcess | undefined;
let manager: Awaited<ReturnType<typeof startTestManager>> | undefined;

test.before(async () => {
  broker = await testBroker();
  csms = await new TestCsms({ password: PASSWORD }).start();
  client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
});
test.after(async () => {
  if (mod) await stopModule(mod);
  await manager?.stop();
  await client.endAsync();
  await csms.stop();
  await broker.close();
});

test('SIGKILL mid-session: the restarted TsOcpp continues the same transactionId with the next seqNo', async () => {
  const prefix = uniquePrefix('crashtx');
  manager = await startTestManager({
    brokerUrl: broker.url, prefix, dialect: testDialect(),
    configModule: { csms_url: csms.url, station_id: 'CS-crashtx', evse_count: 2, connectors_per_evse: 1 },
    connections: { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }, { module_id: 'evse2', implementation_id: 'evse' }] },
  });
  seedDeviceModel(manager.dbPath);
  const evse = new ScriptedEvse(client, prefix, 'evse1', testDialect());
  mod = await startModuleProcess(broker.url, prefix);
  await csms.waitFor('StatusNotification', 2);
  await evse.plugIn();
  await evse.authorize();
  await evse.charge();
  await csms.waitFor('TransactionEvent', 2);
  await mod.stop('SIGKILL');
  mod = await startModuleProcess(broker.url, prefix);
  await evse.stop();
  await evse.unplug();
  await csms.until(() => csms.of('TransactionEvent').some((r) => r.params.eventType === 'Ended'), 15_000, 'the Ended');
  // At least once: an entry the CSMS answered just before the kill, not yet removed, comes again (the same).
  const seen = new Map<number, R>();
  for (const { params } of csms.of('TransactionEvent')) {
    const before = seen.get(params.seqNo as number);
    if (before) assert.equal(params, before, 'a repeat is the same message');
    seen.set(params.seqNo as number, params);
  }
  const got = [...seen.values()];
  assert.equal(got.map((p) => [p.eventType, p.seqNo]), [['Started', 0], ['Updated', 1], ['Ended', 2]]);
  assert.is(new Set(got.map((p) => (p.transactionInfo as R).transactionId)).size, 1, 'one transactionId');
});

test.run();
