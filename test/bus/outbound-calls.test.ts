// Calls TsOcpp makes to other modules and vars it subscribes to, against a provider that answers the
// way a framework module of this pass's dialect does: each framework error type becomes a typed
// CmdError carrying that type; a silent provider ends in CmdTimeout, not a hang.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt, { type MqttClient } from 'mqtt';
import { testBroker, testDialect, uniquePrefix, type TestBroker } from '../helpers/broker.js';
import { openConnection, waitConnected } from '../../src/everest/connection.js';
import { Publisher } from '../../src/everest/publisher.js';
import { Caller } from '../../src/everest/caller.js';
import { dialectFor } from '../../src/everest/dialect.js';
import { resolveBusSettings } from '../../src/everest/settings.js';
import { CMD_ERROR_TYPES, CmdError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';

const dialect = testDialect();
let broker: TestBroker;
let prefix: string;
let provider: MqttClient;
let caller: Caller;
let callerClient: MqttClient;

const V22_NAMES: Record<string, string> = { MessageParsingError: 'MessageParsingFailed', SchemaValidationError: 'SchemaValidationFailed', CmdTimeout: 'Timeout' };

test.before(async () => {
  broker = await testBroker();
  prefix = uniquePrefix('ob');
  provider = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  const base = `${prefix}modules/evse/impl/main`;
  // A provider written out literally per dialect: cmd `fail` answers the error type named in its args,
  // `echo` returns its args, `silent` never answers.
  await provider.subscribeAsync(dialect === 'v25' ? `${base}/cmd/+` : `${base}/cmd`, { qos: 2 });
  provider.on('message', (topic, payload) => {
    // Either dialect's call (v0.25 `{msg_type, data}`, older `{name, type, data}`): the keys read here.
    const msg = JSON.parse(payload.toString()) as { name?: string; type?: string; data: { id: string; origin: string; args: Record<string, unknown> } };
    const call = dialect === 'v25' ? { name: topic.split('/').pop(), ...msg.data } : msg.type === 'call' ? { name: msg.name, ...msg.data } : undefined;
    if (!call || call.name === 'silent') return;
    const data: Record<string, unknown> = { id: call.id, origin: 'evse' };
    if (call.name === 'fail') {
      const t = call.args.type as string;
      // v0.22 and v0.23+ error keys, as an old-dialect provider of either version may send them.
      data.error = dialect === 'v25' ? { __everest__error_type: t, __everest__error_msg: 'boom' } : call.args.v22 ? { event: V22_NAMES[t] ?? t, msg: 'boom' } : { __everest__error_type: t, __everest__error_msg: 'boom' };
    } else {
      data.retval = call.args;
    }
    if (dialect === 'v25') {
      provider.publish(`${base}/cmd/${call.name}/response/${call.origin}`, JSON.stringify({ msg_type: 'CmdResult', data: { type: 'result', data } }), { qos: 2 });
    } else {
      provider.publish(`${base}/cmd`, JSON.stringify({ name: call.name, type: 'result', data }), { qos: 2 });
    }
  });
  const settings = resolveBusSettings({}, {}, { moduleId: 'ocpp', brokerUrl: broker.url });
  callerClient = openConnection({ settings, log: silentLogger() });
  await waitConnected(callerClient, 5000);
  caller = new Caller({ client: callerClient, publisher: new Publisher(callerClient, 20), dialect: dialectFor(dialect), everestPrefix: prefix, selfId: 'ocpp', log: silentLogger(), callTimeoutMs: 2000 });
  callerClient.on('message', (t, p) => caller.onMessage(t, p));
});

test.after(async () => {
  await callerClient?.endAsync();
  await provider?.endAsync();
  await broker?.close();
});

test('a result comes back as the retval', async () => {
  assert.equal(await caller.call('evse', 'main', 'echo', { a: 1 }), { a: 1 });
});

for (const type of CMD_ERROR_TYPES) {
  test(`an error answer of type ${type} becomes a CmdError carrying ${type}`, async () => {
    try {
      await caller.call('evse', 'main', 'fail', { type });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, CmdError);
      assert.is((err as CmdError).type, type);
      assert.match((err as CmdError).message, /boom/);
    }
  });
}

if (dialect !== 'v25') {
  test('v0.22 error names (event/msg) are read too', async () => {
    try {
      await caller.call('evse', 'main', 'fail', { type: 'SchemaValidationError', v22: true });
      assert.unreachable();
    } catch (err) {
      assert.is((err as CmdError).type, 'SchemaValidationError');
    }
  });
}

test('a provider that never answers ends the call with CmdTimeout, not a hang', async () => {
  const t0 = Date.now();
  try {
    await caller.call('evse', 'main', 'silent', {}, 300);
    assert.unreachable();
  } catch (err) {
    assert.is((err as CmdError).type, 'CmdTimeout');
    assert.ok(Date.now() - t0 < 2000);
  }
});

test('vars of another module reach a subscriber in this dialect', async () => {
  const got: unknown[] = [];
  await caller.subscribeVar('evse', 'main', 'session_event', (v) => got.push(v));
  const base = `${prefix}modules/evse/impl/main`;
  const value = { event: 'TransactionStarted', uuid: 'x' };
  if (dialect === 'v25') provider.publish(`${base}/var/session_event`, JSON.stringify({ msg_type: 'Var', data: { data: value } }), { qos: 2 });
  else provider.publish(`${base}/var`, JSON.stringify({ name: 'session_event', data: value }), { qos: 2 });
  const end = Date.now() + 3000;
  while (got.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  assert.equal(got, [value]);
});

test.run();
