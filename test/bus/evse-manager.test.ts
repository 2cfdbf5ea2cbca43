// With evse_manager modules connected (one per EVSE), their session_event var drives the transaction
// flag (a change_availability during a transaction is Scheduled, applied when it ends), and each
// connector's availability change is passed on as enable_disable, as everest-core's OCPP201 does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { startBusSession, until, type BusSession } from '../helpers/session.js';
import { testBroker, testDialect, type TestBroker } from '../helpers/broker.js';

const dialect = testDialect();
let broker: TestBroker;
let s: BusSession;
let evse: MqttClient;
const calls: Array<{ module: string; cmd: string; args: Record<string, unknown> }> = [];
/** A call off the wire in either dialect (v0.25 `{msg_type, data}`, older `{name, type, data}`): the keys read here. */
interface WireCall { name?: string; type?: string; data: { id: string; origin: string; args: Record<string, unknown> } }
let prefix = '';

function publishSessionEvent(moduleId: string, event: string): void {
  const base = `${prefix}modules/${moduleId}/impl/evse`;
  const value = { event, uuid: `${moduleId}-${event}`, timestamp: new Date().toISOString() };
  if (dialect === 'v25') evse.publish(`${base}/var/session_event`, JSON.stringify({ msg_type: 'Var', data: { data: value } }), { qos: 2 });
  else evse.publish(`${base}/var`, JSON.stringify({ name: 'session_event', data: value }), { qos: 2 });
}

test.before(async () => {
  broker = await testBroker();
  evse = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  s = await startBusSession({
    tag: 'ev',
    broker,
    configModule: { evse_count: 2, connectors_per_evse: 1 },
    connections: { evse_manager: [{ module_id: 'evse1', implementation_id: 'evse' }, { module_id: 'evse2', implementation_id: 'evse' }] },
    beforeManager: async (_b, p) => {
      prefix = p;
      // Two evse_manager stand-ins answering enable_disable with true, in this pass's dialect.
      for (const m of ['evse1', 'evse2']) {
        const base = `${p}modules/${m}/impl/evse`;
        await evse.subscribeAsync(dialect === 'v25' ? `${base}/cmd/+` : `${base}/cmd`, { qos: 2 });
      }
      evse.on('message', (topic, payload) => {
        const msg = JSON.parse(payload.toString()) as WireCall;
        const module = topic.split('/')[2]!;
        if (dialect === 'v25') {
          const cmd = topic.split('/').pop()!;
          calls.push({ module, cmd, args: msg.data.args });
          evse.publish(`${topic}/response/${msg.data.origin}`, JSON.stringify({ msg_type: 'CmdResult', data: { type: 'result', data: { id: msg.data.id, origin: module, retval: true } } }), { qos: 2 });
        } else if (msg.type === 'call') {
          calls.push({ module, cmd: String(msg.name), args: msg.data.args });
          evse.publish(topic, JSON.stringify({ name: msg.name, type: 'result', data: { id: msg.data.id, origin: module, retval: true } }), { qos: 2 });
        }
      });
    },
  });
});

test.after(async () => {
  await s?.close();
  await evse?.endAsync();
  await broker?.close();
});

const avail = async (request: unknown): Promise<string> =>
  ((await s.caller.call('ocpp', 'ocpp_generic', 'change_availability', { request })).data.retval as { status: string }).status;

test('a connector made Inoperative is disabled on its evse_manager with the CSMS as source', async () => {
  assert.is(await avail({ operational_status: 'Inoperative', evse: { id: 2, connector_id: 1 } }), 'Accepted');
  await until(() => calls.some((c) => c.module === 'evse2'));
  const c = calls.find((x) => x.module === 'evse2')!;
  assert.is(c.cmd, 'enable_disable');
  assert.equal(c.args, { connector_id: 1, cmd_source: { enable_source: 'CSMS', enable_state: 'Disable', enable_priority: 5000 } });
  assert.not.ok(calls.some((x) => x.module === 'evse1'), 'the other EVSE is left alone');
});

test('a transaction reported on session_event makes a change Scheduled until TransactionFinished', async () => {
  publishSessionEvent('evse1', 'TransactionStarted');
  await new Promise((r) => setTimeout(r, 300));
  assert.is(await avail({ operational_status: 'Inoperative', evse: { id: 1 } }), 'Scheduled');
  assert.not.ok(calls.some((x) => x.module === 'evse1'), 'nothing disabled while charging');
  publishSessionEvent('evse1', 'TransactionFinished');
  await until(() => calls.some((x) => x.module === 'evse1'));
  const c = calls.find((x) => x.module === 'evse1')!;
  assert.equal(c.args.cmd_source, { enable_source: 'CSMS', enable_state: 'Disable', enable_priority: 5000 });
});

test.run();
