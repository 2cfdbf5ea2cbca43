// Hostile input on the cmd topics, in the dialect of this pass. Each message is answered with one of the
// framework's six error types on the reply topic, naming the field, or (when no reply topic can be made)
// dropped with one warning line; after each, a valid call is answered. Then handlers that throw, hang or
// fail on a locked database: they get HandlerException / CmdTimeout answers and do not hold up other calls.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import { randomUUID } from 'node:crypto';
import { testDialect, uniquePrefix, type TestBroker } from '../helpers/broker.js';
import { startTestManager } from '../helpers/manager.js';
import type { ModuleProcess } from '../helpers/module-process.js';
import { FrameworkCaller, HEARTBEAT, replyError, type RawReply } from '../helpers/framework-caller.js';
import { startBusSession, type BusSession } from '../helpers/session.js';
import { CMD_ERROR_TYPES, CmdError } from '../../src/errors.js';
import { EverestModule } from '../../src/everest/module.js';
import { resolveBusSettings } from '../../src/everest/settings.js';
import { defaultManifest } from '../../src/app.js';
import { bundledInterfaces, bundledTypes } from '../../src/schema/definitions.js';
import { silentLogger } from '../../src/log.js';
import type { TsOcppSpec } from '../../src/module/ocpp-module.js';
import { sleep } from '../helpers/wait.js';
import { Child } from '../helpers/child.js';

const dialect = testDialect();
const v25 = dialect === 'v25';
const MAX = 4096;
let session: BusSession;
let broker: TestBroker;
let prefix: string;
let manager: BusSession['manager'];
let mod: ModuleProcess;
let caller: FrameworkCaller;
let sniffer: mqtt.MqttClient;
const wire: Array<{ topic: string; text: string }> = [];


test.before(async () => {
  session = await startBusSession({
    tag: 'hostile',
    configModule: { max_payload_bytes: MAX },
    beforeManager: async (b, p) => {
      sniffer = await mqtt.connectAsync(b.url, { protocolVersion: 4 });
      await sniffer.subscribeAsync(`${p}#`, { qos: 2 });
      sniffer.on('message', (topic, payload) => wire.push({ topic, text: payload.toString() }));
    },
  });
  ({ broker, prefix, manager, mod, caller } = session);
});

test.after(async () => {
  await session?.close();
  await sniffer?.endAsync();
});

// --- helpers -------------------------------------------------------------------------------------------------
/** A call payload in this dialect, outer keys sorted as the framework writes them; `data` keys in the order given. */
function envelope(cmd: string, data: unknown): string {
  return v25 ? JSON.stringify({ data, msg_type: 'Cmd' }) : JSON.stringify({ data, name: cmd, type: 'call' });
}

function cmdTopic(cmd: string, impl = 'ocpp_generic'): string {
  const base = `${prefix}modules/ocpp/impl/${impl}`;
  return v25 ? `${base}/cmd/${cmd}` : `${base}/cmd`;
}

async function stillServes(): Promise<void> {
  const r = await caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [{ component_variable: HEARTBEAT }] });
  assert.is(replyError(r), undefined, 'a valid call right after is answered');
  assert.is((r.data.retval as Array<{ status: string }>)[0]!.status, 'Accepted');
  assert.is(mod.proc.exitCode, null, 'the module process is alive');
}

/** Send raw text (or bytes) as a call of `cmd` and expect an error answer of `type` whose message matches `field`. */
async function expectError(cmd: string, text: string | Buffer, id: string, type: string, field: RegExp): Promise<RawReply> {
  const r = await caller.callRaw('ocpp', 'ocpp_generic', cmd, text, id);
  const e = replyError(r);
  assert.ok(e, `an error answer: ${r.text.slice(0, 300)}`);
  assert.ok((CMD_ERROR_TYPES as readonly string[]).includes(e.type), `a framework error type: ${e.type}`);
  assert.is(e.type, type);
  assert.match(e.msg, field);
  assert.not.ok('retval' in r.data, 'no retval beside the error');
  if (!v25) assert.is(typeof r.envelope.name, 'string', 'old dialect: the result carries a name');
  await stillServes();
  return r;
}

