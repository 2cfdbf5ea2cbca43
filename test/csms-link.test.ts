// The CSMS link against a CSMS built with ocpp-rpc in strict mode, with the real module (startApp) on an
// embedded broker: boot and heartbeat, the device model seen from both sides, reports, availability and
// StatusNotification, TriggerMessage, DataTransfer both ways, Reset, CALLERRORs, and the Pending state.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestCsms } from './fixtures/csms/csms.js';
import { PASSWORD, seedDeviceModel, startTsOcpp, startVendorModule, type TsOcpp } from './fixtures/csms/app.js';
import { tempDb, type TempDb } from './fixtures/ocpp/helpers.js';

type R = Record<string, unknown>;
let db: TempDb;
let csms: TestCsms;
let ts: TsOcpp;

const cv = (component: string, variable: string, extra: { instance?: string; evse?: R } = {}) => ({
  component: extra.evse ? { name: component, evse: extra.evse } : { name: component },
  variable: extra.instance ? { name: variable, instance: extra.instance } : { name: variable },
});
const busGet = async (component: string, variable: string): Promise<R> =>
  ((await ts.call('ocpp_generic', 'get_variables', { requests: [{ component_variable: cv(component, variable) }] })) as R[])[0]!;
const csmsGet = async (component: string, variable: string): Promise<R> =>
  (await csms.call<{ getVariableResult: R[] }>('GetVariables', { getVariableData: [cv(component, variable)] })).getVariableResult[0]!;

async function boot(opts: ConstructorParameters<typeof TestCsms>[0] = {}, moduleConfig: R = {}): Promise<void> {
  csms = await new TestCsms({ password: PASSWORD, interval: 300, ...opts }).start();
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path, ...moduleConfig });
  await csms.waitFor('BootNotification');
  // After an Accepted boot: one StatusNotification per connector.
  if ((opts.bootStatus ?? 'Accepted') === 'Accepted') await csms.waitFor('StatusNotification', 2);
}

test.before.each(() => {
  db = tempDb();
  seedDeviceModel(db.path);
});
test.after.each(async () => {
  await ts?.stop();
  await csms?.stop();
  db.cleanup();
});

test('boot: BootNotification with the device model identity, heartbeat at the CSMS interval, stored in HeartbeatInterval', async () => {
  await boot({ interval: 1 });
  const [b] = csms.of('BootNotification');
  assert.is(b!.identity, 'CS001');
  assert.equal(b!.params, { reason: 'PowerUp', chargingStation: { model: 'TsOcpp', vendorName: 'TsOcpp', firmwareVersion: '0.1.0', serialNumber: '000000000' } });
  await csms.waitFor('Heartbeat', 2, 4000);
  assert.equal((await busGet('OCPPCommCtrlr', 'HeartbeatInterval')).value, '1');
  assert.ok(ts.app.service.isConnected());
  // After the boot: one StatusNotification per connector.
  const status = csms.of('StatusNotification').map((r) => [r.params.evseId, r.params.connectorId, r.params.connectorStatus]);
  assert.equal(status.sort(), [[1, 1, 'Available'], [2, 1, 'Available']]);
});

