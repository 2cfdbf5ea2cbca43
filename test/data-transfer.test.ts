// data_transfer: registry by vendor id then message id, handler failures, the built-in org.tsocpp handler.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OcppService } from '../src/ocpp/service.js';
import { DataTransferRegistry } from '../src/ocpp/data-transfer.js';
import { silentLogger } from '../src/log.js';
import { captureLogger, tempDb, type TempDb } from './fixtures/ocpp/helpers.js';

let db: TempDb;
let service: OcppService;

test.before.each(() => {
  db = tempDb();
  service = OcppService.open({ dbPath: db.path, evseCount: 1, connectorsPerEvse: 1 });
});
test.after.each(() => {
  service.close();
  db.cleanup();
});

test('UnknownVendorId, UnknownMessageId, handler answers', async () => {
  const r = new DataTransferRegistry(silentLogger());
  r.register('com.example', 'Ping', (req) => ({ status: 'Accepted', data: `pong:${req.data ?? ''}` }));
  r.register('com.example', 'No', () => ({ status: 'Rejected' }));
  assert.equal(await r.handle({ vendor_id: 'org.other', message_id: 'Ping' }), { status: 'UnknownVendorId' });
  assert.equal(await r.handle({ vendor_id: 'com.example', message_id: 'Pong' }), { status: 'UnknownMessageId' });
  assert.equal(await r.handle({ vendor_id: 'com.example' }), { status: 'UnknownMessageId' });
  assert.equal(await r.handle({ vendor_id: 'com.example', message_id: 'Ping', data: 'x' }), { status: 'Accepted', data: 'pong:x' });
  assert.equal(await r.handle({ vendor_id: 'com.example', message_id: 'No' }), { status: 'Rejected' });
});

test('vendor and message ids are case-insensitive (OCPP CiString)', async () => {
  const r = new DataTransferRegistry(silentLogger());
  r.register('Com.Example', 'Ping', () => ({ status: 'Accepted' }));
  assert.is((await r.handle({ vendor_id: 'com.example', message_id: 'PING' })).status, 'Accepted');
});

test('a "*" handler takes every message id without its own handler, and an absent one', async () => {
  const r = new DataTransferRegistry(silentLogger());
  r.register('v', '*', (req) => ({ status: 'Accepted', data: `any:${req.message_id ?? '-'}` }));
  r.register('v', 'Own', () => ({ status: 'Accepted', data: 'own' }));
  assert.is((await r.handle({ vendor_id: 'v', message_id: 'Other' })).data, 'any:Other');
  assert.is((await r.handle({ vendor_id: 'v' })).data, 'any:-');
  assert.is((await r.handle({ vendor_id: 'v', message_id: 'Own' })).data, 'own');
});

test('async handlers; unregister removes the handler and then the vendor', async () => {
  const r = new DataTransferRegistry(silentLogger());
  const off = r.register('v', 'A', async () => ({ status: 'Accepted', data: 'later' }));
  assert.equal(await r.handle({ vendor_id: 'v', message_id: 'A' }), { status: 'Accepted', data: 'later' });
  off();
  assert.is((await r.handle({ vendor_id: 'v', message_id: 'A' })).status, 'UnknownVendorId');
});

test('a handler that throws or answers nonsense gives Rejected and is logged', async () => {
  const { log, lines } = captureLogger();
  const r = new DataTransferRegistry(log);
  r.register('v', 'Sync', () => { throw new Error('boom'); });
  r.register('v', 'Async', async () => { throw new Error('async boom'); });
  r.register('v', 'Bad', () => ({ status: 'Maybe' }) as never);
  assert.equal(await r.handle({ vendor_id: 'v', message_id: 'Sync' }), { status: 'Rejected' });
  assert.equal(await r.handle({ vendor_id: 'v', message_id: 'Async' }), { status: 'Rejected' });
  assert.equal(await r.handle({ vendor_id: 'v', message_id: 'Bad' }), { status: 'Rejected' });
  assert.ok(lines.some((l) => l.includes('boom') && l.includes('"level":50')));
  assert.ok(lines.some((l) => l.includes('async boom')));
});

const get = (data: unknown) =>
  service.dataTransfer.handle({ vendor_id: 'org.tsocpp', message_id: 'GetVariable', data: typeof data === 'string' ? data : JSON.stringify(data) });

test('built-in org.tsocpp GetVariable answers the value as JSON', async () => {
  assert.equal(await get({ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }),
    { status: 'Accepted', data: JSON.stringify({ value: '1800' }) });
  assert.equal(await get({ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attribute_type: 'MaxSet' }),
    { status: 'Accepted', data: JSON.stringify({ value: '22000' }) });
  assert.equal(await get({ component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetVariables' } }),
    { status: 'Accepted', data: JSON.stringify({ value: '100' }) });
});

test('built-in GetVariable: never a WriteOnly value; unknown and malformed requests are Rejected', async () => {
  service.setVariables([{ component_variable: { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }, value: 'a-very-secret-password' }]);
  const pw = await get({ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } });
  assert.equal(pw, { status: 'Rejected', data: JSON.stringify({ status: 'Rejected' }) });
  assert.not.match(JSON.stringify(pw), /secret/);
  assert.equal(await get({ component: { name: 'Nope' }, variable: { name: 'X' } }), { status: 'Rejected', data: JSON.stringify({ status: 'UnknownComponent' }) });
  assert.equal(await get({ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'X' } }), { status: 'Rejected', data: JSON.stringify({ status: 'UnknownVariable' }) });
  assert.equal(await get('{not json'), { status: 'Rejected', data: JSON.stringify({ status: 'InvalidJson' }) });
  assert.equal(await get({ component: 'OCPPCommCtrlr' }), { status: 'Rejected', data: JSON.stringify({ status: 'InvalidRequest' }) });
  assert.equal(await get({ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attribute_type: 'Bogus' }),
    { status: 'Rejected', data: JSON.stringify({ status: 'InvalidRequest' }) });
  assert.is((await service.dataTransfer.handle({ vendor_id: 'org.tsocpp', message_id: 'SetVariable' })).status, 'UnknownMessageId');
});

test('handlers registered on the service registry are reached through it', async () => {
  service.dataTransfer.register('com.example', 'Echo', (req) => ({ status: 'Accepted', data: req.data ?? '' }));
  assert.equal(await service.dataTransfer.handle({ vendor_id: 'com.example', message_id: 'Echo', data: 'hi' }), { status: 'Accepted', data: 'hi' });
});

test.run();
