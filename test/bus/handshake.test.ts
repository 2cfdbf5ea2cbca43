// The start-up handshake and the wire format, in the dialect of this pass (TSOCPP_TEST_DIALECT):
// a manager stand-in speaks it, the module process finds it out by itself, a framework-style caller
// checks every envelope.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import { testDialect } from '../helpers/broker.js';
import { startTestManager } from '../helpers/manager.js';
import { FrameworkCaller, HEARTBEAT, replyError } from '../helpers/framework-caller.js';
import { startBusSession, type BusSession } from '../helpers/session.js';

const dialect = testDialect();
let s: BusSession;
let prefix: string;
const wire: Array<{ topic: string; text: string }> = [];
let sniffer: mqtt.MqttClient;

test.before(async () => {
  s = await startBusSession({
    tag: 'hs',
    beforeManager: async (broker, p) => {
      prefix = p;
      sniffer = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
      await sniffer.subscribeAsync(`${p}#`, { qos: 2 });
      sniffer.on('message', (topic, payload) => wire.push({ topic, text: payload.toString() }));
    },
  });
});

test.after(async () => {
  await s?.close();
  await sniffer?.endAsync();
});

test(`detects the ${dialect} dialect from the start-up topics and logs it once`, async () => {
  const line = await s.mod.waitFor(/bus dialect/);
  assert.match(line, new RegExp(`"dialect":"${dialect}"`));
  assert.is(s.mod.lines.filter((l) => /bus dialect/.test(l)).length, 1);
});

test('asks for its config and says ready in the form this manager accepts, then sees global ready', async () => {
  await s.mod.waitFor(/global ready/);
  assert.ok(s.manager.service.globalReady, 'the manager stand-in reached global ready');
  assert.equal(s.manager.service.violations, [], 'nothing a real manager would abort on');
  const ready = wire.find((m) => m.topic === `${prefix}modules/ocpp/ready`);
  assert.ok(ready, 'ready published');
  assert.is(ready.text, dialect === 'v25' ? '{"data":true,"msg_type":"ModuleReady"}' : 'true');
  const request = wire.find((m) => m.topic === (dialect === 'v19' ? `${prefix}modules/ocpp/get_config` : `${prefix}config/request`));
  assert.ok(request, 'config requested on the dialect topic');
  // It never says anything in another dialect: no v25 envelope to an old manager and no bare request to v0.25.
  const requests = wire.filter((m) => m.topic === `${prefix}config/request` || m.topic.endsWith('/get_config'));
  for (const r of requests) {
    if (dialect === 'v25') assert.match(r.text, /"msg_type":"GetConfig"/);
    else assert.not.match(r.text, /msg_type/);
  }
});

test('answers get_variables with the framework result envelope', async () => {
  const r = await s.caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [{ component_variable: HEARTBEAT }] });
  assert.is(r.topic, dialect === 'v25'
    ? `${prefix}modules/ocpp/impl/ocpp_generic/cmd/get_variables/response/${s.caller.origin}`
    : `${prefix}modules/ocpp/impl/ocpp_generic/cmd`);
  if (dialect === 'v25') {
    assert.is(r.envelope.msg_type, 'CmdResult');
    assert.equal(Object.keys(r.envelope).sort(), ['data', 'msg_type']);
    assert.equal(Object.keys(r.envelope.data as object).sort(), ['data', 'type']);
  } else {
    // A result without name, type, data.id and data.origin makes an old-dialect caller abort.
    assert.is(r.envelope.name, 'get_variables');
    assert.is(r.envelope.type, 'result');
  }
  assert.equal(Object.keys(r.data).sort(), ['id', 'origin', 'retval']);
  assert.is(r.data.origin, 'ocpp');
  const retval = r.data.retval as Array<Record<string, unknown>>;
  assert.is(retval.length, 1);
  assert.is(retval[0]!.status, 'Accepted');
  assert.is(retval[0]!.value, '1800');
});

test('answers a cmd without result with retval null', async () => {
  const r = await s.caller.call('ocpp', 'ocpp_generic', 'monitor_variables', { component_variables: [HEARTBEAT] });
  assert.is(r.data.retval, null);
  assert.is(replyError(r), undefined);
});

test('publishes vars with the framework var envelope', async () => {
  const seen = wire.filter((m) => m.topic.includes('/impl/ocpp_generic/var'));
  const isConnected = seen.find((m) => m.text.includes('is_connected') || m.topic.endsWith('/is_connected'));
  assert.ok(isConnected, 'is_connected published at global ready');
  assert.is(isConnected.text, dialect === 'v25' ? '{"data":{"data":false},"msg_type":"Var"}' : '{"data":false,"name":"is_connected"}');
});

test('error answers carry the keys this dialect reads', async () => {
  const r = await s.caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: 'nope' });
  const e = r.data.error as Record<string, unknown>;
  assert.ok(e, 'error present');
  assert.not.ok('retval' in r.data);
  assert.is(e.__everest__error_type, 'SchemaValidationError');
  if (dialect === 'v25') {
    assert.equal(Object.keys(e).sort(), ['__everest__error_msg', '__everest__error_type']);
  } else {
    // v0.22 reads event/msg with its own names, v0.23-v0.24 the __everest__ keys: both are there.
    assert.is(e.event, 'SchemaValidationFailed');
    assert.type(e.msg, 'string');
  }
});

test('publishes metadata naming its implementations', async () => {
  const m = wire.find((x) => x.topic === `${prefix}modules/ocpp/metadata`);
  assert.ok(m);
  const body = JSON.parse(m.text) as Record<string, unknown>;
  const data = (dialect === 'v25' ? body.data : body) as { provides: Record<string, { interface: string }> };
  assert.equal(data.provides, {
    ocpp_generic: { interface: 'ocpp' }, data_transfer: { interface: 'ocpp_data_transfer' },
    auth_validator: { interface: 'auth_token_validator' }, auth_provider: { interface: 'auth_token_provider' },
  });
});

test('restarted alone while the stack is up, it comes back serving on its own', async () => {
  await s.restartModule();
  await s.mod.waitFor(/already up/);
  assert.match(await s.mod.waitFor(/bus dialect/), new RegExp(`"dialect":"${dialect}"`));
  const r = await s.caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [{ component_variable: HEARTBEAT }] });
  assert.is((r.data.retval as Array<{ status: string }>)[0]!.status, 'Accepted');
  assert.equal(s.manager.service.violations, []);
});

test('when the manager restarts (here speaking another dialect), it joins the bus again', async () => {
  await s.manager.stop();
  const other = dialect === 'v25' ? 'v22' : 'v25';
  s.manager = await startTestManager({ brokerUrl: s.broker.url, prefix, dialect: other });
  await s.mod.waitFor(/joining the bus again/);
  const end = Date.now() + 15_000;
  while (!s.manager.service.globalReady && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.ok(s.manager.service.globalReady, 'the new manager reached global ready');
  assert.equal(s.manager.service.violations, []);
  const c2 = await FrameworkCaller.connect(s.broker.url, prefix, other);
  try {
    const r = await c2.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [{ component_variable: HEARTBEAT }] });
    assert.is((r.data.retval as Array<{ status: string }>)[0]!.status, 'Accepted');
  } finally {
    await c2.close();
  }
});

test.run();
