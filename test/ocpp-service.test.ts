// OcppService: get_variables and set_variables statuses, monitors and event_data, internal changes,
// WriteOnly secrecy, stop/restart/connection, restart survival and durability under SIGKILL.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { OcppService, type CsmsLink } from '../src/ocpp/service.js';
import { DeviceModelError } from '../src/device-model/errors.js';
import type { EventData, SetVariableRequest } from '../src/generated/types/ocpp.js';
import { captureLogger, cv, steppingClock, tempDb, TEST_DEVICE_MODEL_DIR, type TempDb } from './fixtures/ocpp/helpers.js';

let db: TempDb;
let service: OcppService;

function open(extra: { dir?: string; log?: ReturnType<typeof captureLogger>['log'] } = {}): OcppService {
  return OcppService.open({
    dbPath: db.path, evseCount: 2, connectorsPerEvse: 1,
    deviceModelDir: extra.dir ?? TEST_DEVICE_MODEL_DIR, now: steppingClock(), log: extra.log,
  });
}

test.before.each(() => {
  db = tempDb();
  service = open();
});
test.after.each(() => {
  service.close();
  db.cleanup();
});

const set = (component: string, variable: string, value: string, attribute_type?: SetVariableRequest['attribute_type']): SetVariableRequest => {
  const r: SetVariableRequest = { component_variable: cv(component, variable), value };
  if (attribute_type) r.attribute_type = attribute_type;
  return r;
};

// ---- get_variables ----

test('get_variables: one result per request, same order, Actual assumed and echoed', () => {
  const results = service.getVariables([
    { component_variable: cv('TestCtrlr', 'Int') },
    { component_variable: cv('TestCtrlr', 'Limits'), attribute_type: 'Target' },
    { component_variable: cv('TestCtrlr', 'Str') },
  ]);
  assert.equal(results, [
    { status: 'Accepted', attribute_type: 'Actual', component_variable: cv('TestCtrlr', 'Int'), value: '0' },
    { status: 'Accepted', attribute_type: 'Target', component_variable: cv('TestCtrlr', 'Limits'), value: '60' },
    { status: 'Accepted', attribute_type: 'Actual', component_variable: cv('TestCtrlr', 'Str'), value: 'abc' },
  ]);
});

test('get_variables: UnknownComponent for name, instance, EVSE or connector that do not exist', () => {
  const results = service.getVariables([
    { component_variable: cv('NoSuchCtrlr', 'Int') },
    { component_variable: cv('TestCtrlr', 'Int', { componentInstance: 'X' }) },
    { component_variable: cv('TestCtrlr', 'Int', { evse: { id: 1 } }) },
    { component_variable: cv('TestEvse', 'Level') },
    { component_variable: cv('TestEvse', 'Level', { evse: { id: 3 } }) },
    { component_variable: cv('TestEvse', 'Level', { evse: { id: 1, connector_id: 1 } }) },
    { component_variable: cv('TestEvse', 'Level', { evse: { id: 2 } }) },
  ]);
  assert.equal(results.map((r) => r.status), [
    'UnknownComponent', 'UnknownComponent', 'UnknownComponent', 'UnknownComponent', 'UnknownComponent', 'UnknownComponent', 'Accepted',
  ]);
  for (const r of results.slice(0, 6)) assert.not.ok('value' in r);
});

test('get_variables: UnknownVariable, variable instances, NotSupportedAttributeType', () => {
  const results = service.getVariables([
    { component_variable: cv('TestCtrlr', 'Nope') },
    { component_variable: cv('TestCtrlr', 'Inst') },
    { component_variable: cv('TestCtrlr', 'Inst', { variableInstance: 'Two' }) },
    { component_variable: cv('TestCtrlr', 'Int'), attribute_type: 'Target' },
    { component_variable: cv('TestCtrlr', 'NoValue') },
  ]);
  assert.equal(results.map((r) => r.status), ['UnknownVariable', 'UnknownVariable', 'Accepted', 'NotSupportedAttributeType', 'NotSupportedAttributeType']);
  assert.is(results[2]?.value, 'second');
  assert.is(results[3]?.attribute_type, 'Target');
});