test('GetVariables from the CSMS and get_variables on the bus see the same values after SetVariables from either side', async () => {
  await boot();
  const set = await csms.call<{ setVariableResult: R[] }>('SetVariables', {
    setVariableData: [
      { ...cv('OCPPCommCtrlr', 'OfflineThreshold'), attributeValue: '123' },
      { ...cv('OCPPCommCtrlr', 'OfflineThreshold'), attributeValue: '7', attributeType: 'Target' },
      { ...cv('SecurityCtrlr', 'SecurityProfile'), attributeValue: '2' },
      { ...cv('NoSuchCtrlr', 'X'), attributeValue: '1' },
    ],
  });
  assert.equal(set.setVariableResult.map((r) => r.attributeStatus), ['Accepted', 'NotSupportedAttributeType', 'Rejected', 'UnknownComponent']);
  assert.is((await busGet('OCPPCommCtrlr', 'OfflineThreshold')).value, '123');
  assert.is((await csmsGet('OCPPCommCtrlr', 'OfflineThreshold')).attributeValue, '123');

  const busSet = (await ts.call('ocpp_generic', 'set_variables', { requests: [{ component_variable: cv('OCPPCommCtrlr', 'OfflineThreshold'), value: '456' }] })) as R[];
  assert.is(busSet[0]!.status, 'Accepted');
  assert.is((await csmsGet('OCPPCommCtrlr', 'OfflineThreshold')).attributeValue, '456');
  assert.is((await busGet('OCPPCommCtrlr', 'OfflineThreshold')).value, '456');

  // WriteOnly: settable by the CSMS, never answered to either side.
  const pw = await csms.call<{ setVariableResult: R[] }>('SetVariables', { setVariableData: [{ ...cv('SecurityCtrlr', 'BasicAuthPassword'), attributeValue: PASSWORD }] });
  assert.is(pw.setVariableResult[0]!.attributeStatus, 'Accepted');
  // A01: the link reconnects with the new password at once (csms-network-profile.test.ts).
  await csms.waitFor('StatusNotification', 4);
  const secret = await csmsGet('SecurityCtrlr', 'BasicAuthPassword');
  assert.is(secret.attributeStatus, 'Rejected');
  assert.not.ok('attributeValue' in secret);
  assert.is((await busGet('SecurityCtrlr', 'BasicAuthPassword')).status, 'Rejected');

  // B06.FR.16: more than ItemsPerMessage GetVariables (100) items.
  const many = Array.from({ length: 101 }, () => cv('OCPPCommCtrlr', 'HeartbeatInterval'));
  const err = await csms.call('GetVariables', { getVariableData: many }).then(() => undefined, (e: { code?: string }) => e.code);
  assert.is(err, 'OccurrenceConstraintViolation');
});

test('SetVariables HeartbeatInterval from the CSMS takes effect at once', async () => {
  await boot({ interval: 300 });
  const r = await csms.call<{ setVariableResult: R[] }>('SetVariables', { setVariableData: [{ ...cv('OCPPCommCtrlr', 'HeartbeatInterval'), attributeValue: '1' }] });
  assert.is(r.setVariableResult[0]!.attributeStatus, 'Accepted');
  await csms.waitFor('Heartbeat', 1, 3000);
});

test('GetBaseReport FullInventory reports every variable of the device model, in parts with seqNo and tbc', async () => {
  await boot();
  // A small MaxMessageSize so that the report needs several NotifyReport parts.
  ts.app.service.setInternal({ component: { name: 'InternalCtrlr' }, variable: { name: 'MaxMessageSize' } }, '4000');
  const res = await csms.call('GetBaseReport', { requestId: 42, reportBase: 'FullInventory' });
  assert.equal(res, { status: 'Accepted' });
  const all = ts.app.service.allVariables();
  const key = (c: R, v: R) => JSON.stringify([c.name, c.instance ?? null, (c.evse as R | undefined)?.id ?? null, (c.evse as R | undefined)?.connectorId ?? null, v.name, v.instance ?? null]);
  const expected = new Set(all.map((e) => key(
    { name: e.component.name, instance: e.component.instance, evse: e.component.evse ? { id: e.component.evse.id, connectorId: e.component.evse.connector_id } : undefined },
    { name: e.variable.name, instance: e.variable.instance },
  )));
  await csms.until(() => csms.of('NotifyReport').some((r) => r.params.tbc === false), 8000, 'the last NotifyReport part');
  const parts = csms.of('NotifyReport').filter((r) => r.params.requestId === 42);
  assert.ok(parts.length > 1, `expected several parts, got ${parts.length}`);
  assert.equal(parts.map((p) => p.params.seqNo), parts.map((_, i) => i));
  assert.equal(parts.map((p) => p.params.tbc), parts.map((_, i) => i < parts.length - 1));
  const seen = parts.flatMap((p) => (p.params.reportData as R[]).map((d) => key(d.component as R, d.variable as R)));
  assert.is(seen.length, expected.size);
  assert.equal(new Set(seen), expected);
  // WriteOnly listed without its value.
  const pw = parts.flatMap((p) => p.params.reportData as R[]).find((d) => (d.variable as R).name === 'BasicAuthPassword')!;
  assert.equal(pw.variableAttribute, [{ type: 'Actual', mutability: 'WriteOnly', persistent: true, constant: false }]);
});

