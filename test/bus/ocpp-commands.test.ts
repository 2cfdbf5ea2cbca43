// Every status of the OCPP service, driven through the bus by a framework-style caller, and the state
// that must survive a restart of the module process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HEARTBEAT, replyError, type RawReply } from '../helpers/framework-caller.js';
import { startBusSession, until, type BusSession } from '../helpers/session.js';

let s: BusSession;
const eventData: unknown[] = [];
const securityEvents: unknown[] = [];

type R = Record<string, unknown>;
const retval = (r: RawReply): R[] => {
  const e = replyError(r);
  if (e) throw new Error(`${e.type}: ${e.msg}`);
  return r.data.retval as R[];
};
const get = async (requests: unknown[]): Promise<R[]> => retval(await s.caller.call('ocpp', 'ocpp_generic', 'get_variables', { requests }));
const set = async (requests: unknown[]): Promise<R[]> => retval(await s.caller.call('ocpp', 'ocpp_generic', 'set_variables', { requests }));
const avail = async (request: unknown): Promise<R> => (await s.caller.call('ocpp', 'ocpp_generic', 'change_availability', { request })).data.retval as R;
const transfer = async (request: unknown): Promise<R> => (await s.caller.call('ocpp', 'data_transfer', 'data_transfer', { request })).data.retval as R;
const cv = (component: string, variable: string, evse?: R): R => ({ component: evse ? { name: component, evse } : { name: component }, variable: { name: variable } });

test.before(async () => {
  s = await startBusSession({ tag: 'oc', configModule: { evse_count: 2, connectors_per_evse: 2 } });
  await s.caller.watchVar('ocpp', 'ocpp_generic', 'event_data', (v) => eventData.push(v));
  await s.caller.watchVar('ocpp', 'ocpp_generic', 'security_event', (v) => securityEvents.push(v));
});

test.after(async () => {
  await s?.close();
});

test('get_variables: one result per request, in order, with OCPP 2.0.1 statuses', async () => {
  const r = await get([
    { component_variable: HEARTBEAT },
    { component_variable: cv('NoSuchCtrlr', 'X') },
    { component_variable: cv('OCPPCommCtrlr', 'NoSuchVariable') },
    { component_variable: HEARTBEAT, attribute_type: 'MaxSet' },
    { component_variable: cv('SecurityCtrlr', 'BasicAuthPassword') },
    { component_variable: cv('EVSE', 'AvailabilityState', { id: 2 }) },
  ]);
  assert.equal(r.map((x) => x.status), ['Accepted', 'UnknownComponent', 'UnknownVariable', 'NotSupportedAttributeType', 'Rejected', 'Accepted']);
  assert.is(r[0]!.value, '1800');
  assert.is(r[0]!.attribute_type, 'Actual', 'absent attribute_type means Actual');
  assert.not.ok('value' in r[4]!, 'a WriteOnly value is never returned');
  assert.equal(r[1]!.component_variable, cv('NoSuchCtrlr', 'X'));
});

test('set_variables: Accepted values are durable, ReadOnly and ill-fitting values Rejected, reboot variables RebootRequired', async () => {
  const r = await set([
    { component_variable: HEARTBEAT, value: '90' },
    { component_variable: HEARTBEAT, value: 'ninety' },
    { component_variable: cv('InternalCtrlr', 'NumberOfConnectors'), value: '9' },
    { component_variable: cv('NoSuchCtrlr', 'X'), value: '1' },
    { component_variable: cv('OCPPCommCtrlr', 'NetworkConfigurationPriority'), value: '2,1' },
    { component_variable: cv('SecurityCtrlr', 'BasicAuthPassword'), value: 'averylongsecretpassword42' },
  ]);
  assert.equal(r.map((x) => x.status), ['Accepted', 'Rejected', 'Rejected', 'UnknownComponent', 'RebootRequired', 'Accepted']);
  const g = await get([{ component_variable: HEARTBEAT }, { component_variable: cv('SecurityCtrlr', 'BasicAuthPassword') }]);
  assert.is(g[0]!.value, '90');
  assert.is(g[1]!.status, 'Rejected');
  assert.not.match(s.mod.lines.join('\n'), /averylongsecretpassword42/, 'the secret never reaches a log line');
});

test('monitor_variables: a later change publishes event_data with increasing event_id', async () => {
  await s.caller.call('ocpp', 'ocpp_generic', 'monitor_variables', { component_variables: [HEARTBEAT] });
  await set([{ component_variable: HEARTBEAT, value: '120' }]);
  await set([{ component_variable: HEARTBEAT, value: '121' }]);
  await until(() => eventData.length >= 2);
  const [a, b] = eventData.slice(-2) as R[];
  assert.is(a!.actual_value, '120');
  assert.is(b!.actual_value, '121');
  assert.is(a!.trigger, 'Delta');
  assert.ok((b!.event_id as number) > (a!.event_id as number));
  assert.equal(a!.component_variable, HEARTBEAT);
});

