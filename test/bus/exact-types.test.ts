// The bundled types are everest-core's (2023.12.0), checked on the bus as a framework caller sees them:
// their length limits are enforced, an undeclared field in an object type that does not close itself is
// accepted (as the framework's validator accepts it), and undeclared cmd arguments are refused (as the
// framework refuses them).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HEARTBEAT, replyError, type RawReply } from '../helpers/framework-caller.js';
import { startBusSession, type BusSession } from '../helpers/session.js';

let s: BusSession;

type R = Record<string, unknown>;
const call = (impl: string, cmd: string, args: unknown): Promise<RawReply> => s.caller.call('ocpp', impl, cmd, args);
const statuses = (r: RawReply): unknown[] => {
  const e = replyError(r);
  if (e) throw new Error(`${e.type}: ${e.msg}`);
  return (r.data.retval as R[]).map((x) => x.status);
};

test.before(async () => {
  s = await startBusSession({ tag: 'xt' });
});

test.after(async () => {
  await s?.close();
});

test('a variable name of 51 characters is refused with SchemaValidationError; 50 are looked up', async () => {
  const named = (name: string) => ({ requests: [{ component_variable: { component: { name: 'OCPPCommCtrlr' }, variable: { name } } }] });
  const e = replyError(await call('ocpp_generic', 'get_variables', named('x'.repeat(51))));
  assert.is(e?.type, 'SchemaValidationError');
  assert.match(e!.msg, 'requests/0/component_variable/variable/name: must NOT have more than 50 characters');
  assert.equal(statuses(await call('ocpp_generic', 'get_variables', named('x'.repeat(50)))), ['UnknownVariable']);
});

test('a value of 1001 characters to set is refused with SchemaValidationError', async () => {
  const e = replyError(await call('ocpp_generic', 'set_variables', { requests: [{ component_variable: HEARTBEAT, value: '1'.repeat(1001) }] }));
  assert.is(e?.type, 'SchemaValidationError');
  assert.match(e!.msg, 'requests/0/value: must NOT have more than 1000 characters');
});

test('an undeclared field inside a type object is accepted where the type does not close itself', async () => {
  const component_variable = { ...HEARTBEAT, custom_data: { vendor_id: 'org.example' } };
  assert.equal(statuses(await call('ocpp_generic', 'get_variables', { requests: [{ component_variable, note: 'from a newer caller' }] })), ['Accepted']);
  const r = await call('ocpp_generic', 'change_availability', { request: { operational_status: 'Operative', custom_data: { vendor_id: 'x' } } });
  assert.is(replyError(r), undefined);
  assert.is((r.data.retval as R).status, 'Accepted');
});

test('DataTransferRequest closes itself (additionalProperties: false in everest-core): an extra field is refused', async () => {
  const e = replyError(await call('data_transfer', 'data_transfer', { request: { vendor_id: 'v', custom_data: {} } }));
  assert.is(e?.type, 'SchemaValidationError');
  assert.match(e!.msg, 'request/custom_data: is not an allowed property');
});

test('an undeclared cmd argument is refused with SchemaValidationError', async () => {
  const e = replyError(await call('ocpp_generic', 'get_variables', { requests: [], extra: true }));
  assert.is(e?.type, 'SchemaValidationError');
  assert.match(e!.msg, 'extra: is not a declared argument');
});

test.run();