test('get_variables: WriteOnly is Rejected with no value field at all, set or not', () => {
  const [before] = service.getVariables([{ component_variable: cv('TestCtrlr', 'Secret') }]);
  assert.equal(before, { status: 'Rejected', attribute_type: 'Actual', component_variable: cv('TestCtrlr', 'Secret') });
  assert.is(service.setVariables([set('TestCtrlr', 'Secret', 'open-sesame')])[0]?.status, 'Accepted');
  const [after] = service.getVariables([{ component_variable: cv('TestCtrlr', 'Secret') }]);
  assert.equal(after, { status: 'Rejected', attribute_type: 'Actual', component_variable: cv('TestCtrlr', 'Secret') });
  assert.not.ok('value' in (after ?? {}));
});

test('get_variables: results do not alias the request objects', () => {
  const req = { component_variable: cv('TestCtrlr', 'Int') };
  const [r] = service.getVariables([req]);
  assert.is.not(r?.component_variable, req.component_variable);
  assert.equal(r?.component_variable, req.component_variable);
});

// ---- set_variables ----

test('set_variables: Accepted values are stored; same value again is Accepted', () => {
  const r = service.setVariables([set('TestCtrlr', 'Int', '-3'), set('TestCtrlr', 'Opt', 'c'), set('TestCtrlr', 'Int', '-3')]);
  assert.equal(r.map((x) => x.status), ['Accepted', 'Accepted', 'Accepted']);
  assert.equal(r[0], { status: 'Accepted', component_variable: cv('TestCtrlr', 'Int'), attribute_type: 'Actual' });
  const [i, o] = service.getVariables([{ component_variable: cv('TestCtrlr', 'Int') }, { component_variable: cv('TestCtrlr', 'Opt') }]);
  assert.is(i?.value, '-3');
  assert.is(o?.value, 'c');
});

test('set_variables: unknown component, variable, attribute', () => {
  const r = service.setVariables([
    set('Nope', 'Int', '1'), set('TestCtrlr', 'Nope', '1'), set('TestCtrlr', 'Int', '1', 'MaxSet'),
  ]);
  assert.equal(r.map((x) => x.status), ['UnknownComponent', 'UnknownVariable', 'NotSupportedAttributeType']);
  assert.is(r[2]?.attribute_type, 'MaxSet');
});

test('set_variables: ReadOnly and constant are Rejected, value unchanged', () => {
  const r = service.setVariables([set('TestCtrlr', 'RO', '8'), set('TestCtrlr', 'Limits', '20', 'MinSet'), set('TestCtrlr', 'Const', 'other')]);
  assert.equal(r.map((x) => x.status), ['Rejected', 'Rejected', 'Rejected']);
  const got = service.getVariables([
    { component_variable: cv('TestCtrlr', 'RO') },
    { component_variable: cv('TestCtrlr', 'Limits'), attribute_type: 'MinSet' },
    { component_variable: cv('TestCtrlr', 'Const') },
  ]);
  assert.equal(got.map((g) => g.value), ['7', '10', 'fixed']);
});

test('set_variables: value checked against dataType, limits, valuesList and the 1000 char limit', () => {
  const cases: Array<[string, string, 'Accepted' | 'Rejected']> = [
    ['Int', '10', 'Accepted'], ['Int', '11', 'Rejected'], ['Int', '-11', 'Rejected'], ['Int', '1.5', 'Rejected'], ['Int', 'x', 'Rejected'],
    ['Dec', '1.25', 'Accepted'], ['Dec', '1.51', 'Rejected'], ['Dec', 'one', 'Rejected'],
    ['Bool', 'true', 'Accepted'], ['Bool', 'TRUE', 'Rejected'], ['Bool', '1', 'Rejected'],
    ['Time', '2025-06-01T10:00:00+02:00', 'Accepted'], ['Time', '2025-06-01', 'Rejected'], ['Time', '2025-02-30T00:00:00Z', 'Rejected'],
    ['Opt', 'b', 'Accepted'], ['Opt', 'd', 'Rejected'], ['Opt', 'a,b', 'Rejected'],
    ['Seq', '3,2,1', 'Accepted'], ['Seq', '1,4', 'Rejected'],
    ['Mem', 'z,x', 'Accepted'], ['Mem', 'w', 'Rejected'],
    ['Str', 'abcde', 'Accepted'], ['Str', 'a', 'Rejected'], ['Str', 'abcdef', 'Rejected'],
    ['Text', 'x'.repeat(1000), 'Accepted'], ['Text', 'x'.repeat(1001), 'Rejected'],
  ];
  const results = service.setVariables(cases.map(([v, value]) => set('TestCtrlr', v, value)));
  results.forEach((r, i) => {
    const c = cases[i];
    assert.is(r.status, c?.[2], `${c?.[0]} = ${c?.[1].slice(0, 20)}`);
  });
  // Rejected values were not stored.
  const [int] = service.getVariables([{ component_variable: cv('TestCtrlr', 'Int') }]);
  assert.is(int?.value, '10');
});