test('GetBaseReport ConfigurationInventory and SummaryInventory', async () => {
  await boot();
  assert.equal(await csms.call('GetBaseReport', { requestId: 1, reportBase: 'ConfigurationInventory' }), { status: 'Accepted' });
  await csms.until(() => csms.of('NotifyReport').some((r) => r.params.requestId === 1 && r.params.tbc === false));
  const config = csms.of('NotifyReport').filter((r) => r.params.requestId === 1).flatMap((r) => r.params.reportData as R[]);
  assert.ok(config.length > 0);
  assert.ok(config.every((d) => (d.variableAttribute as R[]).every((a) => a.mutability !== 'ReadOnly')));
  assert.ok(config.some((d) => (d.variable as R).name === 'HeartbeatInterval'));

  assert.equal(await csms.call('GetBaseReport', { requestId: 2, reportBase: 'SummaryInventory' }), { status: 'Accepted' });
  await csms.until(() => csms.of('NotifyReport').some((r) => r.params.requestId === 2 && r.params.tbc === false));
  const summary = csms.of('NotifyReport').filter((r) => r.params.requestId === 2).flatMap((r) => r.params.reportData as R[]);
  assert.equal(summary.map((d) => [(d.component as R).name, (d.variable as R).name]).sort(),
    [['ChargingStation', 'AvailabilityState'], ['Connector', 'AvailabilityState'], ['Connector', 'AvailabilityState'], ['EVSE', 'AvailabilityState'], ['EVSE', 'AvailabilityState']]);
});

test('ChangeAvailability leads to StatusNotification; Scheduled while a transaction runs; bus changes too', async () => {
  await boot();
  csms.clear();
  assert.equal(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2 } }), { status: 'Accepted' });
  const [s] = await csms.waitFor('StatusNotification');
  assert.equal([s!.params.evseId, s!.params.connectorId, s!.params.connectorStatus], [2, 1, 'Unavailable']);

  ts.app.service.setTransactionActive(1, true);
  assert.equal(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } }), { status: 'Scheduled' });
  await new Promise((r) => setTimeout(r, 200));
  assert.is(csms.of('StatusNotification').length, 1);
  ts.app.service.setTransactionActive(1, false);
  await csms.waitFor('StatusNotification', 2);
  assert.equal(csms.of('StatusNotification')[1]!.params.connectorStatus, 'Unavailable');

  const r = (await ts.call('ocpp_generic', 'change_availability', { request: { operational_status: 'Operative', evse: { id: 2 } } })) as R;
  assert.is(r.status, 'Accepted');
  const [back] = (await csms.waitFor('StatusNotification', 3)).slice(2);
  assert.equal([back!.params.evseId, back!.params.connectorStatus], [2, 'Available']);
  const bad = await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 9 } });
  assert.equal(bad, { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse', additionalInfo: 'EVSE 9 does not exist' } });
});

test('TriggerMessage: Heartbeat, StatusNotification, BootNotification (Rejected once Accepted), NotImplemented', async () => {
  await boot();
  csms.clear();
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'Heartbeat' }), { status: 'Accepted' });
  await csms.waitFor('Heartbeat');
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 2, connectorId: 1 } }), { status: 'Accepted' });
  const [s] = await csms.waitFor('StatusNotification');
  assert.equal([s!.params.evseId, s!.params.connectorId], [2, 1]);
  assert.is((await csms.call<R>('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 2 } })).status, 'Rejected');
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'BootNotification' }), { status: 'Rejected' });
  // MeterValues is served now (test/meter-values.test.ts): without a reading it is Rejected; PublishFirmwareStatusNotification (a local controller's) is not implemented.
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'MeterValues' }), { status: 'Rejected' });
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'PublishFirmwareStatusNotification' }), { status: 'NotImplemented' });
});

test('CALLERRORs: unknown action NotImplemented, known one NotSupported, malformed FormatViolation; the link stays up', async () => {
  await boot();
  const unknown = await csms.raw('FlyToTheMoon', {});
  assert.is(unknown[0], 4);
  assert.is(unknown[2], 'NotImplemented');
  const unsupported = await csms.raw('CancelReservation', { reservationId: 1 });
  assert.equal(unsupported.slice(0, 1).concat(unsupported.slice(2, 3)), [4, 'NotSupported']);
  for (const payload of [{ getVariableData: 'x' }, {}, { getVariableData: [{ component: { name: 1 }, variable: { name: 'X' } }] }, { getVariableData: [cv('A', 'B')], extra: true }]) {
    const m = await csms.raw('GetVariables', payload);
    assert.is(m[0], 4);
    assert.is(m[2], 'FormatViolation', JSON.stringify(m));
  }
  // Recorded as the (non-critical) security event InvalidMessages.
  assert.ok(ts.app.service.securityLog().some((e) => e.type === 'InvalidMessages' && !e.critical));
  // Still the same connection, and it still works.
  assert.is(csms.connections, 1);
  assert.is((await csmsGet('OCPPCommCtrlr', 'HeartbeatInterval')).attributeStatus, 'Accepted');
});