function warnings(): number {
  return mod.lines.filter((l) => /"level":40/.test(l) && /dropped/.test(l)).length;
}

/** Publish raw text on a topic and expect no answer, exactly one warning line, and the module still serving. */
async function expectDropped(topic: string, text: string | Buffer, opts: { warn?: boolean } = {}): Promise<void> {
  const before = warnings();
  const wireBefore = wire.length;
  await caller.publishRaw(topic, text);
  if (opts.warn !== false) {
    const deadline = Date.now() + 2000;
    while (warnings() === before && Date.now() < deadline) await sleep(10);
  }
  await sleep(150);
  assert.is(warnings() - before, opts.warn === false ? 0 : 1, 'one warning line');
  // (Answers to the valid calls before may still be on their way to the sniffer: only error answers count.)
  const answers = wire.slice(wireBefore).filter((m) => /__everest__error/.test(m.text));
  assert.equal(answers, [], 'no answer published');
  await stillServes();
}

const okArgs = { requests: [{ component_variable: HEARTBEAT }] };
const data = (id: string, args: unknown = okArgs, origin: unknown = caller.origin) => ({ id, origin, args });

// --- unreadable payloads --------------------------------------------------------------------------------------
test('non-JSON without anything to answer to: dropped with one warning line', async () => {
  await expectDropped(cmdTopic('get_variables'), 'hello, this is not JSON');
  await expectDropped(cmdTopic('get_variables'), '');
});

test('truncated JSON: MessageParsingError naming the payload', async () => {
  const id = randomUUID();
  // id and origin before the cut (v25: the cmd comes from the topic; old dialect: the name must be readable).
  const full = v25
    ? `{"msg_type":"Cmd","data":{"id":"${id}","origin":"${caller.origin}","args":{"requests":[{"component_variable":`
    : `{"name":"get_variables","type":"call","data":{"id":"${id}","origin":"${caller.origin}","args":{"requests":[`;
  await expectError('get_variables', full, id, 'MessageParsingError', /payload is not JSON/);
  // Cut where the framework's key order (args first) leaves nothing to answer to: dropped.
  const framework = envelope('get_variables', { args: okArgs, id: randomUUID(), origin: caller.origin });
  await expectDropped(cmdTopic('get_variables'), framework.slice(0, 40));
});

test('JSON of the wrong shape', async () => {
  await expectDropped(cmdTopic('get_variables'), '[1,2,3]');
  await expectDropped(cmdTopic('get_variables'), '"just a string"');
  await expectDropped(cmdTopic('get_variables'), '{"foo":{"bar":1}}');
  // Readable enough to answer: an id and origin where a call has them, in a message that is not a call.
  const id = randomUUID();
  const text = v25
    ? JSON.stringify({ msg_type: 'Var', data: { id, origin: caller.origin } })
    : JSON.stringify({ name: 'get_variables', type: 'bogus', data: { id, origin: caller.origin } });
  await expectError('get_variables', text, id, 'MessageParsingError', /not a command call/);
  // data that is not an object
  const id2 = randomUUID();
  const r = await caller.callRaw('ocpp', 'ocpp_generic', 'get_variables', envelope('get_variables', [id2, caller.origin]), id2, 400).catch(() => undefined);
  assert.is(r, undefined, 'data as an array has no id to answer');
  await stillServes();
});