test('set_variables: limits apply to MaxSet and Target too; a ReadWrite MaxSet can be set', () => {
  const r = service.setVariables([set('TestCtrlr', 'Limits', '95', 'MaxSet'), set('TestCtrlr', 'Limits', '101', 'Target')]);
  assert.equal(r.map((x) => x.status), ['Accepted', 'Rejected']);
});

test('set_variables: rebootRequired stores the value and answers RebootRequired', () => {
  const [r] = service.setVariables([set('TestCtrlr', 'Reboot', '2')]);
  assert.is(r?.status, 'RebootRequired');
  const [g] = service.getVariables([{ component_variable: cv('TestCtrlr', 'Reboot') }]);
  assert.is(g?.value, '2');
  const [same] = service.setVariables([set('TestCtrlr', 'Reboot', '2')]);
  assert.is(same?.status, 'Accepted', 'nothing changes, nothing to reboot for');
});

test('set_variables: standard config has RebootRequired and WriteOnly variables', () => {
  service.close();
  service = OcppService.open({ dbPath: db.path + '.std', evseCount: 1, connectorsPerEvse: 1 });
  const r = service.setVariables([
    set('OCPPCommCtrlr', 'NetworkConfigurationPriority', '2,1'),
    set('SecurityCtrlr', 'BasicAuthPassword', '0123456789abcdef'),
    set('SecurityCtrlr', 'BasicAuthPassword', 'short'),
    set('SecurityCtrlr', 'SecurityProfile', '2'),
    set('OCPPCommCtrlr', 'HeartbeatInterval', '0'),
    set('OCPPCommCtrlr', 'HeartbeatInterval', '300'),
  ]);
  assert.equal(r.map((x) => x.status), ['RebootRequired', 'Accepted', 'Rejected', 'Rejected', 'Rejected', 'Accepted']);
});

test('set_variables: a WriteOnly value never shows in results, events, reports or log lines', () => {
  service.close();
  const capture = captureLogger();
  service = open({ log: capture.log });
  const secret = 'correct-horse-battery-staple';
  const seen: unknown[] = [];
  service.on('event_data', (e) => seen.push(e));
  service.on('security_event', (e) => seen.push(e));
  service.monitorVariables([cv('TestCtrlr', 'Secret')]);
  const results = service.setVariables([set('TestCtrlr', 'Secret', secret)]);
  service.setInternal(cv('TestCtrlr', 'Secret'), secret + '-2');
  try {
    service.setInternal(cv('TestCtrlr', 'Secret'), 'short');
  } catch { /* expected */ }
  const dump = JSON.stringify([
    results, seen, service.allVariables(), service.getVariables([{ component_variable: cv('TestCtrlr', 'Secret') }]),
    capture.lines,
  ]);
  assert.not.ok(dump.includes(secret), 'secret leaked');
  assert.not.ok(dump.includes('short"'), 'rejected secret leaked');
  assert.is(seen.length, 2, 'both changes were reported');
  assert.ok(capture.lines.some((l) => l.includes('write-only variable changed')));
});

// ---- monitors ----

