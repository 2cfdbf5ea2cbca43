// src/schema: compiled checks for every cmd and var of the bundled interfaces (everest-core 2023.12.0) and of
// the ocpp form with security_event as everest-core declares it from 2024.10 on.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compileInterface, SchemaCompileError, type Check, type CompiledInterface } from '../src/schema/compile.js';
import { bundledInterfaces, bundledTypes, loadInterfaceFile, type TypeFile } from '../src/schema/definitions.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'interfaces');
const types = bundledTypes();
const interfaces = bundledInterfaces();
const ocpp = compileInterface('ocpp', interfaces.ocpp!, types);
const ocppEvent = compileInterface('ocpp', loadInterfaceFile(join(FIXTURES, 'ocpp-security-event-2024.10.yaml')), types);
const dataTransfer = compileInterface('ocpp_data_transfer', interfaces.ocpp_data_transfer!, types);

function cmd(iface: CompiledInterface, name: string) {
  const c = iface.cmds.get(name);
  if (c === undefined) throw new Error(`no cmd ${name}`);
  return c;
}

function valid(check: Check, value: unknown): void {
  const issue = check(value);
  assert.is(issue, null, issue?.message);
}

function invalid(check: Check, value: unknown, message: string): void {
  const issue = check(value);
  assert.ok(issue !== null, `expected ${JSON.stringify(value)} to be rejected`);
  assert.is(issue.message, message);
  if (issue.path !== '') assert.ok(issue.message.startsWith(`${issue.path}: `), 'the message starts with the path');
}

const cv = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
const cvFull = { component: { name: 'Connector', instance: 'a', evse: { id: 1, connector_id: 2 } }, variable: { name: 'Available', instance: 'b' } };
const eventData = {
  component_variable: cv, event_id: 7, timestamp: '2024-05-01T12:00:00Z', trigger: 'Delta',
  actual_value: '30', event_notification_type: 'CustomMonitor',
};

// ---------------------------------------------------------------------------------------------
const loading = suite('definitions');

loading('bundled interfaces and types are found from the source tree', () => {
  assert.equal(Object.keys(interfaces), ['auth_token_provider', 'auth_token_validator', 'evse_manager', 'evse_security', 'external_energy_limits', 'ocpp', 'ocpp_data_transfer', 'system']);
  assert.equal(Object.keys(types), ['/authorization', '/energy', '/energy_price_information', '/evse_board_support', '/evse_manager', '/evse_security',
    '/iso15118_charger', '/ocpp', '/powermeter', '/system', '/units']);
  assert.ok('GetVariableRequest' in types['/ocpp']!.types);
});

loading('argNames lists the declared arguments of each form', () => {
  assert.equal(cmd(ocpp, 'security_event').argNames, ['type', 'info']);
  assert.equal(cmd(ocppEvent, 'security_event').argNames, ['event']);
  assert.equal(cmd(ocpp, 'stop').argNames, []);
  assert.equal([...ocpp.cmds.keys()].sort(), [
    'change_availability', 'get_variables', 'monitor_variables', 'restart', 'security_event', 'set_variables', 'stop',
  ]);
  assert.equal([...ocpp.vars.keys()].sort(), ['charging_schedules', 'event_data', 'is_connected', 'security_event']);
});

loading.run();

// ---------------------------------------------------------------------------------------------
const args = suite('cmd arguments');

args('stop and restart take no arguments', () => {
  for (const name of ['stop', 'restart']) {
    valid(cmd(ocpp, name).args, {});
    valid(cmd(ocpp, name).args, null);
    valid(cmd(ocpp, name).args, undefined);
    invalid(cmd(ocpp, name).args, { now: true }, 'now: is not a declared argument');
    invalid(cmd(ocpp, name).args, [], 'args: must be object');
  }
});

args('security_event, 2024.10 form: event is a SecurityEvent', () => {
  const c = cmd(ocppEvent, 'security_event');
  valid(c.args, { event: { type: 'StartupOfTheDevice' } });
  valid(c.args, { event: { type: 'SettingSystemTime', info: 'NTP' } });
  invalid(c.args, {}, 'event: missing argument');
  invalid(c.args, { event: { info: 'x' } }, 'event/type: is required');
  // SecurityEvent does not close itself to other fields (everest-core 2024.10 adds `critical`).
  valid(c.args, { event: { type: 'x', critical: true } });
  invalid(c.args, { event: { type: 'x' }, info: 'y' }, 'info: is not a declared argument');
});