test('missing id, origin or args; wrong types of id and args', async () => {
  await expectError('get_variables', envelope('get_variables', { origin: caller.origin, args: okArgs }), 'null', 'MessageParsingError', /id: is missing/);
  await expectError('get_variables', envelope('get_variables', { id: { x: 1 }, origin: caller.origin, args: okArgs }), 'null', 'MessageParsingError', /id: must be a string or a number/);
  await expectError('get_variables', envelope('get_variables', { id: 'a1', origin: caller.origin }), 'a1', 'SchemaValidationError', /requests: missing argument/);
  const id = randomUUID();
  await expectError('get_variables', envelope('get_variables', data(id, { requests: 'nope' })), id, 'SchemaValidationError', /requests: must be array/);
  const id2 = randomUUID();
  await expectError('get_variables', envelope('get_variables', data(id2, 'args as a string')), id2, 'SchemaValidationError', /args: must be object/);
  const id3 = randomUUID();
  await expectError('get_variables', envelope('get_variables', data(id3, { requests: [{ component_variable: { component: { name: 7 }, variable: { name: 'HeartbeatInterval' } } }] })),
    id3, 'SchemaValidationError', /requests\/0\/component_variable\/component\/name: must be string/);
  // Without an origin there is no v25 reply topic; the old dialect answers on the shared cmd topic.
  const id4 = randomUUID();
  const noOrigin = envelope('get_variables', { id: id4, args: okArgs });
  if (v25) await expectDropped(cmdTopic('get_variables'), noOrigin);
  else await expectError('get_variables', noOrigin, id4, 'MessageParsingError', /origin: is missing/);
});

test('extra properties and enum values that do not exist', async () => {
  let id = randomUUID();
  await expectError('get_variables', envelope('get_variables', data(id, { ...okArgs, extra: 1 })), id, 'SchemaValidationError', /extra: is not a declared argument/);
  // A field that an object type does not declare is served: GetVariableRequest does not say
  // additionalProperties: false, and the framework's validator accepts it as well.
  id = randomUUID();
  const open = await caller.callRaw('ocpp', 'ocpp_generic', 'get_variables', envelope('get_variables', data(id, { requests: [{ component_variable: HEARTBEAT, colour: 'red' }] })), id);
  assert.is(replyError(open), undefined);
  id = randomUUID();
  await expectError('get_variables', envelope('get_variables', data(id, { requests: [{ component_variable: HEARTBEAT, attribute_type: 'Bogus' }] })),
    id, 'SchemaValidationError', /requests\/0\/attribute_type: must be one of Actual, Target, MinSet, MaxSet/);
  id = randomUUID();
  await expectError('change_availability', envelope('change_availability', data(id, { request: { operational_status: 'Sideways' } })),
    id, 'SchemaValidationError', /request\/operational_status: must be one of/);
  // Extra keys beside id/origin/args are ignored, as the framework ignores them.
  const r = await caller.callRaw('ocpp', 'ocpp_generic', 'get_variables', envelope('get_variables', { ...data('x-extra'), hello: 'there' }), 'x-extra');
  assert.is(replyError(r), undefined);
});

test('huge arrays and strings: over max_payload_bytes refused naming the limit; within it answered', async () => {
  const id = randomUUID();
  const bigString = { requests: [{ component_variable: { component: { name: 'x'.repeat(10_000) }, variable: { name: 'y' } } }] };
  await expectError('get_variables', envelope('get_variables', data(id, bigString)), id, 'MessageParsingError', new RegExp(`exceeds the limit of ${MAX} bytes \\(max_payload_bytes\\)`));
  // In the framework's key order (args first, id and origin at the end), as a real caller sends it.
  const id2 = randomUUID();
  const many = { requests: Array.from({ length: 2000 }, () => ({ component_variable: HEARTBEAT })) };
  await expectError('get_variables', envelope('get_variables', { args: many, id: id2, origin: caller.origin }), id2, 'MessageParsingError', /exceeds the limit/);
  // Far past the limit (1 MiB) the same.
  const id3 = randomUUID();
  await expectError('get_variables', envelope('get_variables', { args: { requests: 'z'.repeat(1 << 20) }, id: id3, origin: caller.origin }), id3, 'MessageParsingError', /exceeds the limit/);
  // A large array that fits is served whole.
  const fits = { requests: Array.from({ length: 30 }, () => ({ component_variable: HEARTBEAT })) };
  const r = await caller.call('ocpp', 'ocpp_generic', 'get_variables', fits);
  assert.is((r.data.retval as unknown[]).length, 30);
});