test('monitor_variables: changes of monitored variables emit event_data with increasing event_id', () => {
  const events: EventData[] = [];
  service.on('event_data', (e) => events.push(e));
  service.monitorVariables([cv('TestCtrlr', 'Int'), cv('TestCtrlr', 'Opt'), cv('TestEvse', 'Level', { evse: { id: 2 } }), cv('Nope', 'X')]);
  service.setVariables([set('TestCtrlr', 'Int', '1'), set('TestCtrlr', 'Str', 'zz'), set('TestCtrlr', 'Opt', 'b')]);
  service.setVariables([set('TestCtrlr', 'Int', '1')]); // same value: no event
  service.setVariables([set('TestCtrlr', 'Int', '99')]); // rejected: no event
  service.setInternal(cv('TestEvse', 'Level', { evse: { id: 2 } }), '4');
  service.setInternal(cv('TestEvse', 'Level', { evse: { id: 1 } }), '4'); // not monitored
  assert.is(events.length, 3);
  assert.equal(events.map((e) => e.event_id), [1, 2, 3]);
  assert.equal(events[0], {
    component_variable: cv('TestCtrlr', 'Int'),
    event_id: 1,
    timestamp: events[0]?.timestamp ?? '',
    trigger: 'Delta',
    actual_value: '1',
    event_notification_type: 'CustomMonitor',
    variable_monitoring_id: events[0]?.variable_monitoring_id ?? -1,
  });
  assert.ok(!Number.isNaN(Date.parse(events[0]?.timestamp ?? '')));
  assert.equal(events[2]?.component_variable, cv('TestEvse', 'Level', { evse: { id: 2 } }));
  assert.is(events[2]?.actual_value, '4');
});

test('monitor_variables: only Actual changes trigger; RebootRequired does not (libocpp: listeners on Accepted only)', () => {
  const events: EventData[] = [];
  service.on('event_data', (e) => events.push(e));
  service.monitorVariables([cv('TestCtrlr', 'Limits'), cv('TestCtrlr', 'Reboot')]);
  service.setVariables([set('TestCtrlr', 'Limits', '70', 'Target'), set('TestCtrlr', 'Reboot', '5')]);
  assert.is(events.length, 0);
  service.setVariables([set('TestCtrlr', 'Limits', '70')]);
  assert.is(events.length, 1);
});

test('monitor_variables: a WriteOnly change is reported with an empty actual_value', () => {
  const events: EventData[] = [];
  service.on('event_data', (e) => events.push(e));
  service.monitorVariables([cv('TestCtrlr', 'Secret')]);
  service.setVariables([set('TestCtrlr', 'Secret', 'topsecret!')]);
  assert.is(events.length, 1);
  assert.is(events[0]?.actual_value, '');
});

test('monitor_variables: unsubscribe stops delivery; a throwing listener does not break the call', () => {
  const events: EventData[] = [];
  service.on('event_data', () => { throw new Error('listener bug'); });
  const off = service.on('event_data', (e) => events.push(e));
  service.monitorVariables([cv('TestCtrlr', 'Int')]);
  assert.is(service.setVariables([set('TestCtrlr', 'Int', '2')])[0]?.status, 'Accepted');
  off();
  service.setVariables([set('TestCtrlr', 'Int', '3')]);
  assert.is(events.length, 1);
});

// ---- setInternal ----

test('setInternal: may write ReadOnly, validates, refuses unknown and constant, never echoes the value', () => {
  service.setInternal(cv('TestCtrlr', 'RO'), '8');
  assert.is(service.getVariables([{ component_variable: cv('TestCtrlr', 'RO') }])[0]?.value, '8');
  service.setInternal(cv('TestCtrlr', 'Limits'), '11', 'MinSet');
  const fails: Array<[() => void, string]> = [
    [() => service.setInternal(cv('Nope', 'X'), '1'), 'TSOCPP_ERR_UNKNOWN_VARIABLE'],
    [() => service.setInternal(cv('TestCtrlr', 'Int'), '1', 'Target'), 'TSOCPP_ERR_UNKNOWN_VARIABLE'],
    [() => service.setInternal(cv('TestCtrlr', 'Int'), 'not-a-number'), 'TSOCPP_ERR_INVALID_VALUE'],
    [() => service.setInternal(cv('TestCtrlr', 'Const'), 'changed'), 'TSOCPP_ERR_INVALID_ARGUMENT'],
  ];
  for (const [fn, code] of fails) {
    try {
      fn();
      assert.unreachable(code);
    } catch (err) {
      assert.instance(err, DeviceModelError);
      assert.is((err as DeviceModelError).code, code);
      assert.not.match((err as Error).message, /not-a-number/);
    }
  }
});

// ---- connection ----