test('DataTransfer from the CSMS: the local registry, UnknownVendorId otherwise; bus data_transfer goes to the CSMS', async () => {
  await boot({ handlers: { DataTransfer: (p) => ({ status: 'Accepted', data: { got: p.data ?? null, vendor: p.vendorId } }) } });
  const local = await csms.call('DataTransfer', { vendorId: 'org.tsocpp', messageId: 'GetVariable', data: cv('OCPPCommCtrlr', 'HeartbeatInterval') });
  assert.equal(local, { status: 'Accepted', data: { value: '300' } });
  assert.equal(await csms.call('DataTransfer', { vendorId: 'com.example' }), { status: 'UnknownVendorId' });

  const toCsms = (await ts.call('data_transfer', 'data_transfer', { request: { vendor_id: 'com.example', message_id: 'Hello', data: '{"n":1}' } })) as R;
  assert.equal(toCsms, { status: 'Accepted', data: JSON.stringify({ got: { n: 1 }, vendor: 'com.example' }) });
  // Not JSON: sent as a JSON string.
  const text = (await ts.call('data_transfer', 'data_transfer', { request: { vendor_id: 'com.example', data: 'plain' } })) as R;
  assert.equal(JSON.parse(text.data as string), { got: 'plain', vendor: 'com.example' });
  // TsOcpp's own vendor id stays local even with a CSMS.
  const own = (await ts.call('data_transfer', 'data_transfer', { request: { vendor_id: 'org.tsocpp', message_id: 'SetTransactionActive', data: '{"evse_id":1,"active":true}' } })) as R;
  assert.is(own.status, 'Accepted');
  assert.ok(ts.app.service.availability().evses[0]!.transaction_active);

  await csms.stop();
  await new Promise((r) => setTimeout(r, 100));
  const offline = (await ts.call('data_transfer', 'data_transfer', { request: { vendor_id: 'com.example' } })) as R;
  assert.equal(offline, { status: 'Rejected', data: JSON.stringify({ status: 'Offline' }) });
});

test('DataTransfer from the CSMS for a vendor TsOcpp does not know goes to the data_transfer requirement', async () => {
  csms = await new TestCsms({ password: PASSWORD }).start();
  ts = await startTsOcpp({ csms_url: csms.url, station_id: 'CS001', device_model_db: db.path }, {
    config: { connections: { data_transfer: [{ module_id: 'vendor', implementation_id: 'dt' }] } },
    modules: { vendor: { module: 'Vendor' } },
  });
  const vendor = await startVendorModule(ts.app.brokerUrl, 'vendor', (req) => ({ status: 'Accepted', data: JSON.stringify({ from: 'vendor', req }) }));
  try {
    await csms.waitFor('StatusNotification', 2);
    const res = await csms.call('DataTransfer', { vendorId: 'com.vendor', messageId: 'M', data: { x: 1 } });
    assert.equal(res, { status: 'Accepted', data: { from: 'vendor', req: { vendor_id: 'com.vendor', message_id: 'M', data: '{"x":1}' } } });
    // TsOcpp's own vendor id is still answered by the local registry.
    const own = await csms.call<R>('DataTransfer', { vendorId: 'org.tsocpp', messageId: 'Nope' });
    assert.equal(own, { status: 'UnknownMessageId' });
  } finally {
    await vendor.stop();
  }
});