test('deep nesting', async () => {
  const depth = 1500;
  const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  let id = randomUUID();
  const text = v25
    ? `{"msg_type":"Cmd","data":{"id":"${id}","origin":"${caller.origin}","args":{"requests":[${deep}]}}}`
    : `{"name":"get_variables","type":"call","data":{"id":"${id}","origin":"${caller.origin}","args":{"requests":[${deep}]}}}`;
  await expectError('get_variables', text, id, 'SchemaValidationError', /requests\/0: must be object/);
  id = randomUUID();
  const deepObj = `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`;
  const text2 = v25
    ? `{"msg_type":"Cmd","data":{"id":"${id}","origin":"${caller.origin}","args":{"requests":[],"x":${deepObj}}}}`
    : `{"name":"get_variables","type":"call","data":{"id":"${id}","origin":"${caller.origin}","args":{"requests":[],"x":${deepObj}}}}`;
  await expectError('get_variables', text2, id, 'SchemaValidationError', /x: is not a declared argument/);
  // Deep nesting around the call itself.
  await expectDropped(cmdTopic('get_variables'), deep);
});

test('__proto__ and constructor keys do not pollute: refused by name as arguments, plain fields inside a type object', async () => {
  let id = randomUUID();
  const proto = `{"requests":[],"__proto__":{"polluted":true}}`;
  const wrap = (i: string, args: string) => v25
    ? `{"msg_type":"Cmd","data":{"id":"${i}","origin":"${caller.origin}","args":${args}}}`
    : `{"name":"get_variables","type":"call","data":{"id":"${i}","origin":"${caller.origin}","args":${args}}}`;
  await expectError('get_variables', wrap(id, proto), id, 'SchemaValidationError', /__proto__: is not a declared argument/);
  id = randomUUID();
  await expectError('get_variables', wrap(id, `{"requests":[],"constructor":{"prototype":{"polluted":true}}}`), id, 'SchemaValidationError', /constructor: is not a declared argument/);
  id = randomUUID();
  const inner = `{"requests":[{"component_variable":{"component":{"name":"OCPPCommCtrlr","__proto__":{"name":"x"}},"variable":{"name":"HeartbeatInterval"}}}]}`;
  const served = await caller.callRaw('ocpp', 'ocpp_generic', 'get_variables', wrap(id, inner), id);
  assert.is(replyError(served), undefined);
  assert.equal((served.data.retval as Array<{ status: string; value?: string }>).map((x) => x.status), ['Accepted'], 'the component is still OCPPCommCtrlr');
  // The envelope's own keys: an origin hidden behind __proto__ is no origin.
  const id2 = randomUUID();
  const hidden = v25
    ? `{"msg_type":"Cmd","data":{"id":"${id2}","__proto__":{"origin":"${caller.origin}"},"args":{"requests":[]}}}`
    : `{"name":"get_variables","type":"call","data":{"id":"${id2}","__proto__":{"origin":"${caller.origin}"},"args":{"requests":[]}}}`;
  if (v25) await expectDropped(cmdTopic('get_variables'), hidden);
  else await expectError('get_variables', hidden, id2, 'MessageParsingError', /origin: is missing/);
  // ids and origins named like Object.prototype members are ordinary strings.
  const r = await caller.callRaw('ocpp', 'ocpp_generic', 'get_variables', envelope('get_variables', data('__proto__')), '__proto__');
  assert.is(replyError(r), undefined);
  const r2 = await caller.callRaw('ocpp', 'ocpp_generic', 'get_variables', envelope('get_variables', data('constructor')), 'constructor');
  assert.is(replyError(r2), undefined);
});