test('stop/restart/isConnected without a CSMS link; a link drives connection events', () => {
  assert.is(service.isConnected(), false);
  assert.is(service.stop(), true);
  assert.is(service.stopped, true);
  assert.is(service.restart(), true);
  assert.is(service.stopped, false);

  const changes: boolean[] = [];
  service.on('connection', (c) => changes.push(c));
  let report: (up: boolean) => void = () => {};
  const calls: string[] = [];
  const link: CsmsLink = {
    start: () => calls.push('start'),
    stop: () => calls.push('stop'),
    onConnection: (fn) => { report = fn; return () => { report = () => {}; }; },
  };
  service.attachLink(link);
  report(true);
  assert.is(service.isConnected(), true);
  assert.is(service.stop(), true);
  assert.is(service.isConnected(), false);
  report(true); // ignored while stopped
  assert.is(service.isConnected(), false);
  service.restart();
  report(true);
  assert.equal(changes, [true, false, true]);
  assert.equal(calls, ['start', 'stop', 'start']);
});

// ---- restart and durability ----

test('values, availability, monitors and the event_id counter survive close and reopen', () => {
  const first: EventData[] = [];
  service.on('event_data', (e) => first.push(e));
  service.monitorVariables([cv('TestCtrlr', 'Int')]);
  service.setVariables([set('TestCtrlr', 'Int', '4'), set('TestCtrlr', 'Secret', 'persisted-secret')]);
  service.setVariables([set('TestCtrlr', 'Int', '5')]);
  service.setTransactionActive(2, true);
  assert.is(service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 1 } }).status, 'Accepted');
  assert.is(service.changeAvailability({ operational_status: 'Inoperative', evse: { id: 2 } }).status, 'Scheduled');
  const before = service.availability();
  service.close();

  service = open();
  const second: EventData[] = [];
  service.on('event_data', (e) => second.push(e));
  assert.is(service.getVariables([{ component_variable: cv('TestCtrlr', 'Int') }])[0]?.value, '5');
  const after = service.availability();
  assert.equal(after.evses[0], before.evses[0]);
  assert.is(after.evses[1]?.scheduled, 'Inoperative', 'the scheduled change survives');
  assert.is(after.evses[1]?.transaction_active, false, 'transactions are not ours to remember');
  service.setVariables([set('TestCtrlr', 'Int', '6')]);
  assert.is(second.length, 1, 'the monitor survived');
  assert.ok((second[0]?.event_id ?? 0) > (first.at(-1)?.event_id ?? Infinity), 'event_id keeps increasing');
  assert.is(second[0]?.event_id, 3);
  assert.is(second[0]?.variable_monitoring_id, first[0]?.variable_monitoring_id);
});

test('after close every call but stop/restart/isConnected throws TSOCPP_ERR_CLOSED', () => {
  service.close();
  assert.is(service.stop(), false);
  assert.is(service.isConnected(), false);
  try {
    service.getVariables([]);
    assert.unreachable();
  } catch (err) {
    assert.is((err as DeviceModelError).code, 'TSOCPP_ERR_CLOSED');
  }
  service.close(); // twice is fine
});

test('durability: everything answered before SIGKILL is there after reopen', async () => {
  service.close();
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/ocpp/durability-child.ts', import.meta.url)), db.path], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let lastAnswered = 0;
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const m = /^answered (\d+) (\w+)$/.exec(line);
    if (!m) continue;
    assert.is(m[2], 'Accepted');
    lastAnswered = Number(m[1]);
    if (lastAnswered >= 25) {
      child.kill('SIGKILL');
      break;
    }
  }
  const signal = await exited;
  assert.is(signal, 'SIGKILL', stderr);
  assert.ok(lastAnswered >= 25);

  service = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1 });
  const [hb] = service.getVariables([{ component_variable: cv('OCPPCommCtrlr', 'HeartbeatInterval') }]);
  assert.ok(Number(hb?.value) >= 100 + lastAnswered, `HeartbeatInterval ${hb?.value} < ${100 + lastAnswered}`);
  const log = service.securityLog();
  for (let i = 1; i <= lastAnswered; i++) {
    assert.ok(log.some((e) => e.info === `tamper ${i}`), `tamper ${i} in the security log`);
    assert.ok(log.some((e) => e.info === `invalid ${i}`), `invalid ${i} in the security log`);
  }
  const outbox = service.outbox.pending(1000);
  const tampers = outbox.map((o) => o.payload.tech_info);
  for (let i = 1; i <= lastAnswered; i++) assert.is(tampers[i - 1], `tamper ${i}`, 'critical events in order in the outbox');
  assert.not.ok(outbox.some((o) => o.payload.type === 'InvalidMessages'), 'non-critical events are not queued');
});

test.run();
