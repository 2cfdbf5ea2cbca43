// The CSMS link's parts on their own: back-off, config, the camelCase/snake_case mapping, report parts,
// the strict validator's FormatViolation, what the registration state admits, and the answer-first scope.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MIN_RECONNECT_MS, ReconnectBackoff } from '../src/csms/backoff.js';
import { readCsmsConfig } from '../src/csms/config.js';
import { resolveConfig } from '../src/everest/manifest.js';
import { TSOCPP_CONFIG } from '../src/generated/module-config.js';
import {
  asDataTransferResponse, toEverestDataTransferRequest, toEverestGetVariableRequests, toEverestSetVariableRequests,
  toOcppDataTransferRequest, toOcppDataTransferResponse, toOcppEventData, toOcppGetVariableResults, toOcppSecurityEvent,
} from '../src/csms/mapping.js';
import { splitReport } from '../src/csms/station/report.js';
import type { ReportData } from '../src/csms/ocpp-types.js';
import { knownActions, strictValidator } from '../src/csms/validator.js';
import { refusal } from '../src/csms/handlers/index.js';
import { AnswerFirst } from '../src/csms/answer-first.js';

test('back-off: minimum + random, doubling RetryBackOffRepeatTimes times, then constant; reset starts over', () => {
  const randoms = [0.99, 0, 0.5, 0, 0];
  const b = new ReconnectBackoff(() => randoms.shift() ?? 0);
  const s = { retryBackOffWaitMinimumS: 1, retryBackOffRandomRangeS: 2, retryBackOffRepeatTimes: 2 };
  assert.is(b.next(s), 3000); // 1 + 2
  assert.is(b.next(s), 6000); // 3 * 2 + 0
  assert.is(b.next(s), 13000); // 6 * 2 + 1
  assert.is(b.next(s), 13000); // repeat times used up
  b.reset();
  assert.is(b.next(s), 1000);
  const zero = new ReconnectBackoff(() => 0);
  assert.is(zero.next({ retryBackOffWaitMinimumS: 0, retryBackOffRandomRangeS: 0, retryBackOffRepeatTimes: 0 }), MIN_RECONNECT_MS);
});

test('config: empty csms_url means no link; the station id is not part of the URL', () => {
  // Values as the module receives them: checked against the manifest's declarations, defaults filled in.
  const read = (given: Record<string, unknown>) => readCsmsConfig(resolveConfig(TSOCPP_CONFIG, given));
  assert.is(read({ csms_url: '' }), undefined);
  assert.is(read({}), undefined);
  const c = read({ csms_url: 'ws://127.0.0.1:9000/ocpp/', station_id: 'CS001', security_profile: '1' })!;
  assert.equal(c, { url: 'ws://127.0.0.1:9000/ocpp', stationId: 'CS001', securityProfile: 1, tls: {} });
  assert.throws(() => read({ csms_url: 'ws://u:p@127.0.0.1:9000/ocpp' }), /no credentials/);
  assert.throws(() => read({ csms_url: 'ws://127.0.0.1:9000/ocpp?x=1' }), /no query/);
  assert.throws(() => read({ csms_url: 'ws://127.0.0.1:9000', security_profile: 4 }), /security_profile/);
  assert.throws(() => read({ csms_url: 'ws://127.0.0.1:9000', station_id: 'x'.repeat(49) }), /station_id/);
});

test('mapping: GetVariables and SetVariables both ways', () => {
  assert.equal(toEverestGetVariableRequests([
    { component: { name: 'EVSE', evse: { id: 1, connectorId: 2 }, instance: 'i' }, variable: { name: 'V', instance: 'j' }, attributeType: 'Target' },
    { component: { name: 'C' }, variable: { name: 'V' } },
  ]), [
    { component_variable: { component: { name: 'EVSE', instance: 'i', evse: { id: 1, connector_id: 2 } }, variable: { name: 'V', instance: 'j' } }, attribute_type: 'Target' },
    { component_variable: { component: { name: 'C' }, variable: { name: 'V' } } },
  ]);
  assert.equal(toOcppGetVariableResults([
    { status: 'Accepted', attribute_type: 'Actual', value: 'abcdef', component_variable: { component: { name: 'C', evse: { id: 2 } }, variable: { name: 'V' } } },
    { status: 'UnknownVariable', attribute_type: 'Actual', component_variable: { component: { name: 'C' }, variable: { name: 'W' } } },
  ], 3), [
    { attributeStatus: 'Accepted', attributeType: 'Actual', attributeValue: 'abc', component: { name: 'C', evse: { id: 2 } }, variable: { name: 'V' } },
    { attributeStatus: 'UnknownVariable', attributeType: 'Actual', component: { name: 'C' }, variable: { name: 'W' } },
  ]);
  assert.equal(toEverestSetVariableRequests([{ component: { name: 'C' }, variable: { name: 'V' }, attributeValue: '1' }]),
    [{ component_variable: { component: { name: 'C' }, variable: { name: 'V' } }, value: '1' }]);
});

test('mapping: DataTransfer data is a string on the bus and any JSON towards the CSMS', () => {
  assert.equal(toEverestDataTransferRequest({ vendorId: 'v', messageId: 'm', data: { a: [1] } }), { vendor_id: 'v', message_id: 'm', data: '{"a":[1]}' });
  assert.equal(toEverestDataTransferRequest({ vendorId: 'v', data: 'text' }), { vendor_id: 'v', data: '"text"' });
  assert.equal(toOcppDataTransferRequest({ vendor_id: 'v', data: '{"a":1}' }), { vendorId: 'v', data: { a: 1 } });
  assert.equal(toOcppDataTransferRequest({ vendor_id: 'v', data: 'not json' }), { vendorId: 'v', data: 'not json' });
  assert.equal(toOcppDataTransferResponse({ status: 'Accepted', data: '42' }), { status: 'Accepted', data: 42 });
  assert.equal(asDataTransferResponse({ status: 'Accepted', data: 'x' }), { status: 'Accepted', data: 'x' });
  assert.is(asDataTransferResponse({ status: 'Maybe' }), undefined);
  assert.is(asDataTransferResponse({ status: 'Accepted', data: 1 }), undefined);
  assert.is(asDataTransferResponse(null), undefined);
});