test('change_availability: Accepted, Rejected for unknown units, Scheduled during a transaction', async () => {
  assert.is((await avail({ operational_status: 'Inoperative', evse: { id: 1 } })).status, 'Accepted');
  assert.is((await avail({ operational_status: 'Inoperative', evse: { id: 1 } })).status, 'Accepted', 'same state again');
  const unknownEvse = await avail({ operational_status: 'Inoperative', evse: { id: 9 } });
  assert.is(unknownEvse.status, 'Rejected');
  assert.ok((unknownEvse.status_info as R | undefined)?.reason_code, 'says why');
  assert.is((await avail({ operational_status: 'Inoperative', evse: { id: 2, connector_id: 7 } })).status, 'Rejected');
  assert.is((await transfer({ vendor_id: 'org.tsocpp', message_id: 'SetTransactionActive', data: '{"evse_id":2,"active":true}' })).status, 'Accepted');
  assert.is((await avail({ operational_status: 'Inoperative', evse: { id: 2 } })).status, 'Scheduled');
  let s = await get([{ component_variable: cv('EVSE', 'AvailabilityState', { id: 2 }) }]);
  assert.is.not(s[0]!.value, 'Unavailable', 'not applied while the transaction runs');
  await transfer({ vendor_id: 'org.tsocpp', message_id: 'SetTransactionActive', data: '{"evse_id":2,"active":false}' });
  s = await get([{ component_variable: cv('EVSE', 'AvailabilityState', { id: 2 }) }]);
  assert.is(s[0]!.value, 'Unavailable', 'applied when the transaction ended');
  assert.is((await avail({ operational_status: 'Operative', evse: { id: 2 } })).status, 'Accepted');
});

test('security_event: accepted and published on the security_event var', async () => {
  const r = await s.caller.call('ocpp', 'ocpp_generic', 'security_event', { type: 'TamperDetectionActivated', info: 'lid open' });
  assert.is(r.data.retval, null);
  await until(() => securityEvents.some((e) => (e as R).type === 'TamperDetectionActivated'));
});

test('data_transfer: UnknownVendorId, UnknownMessageId, Accepted with data from the built-in vendor handler', async () => {
  assert.is((await transfer({ vendor_id: 'com.nobody' })).status, 'UnknownVendorId');
  assert.is((await transfer({ vendor_id: 'org.tsocpp', message_id: 'Nope' })).status, 'UnknownMessageId');
  const ok = await transfer({ vendor_id: 'org.tsocpp', message_id: 'GetVariable', data: JSON.stringify({ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }) });
  assert.is(ok.status, 'Accepted');
  assert.match(String(ok.data), /121/);
  const secret = await transfer({ vendor_id: 'org.tsocpp', message_id: 'GetVariable', data: JSON.stringify({ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }) });
  assert.not.match(JSON.stringify(secret), /averylongsecretpassword42/);
});

test('stop and restart answer true; is_connected stays false without a CSMS link', async () => {
  assert.is((await s.caller.call('ocpp', 'ocpp_generic', 'stop', {})).data.retval, true);
  assert.is((await s.caller.call('ocpp', 'ocpp_generic', 'restart', {})).data.retval, true);
});

test('set values, availability and monitors survive a restart of the module process; the new start says StartupOfTheDevice (A04) on the security_event var', async () => {
  await avail({ operational_status: 'Inoperative', evse: { id: 1, connector_id: 2 } });
  const startups = () => securityEvents.filter((e) => (e as R).type === 'StartupOfTheDevice').length;
  const startupsBefore = startups();
  await s.restartModule();
  await until(() => startups() === startupsBefore + 1);
  assert.match(String((securityEvents.at(-1) as R).info), /^Charging Station powered up! Firmware version: /);
  const g = await get([{ component_variable: HEARTBEAT }, { component_variable: cv('Connector', 'AvailabilityState', { id: 1, connector_id: 2 }) }]);
  assert.is(g[0]!.value, '121');
  assert.is(g[1]!.value, 'Unavailable');
  const before = eventData.length;
  const lastId = (eventData[eventData.length - 1] as R).event_id as number;
  await set([{ component_variable: HEARTBEAT, value: '122' }]);
  await until(() => eventData.length > before);
  const e = eventData[eventData.length - 1] as R;
  assert.is(e.actual_value, '122', 'the monitor survived');
  assert.ok((e.event_id as number) > lastId, 'event ids keep increasing across restarts');
});

test.run();