test('invalid UTF-8: MessageParsingError naming the encoding', async () => {
  const id = randomUUID();
  const head = Buffer.from(v25
    ? `{"msg_type":"Cmd","data":{"id":"${id}","origin":"${caller.origin}","args":{"requests":[{"component_variable":{"component":{"name":"`
    : `{"name":"get_variables","type":"call","data":{"id":"${id}","origin":"${caller.origin}","args":{"requests":[{"component_variable":{"component":{"name":"`);
  const tail = Buffer.from('"},"variable":{"name":"HeartbeatInterval"}}}]}}}');
  await expectError('get_variables', Buffer.concat([head, Buffer.from([0xff, 0xfe, 0xc0, 0x80]), tail]), id, 'MessageParsingError', /not valid UTF-8/);
  // A lone surrogate half in CESU form, and an overlong slash (0xc0 0xaf) that some decoders turn into '/'.
  const id2 = randomUUID();
  const head2 = Buffer.from(v25 ? `{"msg_type":"Cmd","data":{"id":"${id2}","origin":"${caller.origin}","args":{"requests":"` : `{"name":"get_variables","type":"call","data":{"id":"${id2}","origin":"${caller.origin}","args":{"requests":"`);
  await expectError('get_variables', Buffer.concat([head2, Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf]), Buffer.from('"}}}')]), id2, 'MessageParsingError', /not valid UTF-8/);
});

test('origins with MQTT wildcards, slashes, NUL or no module-id shape never become reply topics', async () => {
  const hostile = ['a/b', '+', '#', 'x/#', '../../everest', 'a\u0000b', '', ' ', 'a'.repeat(200), 'caller\n', 'ünï'];
  for (const origin of hostile) {
    const id = randomUUID();
    const text = envelope('get_variables', { id, origin, args: okArgs });
    if (v25) {
      await expectDropped(cmdTopic('get_variables'), text);
    } else {
      // The old dialect replies on the shared cmd topic, whatever the origin: answered there, never elsewhere.
      await expectError('get_variables', text, id, 'MessageParsingError', /origin: must be a module id/);
    }
  }
  // A number or an object as origin.
  const id = randomUUID();
  const text = envelope('get_variables', { id, origin: { a: 1 }, args: okArgs });
  if (v25) await expectDropped(cmdTopic('get_variables'), text);
  else await expectError('get_variables', text, id, 'MessageParsingError', /origin: must be a module id/);
  // Nothing at all was published outside the module's own topics and the valid callers' reply topics.
  const stray = wire.filter((m) => m.topic.includes('/response/') && !m.topic.endsWith(`/response/${caller.origin}`));
  assert.equal(stray.map((m) => m.topic), []);
});

test('duplicate call ids: a redelivery is answered again without running twice; another call under a used id is refused', async () => {
  const id = randomUUID();
  const info = `dup-${id}`;
  const text = envelope('security_event', { id, origin: caller.origin, args: { type: 'InvalidMessages', info } });
  const first = await caller.callRaw('ocpp', 'ocpp_generic', 'security_event', text, id);
  assert.is(replyError(first), undefined);
  // The sniffer is another client: under load it may see the first answer after the caller did.
  for (const end = Date.now() + 2000; !wire.some((m) => m.text === first.text) && Date.now() < end;) await sleep(10);
  const wireBefore = wire.length;
  await caller.publishRaw(cmdTopic('security_event'), text);
  const deadline = Date.now() + 2000;
  const again = () => wire.slice(wireBefore).filter((m) => m.text.includes(id) && /"type":"result"/.test(m.text));
  while (again().length === 0 && Date.now() < deadline) await sleep(10);
  assert.is(again().length, 1, 'answered again');
  assert.is(again()[0]!.text, first.text, 'with the same answer');
  await sleep(100);
  // Ran once: the security log has the event once (read through the data transfer GetVariable? no: the var).
  const vars = wire.filter((m) => m.text.includes(info) && !/"type":"result"/.test(m.text) && !m.topic.includes('/cmd'));
  assert.is(vars.length, 1, 'the security_event var was published once: the handler ran once');
  // The same id with another payload.
  await expectError('security_event', envelope('security_event', { id, origin: caller.origin, args: { type: 'InvalidMessages', info: 'other' } }),
    id, 'MessageParsingError', /id: ".*" was already used/);
  // A different origin may use the same id.
  const other = await FrameworkCaller.connect(broker.url, prefix, dialect);
  try {
    const r = await other.callRaw('ocpp', 'ocpp_generic', 'get_variables', envelope('get_variables', { id, origin: other.origin, args: okArgs }), id);
    assert.is(replyError(r), undefined);
  } finally {
    await other.close();
  }
});