args('security_event, 2023.12 form (bundled): type and info strings, both demanded', () => {
  const c = cmd(ocpp, 'security_event');
  valid(c.args, { type: 'StartupOfTheDevice', info: 'boot' });
  invalid(c.args, { type: 'StartupOfTheDevice' }, 'info: missing argument');
  invalid(c.args, { type: 1, info: 'x' }, 'type: must be string');
  invalid(c.args, { type: 'x', info: 'y', event: {} }, 'event: is not a declared argument');
});

args('get_variables: requests of GetVariableRequest, through nested $refs', () => {
  const c = cmd(ocpp, 'get_variables');
  valid(c.args, { requests: [] });
  valid(c.args, { requests: [{ component_variable: cv }, { component_variable: cvFull, attribute_type: 'MaxSet' }] });
  invalid(c.args, { requests: [{ component_variable: cv, attribute_type: 'Actuall' }] },
    'requests/0/attribute_type: must be one of Actual, Target, MinSet, MaxSet');
  invalid(c.args, { requests: [{ component_variable: cv }, { component_variable: { component: { name: 'a' }, variable: {} } }] },
    'requests/1/component_variable/variable/name: is required');
  invalid(c.args, { requests: [{ component_variable: { ...cv, component: { name: 'a', evse: { id: '1' } } } }] },
    'requests/0/component_variable/component/evse/id: must be integer');
  invalid(c.args, { requests: [{ component_variable: { ...cv, component: { name: 'a', evse: { id: 1.5 } } } }] },
    'requests/0/component_variable/component/evse/id: must be integer');
  invalid(c.args, { requests: { component_variable: cv } }, 'requests: must be array');
  invalid(c.args, {}, 'requests: missing argument');
});

args('set_variables: value is required, attribute_type optional', () => {
  const c = cmd(ocpp, 'set_variables');
  valid(c.args, { requests: [{ component_variable: cv, value: '60' }, { component_variable: cv, value: '1', attribute_type: 'Target' }] });
  invalid(c.args, { requests: [{ component_variable: cv }] }, 'requests/0/value: is required');
  invalid(c.args, { requests: [{ component_variable: cv, value: 60 }] }, 'requests/0/value: must be string');
});

args('change_availability: request is a ChangeAvailabilityRequest', () => {
  const c = cmd(ocpp, 'change_availability');
  valid(c.args, { request: { operational_status: 'Inoperative' } });
  valid(c.args, { request: { operational_status: 'Operative', evse: { id: 1, connector_id: 1 } } });
  invalid(c.args, { request: { operational_status: 'Off' } }, 'request/operational_status: must be one of Inoperative, Operative');
  invalid(c.args, { request: { evse: { id: 1 } } }, 'request/operational_status: is required');
  invalid(c.args, { request: { operational_status: 'Operative', evse: {} } }, 'request/evse/id: is required');
});

args('monitor_variables: component_variables of ComponentVariable', () => {
  const c = cmd(ocpp, 'monitor_variables');
  valid(c.args, { component_variables: [cv, cvFull] });
  invalid(c.args, { component_variables: [{ component: { name: 'a' } }] }, 'component_variables/0/variable: is required');
  invalid(c.args, { component_variables: 'HeartbeatInterval' }, 'component_variables: must be array');
});

args('data_transfer: request is a DataTransferRequest', () => {
  const c = cmd(dataTransfer, 'data_transfer');
  valid(c.args, { request: { vendor_id: 'org.example' } });
  valid(c.args, { request: { vendor_id: 'org.example', message_id: 'm', data: '{}' } });
  invalid(c.args, { request: { message_id: 'm' } }, 'request/vendor_id: is required');
  invalid(c.args, { request: { vendor_id: 'v', data: { a: 1 } } }, 'request/data: must be string');
  invalid(c.args, { request: { vendor_id: 'v', custom_data: {} } }, 'request/custom_data: is not an allowed property');
});