test('Reset: Accepted, ResetOrReboot reaches the CSMS, reconnect with BootNotification RemoteReset', async () => {
  await boot();
  assert.equal(await csms.call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
  await csms.until(() => csms.of('BootNotification').length === 2, 8000, 'the second boot');
  assert.is(csms.of('BootNotification')[1]!.params.reason, 'RemoteReset');
  await csms.waitFor('StatusNotification', 4);
  await csms.until(() => csms.of('SecurityEventNotification').some((r) => r.params.type === 'ResetOrReboot'));
  assert.is(csms.of('SecurityEventNotification').filter((r) => r.params.type === 'ResetOrReboot').length, 1);
  assert.is(csms.connections, 2);
  assert.equal(await csms.call('Reset', { type: 'Immediate', evseId: 5 }), { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse', additionalInfo: 'EVSE 5 does not exist' } });
  ts.app.service.setTransactionActive(1, true);
  assert.equal(await csms.call('Reset', { type: 'OnIdle' }), { status: 'Scheduled' });
  await new Promise((r) => setTimeout(r, 300));
  assert.is(csms.connections, 2);
  ts.app.service.setTransactionActive(1, false);
  await csms.until(() => csms.connections === 3, 8000, 'the scheduled reset');
});

test('B12 a communication Reset OnIdle (no system module): the idle EVSE Unavailable while it waits; carried out, the connectors follow their stored state again (Available)', async () => {
  await boot();
  const last = (evseId: number): unknown => csms.of('StatusNotification').map((r) => r.params).filter((p) => p.evseId === evseId).at(-1)?.connectorStatus;
  ts.app.service.setTransactionActive(1, true);
  assert.equal(await csms.call('Reset', { type: 'OnIdle' }), { status: 'Scheduled' });
  await csms.until(() => last(2) === 'Unavailable', 5000, 'EVSE 2 Unavailable');
  assert.is(last(1), 'Available');
  ts.app.service.setTransactionActive(1, false);
  await csms.until(() => csms.connections === 2, 8000, 'the scheduled reset');
  await csms.until(() => last(1) === 'Available' && last(2) === 'Available', 5000, 'both Available after the reset');
  assert.equal(ts.app.service.availability().evses.map((e) => e.connectors[0]!.effective), ['Operative', 'Operative']);
});

test('Pending: only BootNotification retries and triggered messages go out; provisioning calls are served', async () => {
  await boot({ bootStatus: 'Pending', interval: 1 });
  // While Pending the CSMS may configure the station and trigger messages ...
  assert.is((await csmsGet('OCPPCommCtrlr', 'HeartbeatInterval')).attributeStatus, 'Accepted');
  assert.equal(await csms.call('TriggerMessage', { requestedMessage: 'Heartbeat' }), { status: 'Accepted' });
  await csms.waitFor('Heartbeat');
  // ... but not, for instance, change availability (B02.FR.09: SecurityError).
  const refused = await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative' }).then(() => 'ok', (e: { code?: string }) => e.code);
  assert.is(refused, 'SecurityError');
  // A report asked for while Pending waits for Accepted.
  assert.equal(await csms.call('GetBaseReport', { requestId: 9, reportBase: 'SummaryInventory' }), { status: 'Accepted' });
  await csms.waitFor('BootNotification', 2, 3000);
  const sent = new Set(csms.received.map((r) => r.action));
  assert.equal([...sent].sort(), ['BootNotification', 'Heartbeat']);
  csms.opts.bootStatus = 'Accepted';
  await csms.waitFor('StatusNotification', 2, 4000);
  await csms.waitFor('NotifyReport', 1, 4000);
});

test('Rejected: CALLs refused with SecurityError, BootNotification retried after the interval', async () => {
  await boot({ bootStatus: 'Rejected', interval: 1 });
  const refused = await csms.call('GetVariables', { getVariableData: [cv('OCPPCommCtrlr', 'HeartbeatInterval')] }).then(() => 'ok', (e: { code?: string }) => e.code);
  assert.is(refused, 'SecurityError');
  await csms.waitFor('BootNotification', 2, 3000);
  assert.equal([...new Set(csms.received.map((r) => r.action))], ['BootNotification']);
  assert.ok(ts.app.service.isConnected());
});

test('without csms_url: no link, is_connected stays false, the bus commands work', async () => {
  ts = await startTsOcpp({ device_model_db: db.path });
  assert.is(ts.app.service.isConnected(), false);
  assert.is((await busGet('OCPPCommCtrlr', 'HeartbeatInterval')).value, '1800');
  const dt = (await ts.call('data_transfer', 'data_transfer', { request: { vendor_id: 'com.example' } })) as R;
  assert.equal(dt, { status: 'UnknownVendorId' });
});

test.run();