test('unknown cmd names', async () => {
  if (v25) {
    // Nobody serves an undeclared cmd topic: nothing answers, nothing is logged, the module stays up.
    await expectDropped(`${prefix}modules/ocpp/impl/ocpp_generic/cmd/format_disk`, envelope('format_disk', data(randomUUID(), {})), { warn: false });
    await expectDropped(`${prefix}modules/ocpp/impl/ocpp_generic/cmd/get_variables/extra`, envelope('get_variables', data(randomUUID())), { warn: false });
  } else {
    const id = randomUUID();
    await expectError('format_disk', JSON.stringify({ name: 'format_disk', type: 'call', data: data(id, {}) }), id, 'MessageParsingError', /unknown command 'format_disk'/);
    const id2 = randomUUID();
    const r = await caller.callRaw('ocpp', 'ocpp_generic', 'x', JSON.stringify({ name: 42, type: 'call', data: data(id2, {}) }), id2);
    assert.match(replyError(r)!.msg, /unknown command/);
    assert.is(r.envelope.name, '(none)', 'a result always carries a string name');
    // A cmd of the other implementation sent to this one.
    const id3 = randomUUID();
    await expectError('data_transfer', JSON.stringify({ name: 'data_transfer', type: 'call', data: data(id3, { request: { vendor_id: 'x' } }) }), id3, 'MessageParsingError', /unknown command 'data_transfer' of ocpp/);
  }
});

// --- handlers that throw, hang or fail -------------------------------------------------------------------------
test('a handler that hangs gets CmdTimeout (handler_timeout_ms), one that throws HandlerException; others are served meanwhile', async () => {
  // A module of the test's own, in this process, with handlers that misbehave, on its own prefix.
  const p2 = uniquePrefix('hang');
  const m2 = await startTestManager({ brokerUrl: broker.url, prefix: p2, dialect, configModule: { handler_timeout_ms: 2000 } });
  const settings = resolveBusSettings({}, {}, { moduleId: 'ocpp', brokerUrl: broker.url });
  settings.everestPrefix = p2;
  const em = new EverestModule<TsOcppSpec>({ settings, manifest: defaultManifest(), log: silentLogger(), interfaces: bundledInterfaces(), types: bundledTypes() });
  let aborted = 0;
  await em.start(() => ({
    ocpp_generic: {
      stop: () => true,
      restart: () => { throw new Error('restart failed: the link is on fire'); },
      get_variables: () => [],
      set_variables: (_args, ctx) => new Promise((_resolve) => { ctx.signal.addEventListener('abort', () => { aborted++; }); }),
      monitor_variables: async () => { throw new CmdError('NotReady', 'monitors are not ready'); },
      change_availability: () => ({ status: 'Sideways' }) as never,
      security_event: async () => { await sleep(10); throw new TypeError('cannot read properties of undefined'); },
    },
    data_transfer: { data_transfer: async () => { await sleep(5000); return { status: 'Accepted' as const }; } },
    auth_validator: { validate_token: () => ({ authorization_status: 'Invalid' }) },
    auth_provider: {},
  }));
  const c2 = await FrameworkCaller.connect(broker.url, p2, dialect);
  try {
    const t0 = Date.now();
    const hanging = c2.call('ocpp', 'ocpp_generic', 'set_variables', { requests: [] });
    const slow = c2.call('ocpp', 'data_transfer', 'data_transfer', { request: { vendor_id: 'x' } });
    // Meanwhile other calls are answered: each before the hanging one times out (no time bound of its own, so
    // a loaded machine cannot fail it).
    let settled = false;
    void hanging.finally(() => { settled = true; });
    for (let i = 0; i < 20; i++) {
      const r = await c2.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [] });
      assert.equal(r.data.retval, []);
      assert.ok(!settled, 'answered while the other handler hangs');
    }
    const h = replyError(await hanging)!;
    assert.is(h.type, 'CmdTimeout');
    assert.match(h.msg, /set_variables did not finish within 2000 ms \(handler_timeout_ms\)/);
    assert.ok(Date.now() - t0 >= 1990);
    assert.is(aborted, 1, 'the handler was told through its AbortSignal');
    assert.is(replyError(await slow)!.type, 'CmdTimeout');
    const thrown = replyError(await c2.call('ocpp', 'ocpp_generic', 'restart', {}))!;
    assert.equal(thrown, { type: 'HandlerException', msg: 'restart failed: the link is on fire' });
    assert.equal(replyError(await c2.call('ocpp', 'ocpp_generic', 'security_event', { type: 'InvalidMessages', info: '' })), { type: 'HandlerException', msg: 'cannot read properties of undefined' });
    assert.equal(replyError(await c2.call('ocpp', 'ocpp_generic', 'monitor_variables', { component_variables: [] })), { type: 'NotReady', msg: 'monitors are not ready' });
    const bad = replyError(await c2.call('ocpp', 'ocpp_generic', 'change_availability', { request: { operational_status: 'Operative' } }))!;
    assert.is(bad.type, 'SchemaValidationError');
    assert.match(bad.msg, /result of change_availability does not fit its schema: status: must be one of/);
    assert.is((await c2.call('ocpp', 'ocpp_generic', 'stop', {})).data.retval, true);
  } finally {
    await c2.close();
    await em.stop();
    await m2.stop();
  }
});