args('no coercion and no defaults: values are checked as given and left untouched', () => {
  const c = cmd(ocpp, 'get_variables');
  const value = { requests: [{ component_variable: { component: { name: 'a', evse: { id: 1 } }, variable: { name: 'b' } } }] };
  const before = JSON.stringify(value);
  valid(c.args, value);
  assert.is(JSON.stringify(value), before);
  invalid(cmd(ocpp, 'change_availability').args, { request: { operational_status: 'Operative', evse: { id: '1' } } },
    'request/evse/id: must be integer');
});

args.run();

// ---------------------------------------------------------------------------------------------
const results = suite('cmd results');

results('stop and restart return a boolean', () => {
  for (const name of ['stop', 'restart']) {
    valid(cmd(ocpp, name).result, true);
    valid(cmd(ocpp, name).result, false);
    invalid(cmd(ocpp, name).result, 'true', 'result: must be boolean');
    invalid(cmd(ocpp, name).result, undefined, 'result: is required (the cmd declares a result)');
    invalid(cmd(ocpp, name).result, null, 'result: must be boolean');
  }
});

results('cmds without result accept only null or undefined', () => {
  for (const c of [cmd(ocpp, 'security_event'), cmd(ocppEvent, 'security_event'), cmd(ocpp, 'monitor_variables')]) {
    valid(c.result, null);
    valid(c.result, undefined);
    invalid(c.result, true, 'result: must be null (the cmd declares no result)');
  }
});

results('get_variables and set_variables return result lists', () => {
  valid(cmd(ocpp, 'get_variables').result, [
    { status: 'Accepted', component_variable: cv, value: '30', attribute_type: 'Actual' },
    { status: 'UnknownVariable', component_variable: cvFull },
  ]);
  invalid(cmd(ocpp, 'get_variables').result, [{ status: 'Accepted', component_variable: cv }, { status: 'Unknown', component_variable: cv }],
    '1/status: must be one of Accepted, Rejected, UnknownComponent, UnknownVariable, NotSupportedAttributeType');
  invalid(cmd(ocpp, 'get_variables').result, [{ status: 'Accepted' }], '0/component_variable: is required');
  invalid(cmd(ocpp, 'get_variables').result, {}, 'result: must be array');
  valid(cmd(ocpp, 'set_variables').result, [{ status: 'RebootRequired', component_variable: cv }]);
});

results('change_availability and data_transfer return response objects', () => {
  valid(cmd(ocpp, 'change_availability').result, { status: 'Scheduled' });
  valid(cmd(ocpp, 'change_availability').result, { status: 'Rejected', status_info: { reason_code: 'InTransaction', additional_info: 'x' } });
  invalid(cmd(ocpp, 'change_availability').result, { status: 'Rejected', status_info: {} }, 'status_info/reason_code: is required');
  invalid(cmd(ocpp, 'change_availability').result, {}, 'status: is required');
  valid(cmd(dataTransfer, 'data_transfer').result, { status: 'UnknownVendorId' });
  valid(cmd(dataTransfer, 'data_transfer').result, { status: 'Accepted', data: 'ok' });
  invalid(cmd(dataTransfer, 'data_transfer').result, { status: 'Offline' },
    'status: must be one of Accepted, Rejected, UnknownMessageId, UnknownVendorId');
});

results.run();

// ---------------------------------------------------------------------------------------------
const vars = suite('vars');

vars('is_connected, security_event, charging_schedules', () => {
  const v = (name: string) => ocpp.vars.get(name)!;
  valid(v('is_connected'), true);
  invalid(v('is_connected'), 1, 'is_connected: must be boolean');
  valid(v('security_event'), { type: 'TamperDetectionActivated', info: 'lid open' });
  invalid(v('security_event'), { info: 'x' }, 'type: is required');
  valid(v('charging_schedules'), { schedules: [] });
  invalid(v('charging_schedules'), [], 'charging_schedules: must be object');
  assert.equal([...dataTransfer.vars.keys()], []);
});

vars('event_data: required fields, enums and the date-time timestamp', () => {
  const v = ocpp.vars.get('event_data')!;
  valid(v, eventData);
  valid(v, { ...eventData, cause: 1, tech_code: 'E1', tech_info: 'i', cleared: true, transaction_id: 't', variable_monitoring_id: 3 });
  invalid(v, { ...eventData, trigger: 'Sometimes' }, 'trigger: must be one of Alerting, Delta, Periodic');
  const { actual_value: _omit, ...withoutValue } = eventData;
  invalid(v, withoutValue, 'actual_value: is required');
});

