// Property-based fuzzing of the cmd topics (fast-check), in the dialect of this pass: arbitrary JSON, calls
// with mutated fields, truncated and spliced payloads and random bytes, thrown at every cmd topic of both
// implementations. After each batch a valid call must get a correct answer; at the end the process is
// alive, no handler threw on input that passed validation, and nothing escaped the call handler.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { randomUUID } from 'node:crypto';
import { testDialect } from '../helpers/broker.js';
import { HEARTBEAT, replyError } from '../helpers/framework-caller.js';
import { startBusSession, type BusSession } from '../helpers/session.js';
import { CMD_ERROR_TYPES } from '../../src/errors.js';

const dialect = testDialect();
const v25 = dialect === 'v25';
// Each batch ends with a valid call: on a broker without TCP_NODELAY (CI's plain mosquitto) that costs 44 ms.
const RUNS = Number(process.env.TSOCPP_FUZZ_RUNS ?? (process.env.MQTT_URL ? 200 : 400));
const BATCH = 10;
let s: BusSession;
let prefix: string;
let sniffer: mqtt.MqttClient;
// What the module answered, read off the wire: results and error answers by type.
const answered = new Map<string, number>();

test.before(async () => {
  s = await startBusSession({ tag: 'fuzz', configModule: { max_payload_bytes: 8192 } });
  prefix = s.prefix;
  sniffer = await mqtt.connectAsync(s.broker.url, { protocolVersion: 4 });
  sniffer.on('message', (_topic, payload) => {
    const text = payload.toString();
    if (!/"type":"result"/.test(text)) return;
    const kind = /"__everest__error_type":"(\w+)"/.exec(text)?.[1] ?? 'result';
    answered.set(kind, (answered.get(kind) ?? 0) + 1);
  });
  await sniffer.subscribeAsync(v25 ? `${prefix}modules/ocpp/impl/+/cmd/+/response/#` : `${prefix}modules/ocpp/impl/+/cmd`, { qos: 2 });
});

test.after(async () => {
  await sniffer?.endAsync();
  await s?.close();
});

const CMDS: Array<{ impl: string; cmd: string; args: unknown }> = [
  { impl: 'ocpp_generic', cmd: 'stop', args: {} },
  { impl: 'ocpp_generic', cmd: 'restart', args: {} },
  { impl: 'ocpp_generic', cmd: 'security_event', args: { type: 'InvalidMessages', info: 'fuzz' } },
  { impl: 'ocpp_generic', cmd: 'get_variables', args: { requests: [{ component_variable: HEARTBEAT, attribute_type: 'Actual' }] } },
  { impl: 'ocpp_generic', cmd: 'set_variables', args: { requests: [{ component_variable: { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'OfflineThreshold' } }, value: '60' }] } },
  { impl: 'ocpp_generic', cmd: 'change_availability', args: { request: { operational_status: 'Operative', evse: { id: 1, connector_id: 1 } } } },
  { impl: 'ocpp_generic', cmd: 'monitor_variables', args: { component_variables: [HEARTBEAT] } },
  { impl: 'data_transfer', cmd: 'data_transfer', args: { request: { vendor_id: 'org.tsocpp', message_id: 'GetVariable', data: JSON.stringify(HEARTBEAT) } } },
];

function topicOf(impl: string, cmd: string): string {
  const base = `${prefix}modules/ocpp/impl/${impl}`;
  return v25 ? `${base}/cmd/${cmd}` : `${base}/cmd`;
}

/** An object with these own keys, `__proto__` included (as JSON.parse makes it), never a prototype change. */
function own(entries: Array<[string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** A value like `base`, with one change somewhere inside it (or none). */
function mutated(base: unknown, depth = 0): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('', '__proto__', 'constructor', 'a/b', '#', '+', '\u0000', 'Bogus', 'x'.repeat(300), -1, 2 ** 53, 1e308, -0, null, true, [], {}),
  );
  if (depth > 4) return fc.oneof(fc.constant(base), leaf);
  if (Array.isArray(base)) {
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant(base) }, leaf,
      fc.constant([]),
      fc.constant([...(base as unknown[]), ...(base as unknown[])]),
      base.length > 0 ? mutated(base[0], depth + 1).map((x): unknown[] => [x, ...(base as unknown[]).slice(1)]) : leaf,
    );
  }
  if (base !== null && typeof base === 'object') {
    const obj = base as Record<string, unknown>;
    const keys = Object.keys(obj);
    return fc.oneof(
      { weight: 2, arbitrary: fc.constant(base) }, leaf,
      keys.length > 0 ? fc.constantFrom(...keys).map((k) => own(Object.entries(obj).filter(([kk]) => kk !== k))) : leaf,
      fc.tuple(fc.constantFrom('extra', '__proto__', 'constructor', 'toString', ''), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => own([[k, v], ...Object.entries(obj)])),
      { weight: 3, arbitrary: keys.length > 0 ? fc.constantFrom(...keys).chain((k) => mutated(obj[k], depth + 1).map((v) => own(Object.entries(obj).map(([kk, vv]) => [kk, kk === k ? v : vv])))) : leaf },
    );
  }
  return fc.oneof({ weight: 2, arbitrary: fc.constant(base) }, leaf);
}