test('a SQLite write that fails (another process holds an EXCLUSIVE lock): HandlerException, and the module recovers', async () => {
  // The lock holder: a separate process with the module's database file open in an EXCLUSIVE transaction.
  const holder = new Child(process.execPath, ['-e', `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);
  `, manager.dbPath], { tag: 'lock holder' });
  try {
    await holder.waitFor(/^locked$/);
    // A write (security_event writes the security log), and a get_variables 20 ms after it.
    const figures: string[] = [];
    for (const [cmd, args] of [
      ['security_event', { type: 'InvalidMessages', info: 'during the lock' }],
    ] as const) {
      const t0 = Date.now();
      const write = caller.call('ocpp', 'ocpp_generic', cmd, args, { timeoutMs: 15_000 });
      await sleep(20);
      const t1 = Date.now();
      const read = caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests: [{ component_variable: HEARTBEAT }] }, { timeoutMs: 15_000 });
      const w = await write;
      const writeMs = Date.now() - t0;
      const r = await read;
      const readMs = Date.now() - t1;
      const e = replyError(w);
      assert.ok(e, `an error answer: ${w.text}`);
      assert.is(e.type, 'HandlerException');
      assert.match(e.msg, /locked|busy/i);
      assert.is(replyError(r), undefined, 'the read is answered (WAL readers are not blocked by a writer)');
      figures.push(`${cmd} answered HandlerException ("${e.msg}") after ${writeMs} ms, a get_variables sent 20 ms later waited ${readMs} ms`);
    }
    process.stdout.write(`\n  EXCLUSIVE lock held by another process: ${figures.join('; ')}\n`);
  } finally {
    await holder.stop('SIGKILL');
  }
  const ok = await caller.call('ocpp', 'ocpp_generic', 'set_variables', { requests: [{ component_variable: HEARTBEAT, value: '78' }] });
  assert.is((ok.data.retval as Array<{ status: string }>)[0]!.status, 'Accepted', 'writes work again once the lock is gone');
  await stillServes();
});

test.run();