vars('date-time follows RFC 3339', () => {
  const v = ocpp.vars.get('event_data')!;
  for (const ts of ['2024-05-01T12:00:00Z', '2024-05-01t12:00:00z', '2024-05-01T12:00:00.123+02:00', '2024-02-29T23:59:60-11:30']) {
    valid(v, { ...eventData, timestamp: ts });
  }
  for (const ts of ['2024-05-01T12:00:00', '2024-05-01', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-05-01T24:00:00Z',
    '2024-05-01T12:00:00+2:00', 'yesterday', '2024-05-01T12:00Z']) {
    invalid(v, { ...eventData, timestamp: ts }, 'timestamp: must be a valid date-time');
  }
  invalid(v, { ...eventData, timestamp: 1714564800 }, 'timestamp: must be string');
});

vars.run();

// ---------------------------------------------------------------------------------------------
// The bundled types are everest-core's: their length limits hold, and an object type that does not say
// `additionalProperties: false` takes fields it does not declare, as the framework's validator does.
const exact = suite('exact types');

const long = (n: number) => 'x'.repeat(n);

exact('names and instances of components and variables: at most 50 characters', () => {
  const c = cmd(ocpp, 'get_variables');
  const at = (component: Record<string, unknown>, variable: Record<string, unknown>) =>
    ({ requests: [{ component_variable: { component, variable } }] });
  valid(c.args, at({ name: long(50), instance: long(50) }, { name: long(50), instance: long(50) }));
  invalid(c.args, at({ name: 'a' }, { name: long(51) }),
    'requests/0/component_variable/variable/name: must NOT have more than 50 characters');
  invalid(c.args, at({ name: 'a' }, { name: 'b', instance: long(51) }),
    'requests/0/component_variable/variable/instance: must NOT have more than 50 characters');
  invalid(c.args, at({ name: long(51) }, { name: 'b' }),
    'requests/0/component_variable/component/name: must NOT have more than 50 characters');
  invalid(c.args, at({ name: 'a', instance: long(51) }, { name: 'b' }),
    'requests/0/component_variable/component/instance: must NOT have more than 50 characters');
});

exact('values: 1000 characters to set, 2500 read or reported', () => {
  valid(cmd(ocpp, 'set_variables').args, { requests: [{ component_variable: cv, value: long(1000) }] });
  invalid(cmd(ocpp, 'set_variables').args, { requests: [{ component_variable: cv, value: long(1001) }] },
    'requests/0/value: must NOT have more than 1000 characters');
  valid(cmd(ocpp, 'get_variables').result, [{ status: 'Accepted', component_variable: cv, value: long(2500) }]);
  invalid(cmd(ocpp, 'get_variables').result, [{ status: 'Accepted', component_variable: cv, value: long(2501) }],
    '0/value: must NOT have more than 2500 characters');
  const v = ocpp.vars.get('event_data')!;
  valid(v, { ...eventData, actual_value: long(2500), tech_code: long(50), tech_info: long(500), transaction_id: long(36) });
  invalid(v, { ...eventData, actual_value: long(2501) }, 'actual_value: must NOT have more than 2500 characters');
  invalid(v, { ...eventData, tech_code: long(51) }, 'tech_code: must NOT have more than 50 characters');
  invalid(v, { ...eventData, tech_info: long(501) }, 'tech_info: must NOT have more than 500 characters');
  invalid(v, { ...eventData, transaction_id: long(37) }, 'transaction_id: must NOT have more than 36 characters');
});

exact('EVSE and connector ids start at 1', () => {
  const c = cmd(ocpp, 'change_availability');
  valid(c.args, { request: { operational_status: 'Operative', evse: { id: 1, connector_id: 1 } } });
  invalid(c.args, { request: { operational_status: 'Operative', evse: { id: 0 } } }, 'request/evse/id: must be >= 1');
  invalid(c.args, { request: { operational_status: 'Operative', evse: { id: 1, connector_id: 0 } } },
    'request/evse/connector_id: must be >= 1');
});