const nearValidCall = fc.constantFrom(...CMDS).chain(({ impl, cmd, args }) => fc.record({
  topic: fc.oneof({ weight: 9, arbitrary: fc.constant(topicOf(impl, cmd)) }, { weight: 1, arbitrary: fc.constantFrom(...CMDS).map((c) => topicOf(c.impl, c.cmd)) }),
  id: fc.oneof({ weight: 8, arbitrary: fc.constant('UNIQUE') }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }, { weight: 1, arbitrary: fc.constantFrom('same-id', '', 0, -1) }),
  origin: fc.oneof({ weight: 8, arbitrary: fc.constant('CALLER') }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: fc.constantFrom('a/b', '#', '+', 'x/+/#', '', 'ocpp', 7) }),
  args: mutated(args),
  name: fc.oneof({ weight: 8, arbitrary: fc.constant(cmd) }, { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 10 }), fc.constant(42)) }),
  shape: fc.oneof({ weight: 12, arbitrary: fc.constant('ok') }, fc.constantFrom('wrong-type', 'no-data', 'data-array', 'truncate', 'splice')),
  cut: fc.nat(),
  bytes: fc.uint8Array({ maxLength: 8 }),
})).map((c) => {
  // fast-check's uuids repeat often (bias), and a used id with another payload is refused: fresh ones mostly.
  const data: Record<string, unknown> = { id: c.id === 'UNIQUE' ? randomUUID() : c.id, origin: c.origin === 'CALLER' ? s.caller.origin : c.origin, args: c.args };
  let env: unknown = v25 ? { msg_type: 'Cmd', data } : { name: c.name, type: 'call', data };
  if (c.shape === 'wrong-type') env = v25 ? { msg_type: 'Var', data } : { name: c.name, type: 'result', data };
  if (c.shape === 'no-data') env = v25 ? { msg_type: 'Cmd' } : { name: c.name, type: 'call' };
  if (c.shape === 'data-array') env = v25 ? { msg_type: 'Cmd', data: [data] } : { name: c.name, type: 'call', data: [data] };
  let buf = Buffer.from(JSON.stringify(env));
  if (c.shape === 'truncate') buf = buf.subarray(0, c.cut % (buf.length + 1));
  if (c.shape === 'splice') {
    const at = c.cut % (buf.length + 1);
    buf = Buffer.concat([buf.subarray(0, at), Buffer.from(c.bytes), buf.subarray(at)]);
  }
  return { topic: c.topic, payload: buf };
});

const anyTopic = fc.constantFrom(...CMDS).map((c) => topicOf(c.impl, c.cmd));
const payload = fc.oneof(
  { weight: 5, arbitrary: nearValidCall },
  { weight: 2, arbitrary: fc.tuple(anyTopic, fc.json({ maxDepth: 4 })).map(([topic, text]) => ({ topic, payload: Buffer.from(text) })) },
  { weight: 1, arbitrary: fc.tuple(anyTopic, fc.uint8Array({ maxLength: 200 })).map(([topic, bytes]) => ({ topic, payload: Buffer.from(bytes) })) },
  { weight: 1, arbitrary: fc.tuple(anyTopic, fc.string({ unit: 'grapheme', maxLength: 100 })).map(([topic, s]) => ({ topic, payload: Buffer.from(s) })) },
  { weight: 1, arbitrary: fc.tuple(anyTopic, fc.nat({ max: 20_000 })).map(([topic, n]) => ({
    topic, payload: Buffer.from(`{"msg_type":"Cmd","data":{"id":"big","origin":"${s.caller.origin}","args":{"requests":"${'x'.repeat(n)}"}}}`),
  })) },
);

test(`${RUNS * BATCH} fuzzed payloads on every cmd topic; the valid call after each batch is answered correctly`, async () => {
  const t0 = Date.now();
  let sent = 0;
  let checked = 0;
  await fc.assert(fc.asyncProperty(fc.array(payload, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
    for (const p of batch) {
      // Not awaited one by one: the module sees them back to back, as a flood would come.
      void s.caller.client.publish(p.topic, p.payload, { qos: 2 });
      sent++;
    }
    const r = await s.caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [{ component_variable: HEARTBEAT }] }, { id: randomUUID(), timeoutMs: 5000 });
    assert.is(replyError(r), undefined);
    const v = (r.data.retval as Array<{ status: string; value?: string }>)[0]!;
    assert.is(v.status, 'Accepted');
    assert.match(String(v.value), /^\d+$/);
    assert.is(s.mod.proc.exitCode, null, 'the module process is alive');
    checked++;
  }), { numRuns: RUNS, endOnFailure: true });
  await new Promise((r) => setTimeout(r, 300));
  const figures = [...answered].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(', ');
  process.stdout.write(`\n  fuzz (${dialect}): ${sent} payloads, ${checked} interleaved valid calls answered, ${Date.now() - t0} ms; answers on the wire: ${figures}\n`);
  for (const kind of answered.keys()) assert.ok(kind === 'result' || (CMD_ERROR_TYPES as readonly string[]).includes(kind), `error type ${kind}`);
  assert.ok((answered.get('result') ?? 0) > checked, 'fuzzed calls that were valid were served too');
  // Every cmd still answers.
  const dt = await s.caller.call('ocpp', 'data_transfer', 'data_transfer', { request: { vendor_id: 'nobody' } });
  assert.equal(dt.data.retval, { status: 'UnknownVendorId' });
  // A security_event with a blank type fits the schema (type: string) and is answered SchemaValidationError
  // by the module (src/module/ocpp-module.ts). Any handler that throws on validated input is a finding.
  const escaped = s.mod.lines.filter((l) => /unexpected failure while handling a call|handler of \w+ threw|"level":60/.test(l));
  assert.equal(escaped, [], 'no handler threw on input that passed validation, nothing escaped the call handler');
  assert.is(answered.get('HandlerException') ?? 0, 0, 'no HandlerException answers');
});

test.run();