test('mapping: events and security events', () => {
  assert.equal(toOcppEventData({
    component_variable: { component: { name: 'C' }, variable: { name: 'V' } }, event_id: 3, timestamp: '2025-01-01T00:00:00.000Z',
    trigger: 'Delta', actual_value: 'x'.repeat(10), event_notification_type: 'CustomMonitor', variable_monitoring_id: 7,
  }, 4), {
    eventId: 3, timestamp: '2025-01-01T00:00:00.000Z', trigger: 'Delta', actualValue: 'xxxx', eventNotificationType: 'CustomMonitor',
    component: { name: 'C' }, variable: { name: 'V' }, variableMonitoringId: 7,
  });
  assert.equal(toOcppSecurityEvent({ type: 'T', timestamp: 't', tech_info: 'i' }), { type: 'T', timestamp: 't', techInfo: 'i' });
  assert.equal(toOcppSecurityEvent({ type: 'T', timestamp: 't' }), { type: 'T', timestamp: 't' });
});

test('report parts: every entry once, in order, each part within the bound, seqNo from 0, tbc on all but the last', () => {
  const data: ReportData[] = Array.from({ length: 50 }, (_, i) => ({
    component: { name: `C${i}` }, variable: { name: 'V' }, variableAttribute: [{ type: 'Actual', value: 'x'.repeat(40) }],
  }));
  const parts = splitReport(7, data, 1500, '2025-01-01T00:00:00.000Z');
  assert.ok(parts.length > 3);
  assert.equal(parts.flatMap((p) => p.reportData ?? []), data);
  assert.equal(parts.map((p) => p.seqNo), parts.map((_, i) => i));
  assert.equal(parts.map((p) => p.tbc), parts.map((_, i) => i < parts.length - 1));
  for (const p of parts) assert.ok(Buffer.byteLength(JSON.stringify([2, '00000000-0000-0000-0000-000000000000', 'NotifyReport', p])) <= 1500);
  const one = splitReport(1, data.slice(0, 1), 10, 't');
  assert.is(one.length, 1);
  assert.is(one[0]!.tbc, false);
});

test('strict validator: a payload that breaks its schema is a FormatViolation, with the ajv errors and not the payload', () => {
  const v = strictValidator();
  assert.is(v.subprotocol, 'ocpp2.0.1');
  for (const bad of [{ getVariableData: 'x' }, {}, { getVariableData: [{ component: {}, variable: { name: 'V' } }] }]) {
    try {
      // Typed as a promise by ocpp-rpc, it throws at once (strict mode validates synchronously).
      void v.validate('urn:GetVariables.req', bad);
      assert.unreachable('should have thrown');
    } catch (err) {
      const e = err as { rpcErrorCode?: string; details?: Record<string, unknown> };
      assert.is(e.rpcErrorCode, 'FormatViolation');
      assert.ok(Array.isArray(e.details?.errors));
      assert.not.ok('data' in (e.details ?? {}));
    }
  }
  assert.ok(v.validate('urn:Heartbeat.req', {}));
  assert.ok(knownActions().has('UnlockConnector'));
  assert.ok(knownActions().has('BootNotification'));
  assert.not.ok(knownActions().has('FlyToTheMoon'));
});

test('registration state: what a CSMS CALL may do before Accepted (libocpp message_callback)', () => {
  assert.is(refusal('Accepted', 'Reset', {}), undefined);
  for (const a of ['GetVariables', 'SetVariables', 'GetBaseReport', 'TriggerMessage']) assert.is(refusal('Pending', a, {}), undefined);
  assert.ok(refusal('Pending', 'ChangeAvailability', {}));
  assert.ok(refusal('Rejected', 'GetVariables', {}));
  assert.ok(refusal('Rejected', 'TriggerMessage', { requestedMessage: 'Heartbeat' }));
  assert.is(refusal('Rejected', 'TriggerMessage', { requestedMessage: 'BootNotification' }), undefined);
  assert.is(refusal('Unknown', 'TriggerMessage', { requestedMessage: 'BootNotification' }), undefined);
});

test('answer first: CALLs made while a handler runs, and its after(), wait for the release, in order; nothing else waits', async () => {
  const errors: unknown[] = [];
  const answerFirst = new AnswerFirst((err) => errors.push(err));
  const done: string[] = [];
  const scope = answerFirst.scope();
  const result = scope.run(async () => {
    // What the service's events do synchronously inside a handler.
    answerFirst.hold(() => done.push('sync'));
    answerFirst.hold(() => {
      throw new Error('boom');
    });
    await Promise.resolve();
    // After an await the handler is no longer running: only its explicit after() is held.
    answerFirst.hold(() => done.push('not held'));
    scope.hold(() => done.push('after an await'));
    return 'answer';
  });
  answerFirst.hold(() => done.push('outside'));
  assert.is(await result, 'answer');
  assert.equal(done, ['outside', 'not held']);
  scope.release();
  assert.equal(done, ['outside', 'not held', 'sync', 'after an await']);
  assert.is(errors.length, 1);
  scope.hold(() => done.push('late'));
  assert.is(done.at(-1), 'late', 'once released, nothing is held');
});

test.run();