exact('an object type without additionalProperties: false takes undeclared fields', () => {
  valid(cmd(ocpp, 'get_variables').args, { requests: [{ component_variable: { ...cv, custom: 1 }, value: '1' }] });
  valid(cmd(ocpp, 'set_variables').result, [{ status: 'Accepted', component_variable: cv, value: '1' }]);
  valid(cmd(ocpp, 'change_availability').args, { request: { operational_status: 'Operative', custom_data: { vendorId: 'v' } } });
  valid(ocpp.vars.get('security_event')!, { type: 'InvalidMessages', critical: true });
});

exact('one that declares additionalProperties: false stays closed (DataTransferRequest, DataTransferResponse)', () => {
  invalid(cmd(dataTransfer, 'data_transfer').args, { request: { vendor_id: 'v', custom_data: {} } },
    'request/custom_data: is not an allowed property');
  invalid(cmd(dataTransfer, 'data_transfer').result, { status: 'Accepted', custom_data: {} }, 'custom_data: is not an allowed property');
});

exact('undeclared cmd arguments stay refused, as the framework refuses them', () => {
  invalid(cmd(ocpp, 'get_variables').args, { requests: [], extra: 1 }, 'extra: is not a declared argument');
  invalid(cmd(ocpp, 'security_event').args, { type: 'x', info: 'y', critical: true }, 'critical: is not a declared argument');
});

exact.run();

// ---------------------------------------------------------------------------------------------
const refs = suite('$ref and compile errors');

const demoTypes: Record<string, TypeFile> = {
  '/demo': {
    types: {
      Inner: { type: 'object', additionalProperties: false, required: ['n'], properties: { n: { type: 'integer', minimum: 1 } } },
      Outer: { type: 'object', additionalProperties: false, properties: { inner: { type: 'object', $ref: '/demo#/Inner' } } },
    },
  },
  '/other': { types: { Label: { type: 'string', maxLength: 3 } } },
};

refs('/<file>#/<Type> resolves to types.<Type> of that file, across files and nested', () => {
  const c = compileInterface('demo', {
    cmds: { go: { arguments: { outer: { $ref: '/demo#/Outer' }, label: { $ref: '/other#/Label' } }, result: { $ref: '/demo#/Inner' } } },
    vars: { v: { type: 'array', items: { $ref: '/other#/Label' } } },
  }, demoTypes);
  const go = c.cmds.get('go')!;
  valid(go.args, { outer: { inner: { n: 1 } }, label: 'abc' });
  invalid(go.args, { outer: { inner: { n: 0 } }, label: 'abc' }, 'outer/inner/n: must be >= 1');
  invalid(go.args, { outer: {}, label: 'abcd' }, 'label: must NOT have more than 3 characters');
  valid(go.result, { n: 2 });
  invalid(go.result, { n: 2, m: 1 }, 'm: is not an allowed property');
  invalid(c.vars.get('v')!, ['ok', 'long'], '1: must NOT have more than 3 characters');
});

refs('an unknown $ref target fails compilation, naming interface and cmd', () => {
  try {
    compileInterface('demo', { cmds: { go: { arguments: { x: { $ref: '/demo#/Missing' } } } } }, demoTypes);
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, SchemaCompileError);
    assert.match((err as Error).message, 'interface demo, cmd go arguments');
    assert.match((err as Error).message, '/demo#/Missing');
  }
});

refs('an unknown type file in a result or var names it too', () => {
  assert.throws(() => compileInterface('demo', { cmds: { go: { result: { $ref: '/nope#/X' } } } }, demoTypes),
    (err: Error) => err instanceof SchemaCompileError && err.message.includes('interface demo, cmd go result'));
  assert.throws(() => compileInterface('demo', { vars: { v: { $ref: '/ocpp#/EVSE' } } }, demoTypes),
    (err: Error) => err instanceof SchemaCompileError && err.message.includes('interface demo, var v'));
});

refs('a schema that does not compile names its cmd', () => {
  assert.throws(() => compileInterface('demo', { cmds: { go: { result: { type: 'strng' } } } }, demoTypes),
    (err: Error) => err instanceof SchemaCompileError && err.message.startsWith('interface demo, cmd go result'));
});

refs('the 2024.10 fixture and the bundled interface share the same types', () => {
  // Both forms validate security_event vars against /ocpp#/SecurityEvent.
  valid(ocppEvent.vars.get('security_event')!, { type: 'InvalidMessages' });
  valid(ocpp.vars.get('security_event')!, { type: 'InvalidMessages' });
});

refs.run();
